#include "json_persistence.hpp"

#include <filesystem>
#include <optional>
#include <stdexcept>

#include "bib/json.hpp"
#include "bib/options.hpp"
#include "journal.hpp"
#include "snapshot_files.hpp"

namespace bib::persistence {

namespace {

// Appends above this are written out before flush(), so a long burst between flushes does
// not pile up in memory.
constexpr std::size_t kMaxPendingBytes = 1 << 20;

// An index entry: which file, and where in it.
constexpr int kFileShift = 56;
std::uint64_t location(std::size_t file, std::uint64_t offset) {
  return (static_cast<std::uint64_t>(file) << kFileShift) | offset;
}

}  // namespace

JsonPersistence::~JsonPersistence() {
  wait_for_checkpoint_writer();
  // Destroyed without stop(): keep what was appended.
  if (state_ != State::ready) return;
  try {
    write_pending();
  } catch (const std::exception& e) {
    if (ctx_ != nullptr) ctx_->log().error("persistence-json: cannot write to {}: {}", dir_, e.what());
  }
}

void JsonPersistence::configure(Context& ctx) {
  ctx_ = &ctx;
  const Value& config = ctx.config();
  // snapshot_every configured the snapshots of older versions: accepted, so their configs load.
  require_known_options(config, {"dir", "fsync", "snapshot_every"});
  dir_ = dir_option(config, ctx.node_name());
  fsync_ = fsync_option(config);
  if (config.find("snapshot_every") != nullptr)
    ctx.log().info("persistence-json: snapshot_every is no longer used (the files are appended in place)");
  state_ = State::configured;
}

std::string JsonPersistence::path_of(const char* name) const { return (std::filesystem::path(dir_) / name).string(); }

void JsonPersistence::require_ready(const char* call) const {
  if (state_ != State::ready)
    throw std::logic_error(std::string("persistence-json: ") + call + "() before a successful replay() (or after stop())");
}

void JsonPersistence::lock_directory() {
  if (locked_) return;
  create_directories(dir_);
  lock_ = DirectoryLock(dir_);
  locked_ = true;
}

void JsonPersistence::replay(const std::function<void(const Event&)>& fn) {
  if (state_ != State::configured) throw std::logic_error("persistence-json: replay() must come once, after configure()");
  state_ = State::failed;  // until every file is read and every event handed over
  resume_.reset();
  lock_directory();
  // Not used for this start: it may not describe these files, and a new one comes later.
  remove_file_if_exists(path_of(kCheckpointName));
  const bool sync = fsync_ != FsyncPolicy::never;
  const auto& specs = snapshot_files();

  // 1. Every existing file in the line layout.
  std::array<std::optional<RecordScanner>, kFiles> scanners;
  for (std::size_t f = 0; f < specs.size(); ++f) {
    const std::string path = path_of(specs[f].name);
    if (!file_exists(path)) continue;
    if (!in_line_layout(path)) {
      convert_to_line_layout(path, f, sync);
      ctx_->log().info("rewrote {} with one record per line", path);
    }
    scanners[f].emplace(path, f);
  }
  std::size_t replayed = merge_and_open(scanners, FileEnds{}, fn);

  // 4. The journal of an older version.
  replayed += migrate_journal(fn);
  state_ = State::ready;
  ctx_->log().info("replayed {} events from {}; fsync {}", replayed, dir_, to_string(fsync_));
}

std::size_t JsonPersistence::merge_and_open(std::array<std::optional<RecordScanner>, kFiles>& scanners, FileEnds ends,
                                            const std::function<void(const Event&)>& fn) {
  const auto& specs = snapshot_files();
  // 2-3. Merge by pos while it runs without a gap.
  std::array<std::optional<ScannedRecord>, kFiles> heads;
  for (std::size_t f = 0; f < specs.size(); ++f)
    if (scanners[f]) heads[f] = scanners[f]->next();
  std::size_t replayed = 0;
  std::size_t duplicates = 0;
  for (;;) {
    std::optional<std::size_t> first;
    for (std::size_t f = 0; f < specs.size(); ++f)
      if (heads[f] && (!first || heads[f]->pos < heads[*first]->pos)) first = f;
    if (!first) break;
    ScannedRecord& record = *heads[*first];
    if (record.pos != next_pos_) {
      ctx_->log().warn("{}: the records after pos {} were written by a flush that did not finish (no pos {}); "
                       "they were never acknowledged and are cut off",
                       dir_, next_pos_ - 1, next_pos_);
      break;
    }
    if (index_.insert(record.event.origin, record.event.seq, location(*first, record.offset))) {
      fn(record.event);
      ++replayed;
    } else {
      ++duplicates;
    }
    ends.end[*first] = record.end;
    ends.has_records[*first] = true;
    ++next_pos_;
    heads[*first] = scanners[*first]->next();
  }
  for (std::size_t f = 0; f < specs.size(); ++f) {
    if (scanners[f] && scanners[f]->torn_tail())
      ctx_->log().warn("dropped the torn end of {} (a crash in the middle of a write?): {}", path_of(specs[f].name),
                       *scanners[f]->torn_tail());
    scanners[f].reset();
  }
  if (duplicates > 0) ctx_->log().warn("{} stored events repeat an (origin, seq) already read: replayed once", duplicates);

  // Open for appending: each file cut after its last kept record (created when missing).
  const bool sync = fsync_ != FsyncPolicy::never;
  bool created = false;
  for (std::size_t f = 0; f < specs.size(); ++f) {
    const std::string path = path_of(specs[f].name);
    created = created || !file_exists(path);
    files_[f].open(path, ends.end[f], ends.has_records[f], sync);
  }
  if (created && sync) sync_directory(dir_);
  return replayed;
}

std::size_t JsonPersistence::migrate_journal(const std::function<void(const Event&)>& fn) {
  const std::string path = path_of(kJournalName);
  if (!file_exists(path)) return 0;
  JournalContents journal = read_journal(path);  // a bad line before the last stops start-up
  std::size_t moved = 0;
  for (const Event& event : journal.events) {
    if (index_.contains(event.origin, event.seq)) continue;  // already in a file
    add_record(event);
    fn(event);
    ++moved;
  }
  write_pending();
  if (fsync_ != FsyncPolicy::never) sync_written();
  remove_file_if_exists(path);
  if (fsync_ != FsyncPolicy::never) sync_directory(dir_);
  ctx_->log().info("moved {} events from {} (an older version's journal) into the files; removed it", moved, path);
  return moved;
}

void JsonPersistence::add_record(const Event& event) {
  const std::size_t file = snapshot_file_for(event.service);
  const std::string record = with_position(snapshot_record(event, file), next_pos_);
  const std::uint64_t offset = files_[file].add(record);
  index_.insert(event.origin, event.seq, location(file, offset));
  pending_bytes_ += record.size();
  ++next_pos_;
}

void JsonPersistence::append(const Event& event) {
  require_ready("append");
  if (index_.contains(event.origin, event.seq)) {
    ctx_->log().debug("event {}:{} is already stored; ignored", event.origin, event.seq);
    return;
  }
  add_record(event);
  if (fsync_ == FsyncPolicy::always) {
    flush();
  } else if (pending_bytes_ >= kMaxPendingBytes) {
    write_pending();
  }
}

void JsonPersistence::write_pending() {
  for (std::size_t f = 0; f < files_.size(); ++f) {
    if (!files_[f].has_pending()) continue;
    files_[f].write_pending();
    unsynced_[f] = true;
  }
  pending_bytes_ = 0;
}

void JsonPersistence::sync_written() {
  for (std::size_t f = 0; f < files_.size(); ++f) {
    if (!unsynced_[f]) continue;
    files_[f].sync();
    unsynced_[f] = false;
  }
}

void JsonPersistence::flush() {
  require_ready("flush");
  write_pending();
  if (fsync_ != FsyncPolicy::never) sync_written();
}

Event JsonPersistence::event_at(std::uint64_t where) const {
  const std::size_t file = static_cast<std::size_t>(where >> kFileShift);
  const std::uint64_t offset = where & ((std::uint64_t{1} << kFileShift) - 1);
  const std::string text = files_[file].read(offset);
  Result<Value> record = parse_json(text);
  if (!record)
    throw std::runtime_error(files_[file].path() + ": the record at offset " + std::to_string(offset) +
                             " does not parse: " + record.error().message);
  return event_from_record(record.value(), file).event;
}

std::optional<Event> JsonPersistence::read(std::string_view origin, std::uint64_t seq) {
  require_ready("read");
  auto where = index_.find(origin, seq);
  if (!where) return std::nullopt;
  return event_at(*where);
}

std::vector<Event> JsonPersistence::read_after(std::string_view origin, std::uint64_t after, std::size_t limit) {
  require_ready("read_after");
  std::vector<Event> out;
  for (std::uint64_t where : index_.after(origin, after, limit)) out.push_back(event_at(where));
  return out;
}

void JsonPersistence::stop() {
  wait_for_checkpoint_writer();
  if (state_ != State::ready) return;  // never write after a failed replay
  try {
    write_pending();
    if (fsync_ != FsyncPolicy::never) sync_written();
  } catch (const std::exception& e) {
    ctx_->log().error("persistence-json: writing {} at stop failed: {}", dir_, e.what());
  }
  for (RecordFile& file : files_) file.close();
  state_ = State::stopped;
}

}  // namespace bib::persistence
