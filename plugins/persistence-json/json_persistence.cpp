#include "json_persistence.hpp"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <memory>
#include <stdexcept>

#include "bib/json.hpp"
#include "bib/options.hpp"
#include "snapshot_files.hpp"

namespace bib::persistence {

namespace {

// Appends above this are written out before flush(), so a long burst between flushes does
// not pile up in memory.
constexpr std::size_t kMaxPendingBytes = 1 << 20;

}  // namespace

JsonPersistence::~JsonPersistence() {
  // Destroyed without stop(): keep what was appended (no snapshot, which may be slow).
  if (state_ != State::ready) return;
  try {
    write_journal();
  } catch (const std::exception& e) {
    if (ctx_ != nullptr) ctx_->log().error("cannot write the journal {}: {}", journal_.path(), e.what());
  }
}

void JsonPersistence::configure(Context& ctx) {
  ctx_ = &ctx;
  const Value& config = ctx.config();
  require_known_options(config, {"dir", "fsync", "snapshot_every"});
  dir_ = dir_option(config, ctx.node_name());
  fsync_ = fsync_option(config);
  snapshot_every_ = static_cast<std::size_t>(int_option(config, "snapshot_every", kDefaultSnapshotEvery, 1));
  state_ = State::configured;
}

std::string JsonPersistence::path_of(const char* name) const { return (std::filesystem::path(dir_) / name).string(); }

void JsonPersistence::require_ready(const char* call) const {
  // Appending without the stored events loaded would make the next snapshot drop them.
  if (state_ != State::ready)
    throw std::logic_error(std::string("persistence-json: ") + call + "() before a successful replay() (or after stop())");
}

void JsonPersistence::replay(const std::function<void(const Event&)>& fn) {
  if (state_ != State::configured) throw std::logic_error("persistence-json: replay() must come once, after configure()");
  state_ = State::failed;  // until every file is read and every event handed over

  create_directories(dir_);
  lock_ = DirectoryLock(dir_);

  // 1. The snapshot files.
  std::vector<StoredRecord> snapshot;
  std::string missing;  // names, for the warning
  std::size_t missing_count = 0;
  const auto& files = snapshot_files();
  for (std::size_t file = 0; file < files.size(); ++file) {
    const std::string path = path_of(files[file].name);
    if (file_exists(path)) {
      std::vector<StoredRecord> records = read_snapshot_file(path, file);
      if (snapshot.empty()) snapshot = std::move(records);
      else std::move(records.begin(), records.end(), std::back_inserter(snapshot));
    } else missing += (missing_count++ == 0 ? "" : ", ") + std::string(files[file].name);
  }
  // None at all is a new directory (or no snapshot yet); some is worth a word.
  if (missing_count > 0 && missing_count < files.size())
    ctx_->log().warn("snapshot files missing in {}, taken as empty: {}", dir_, missing);
  snapshot_incomplete_ = missing_count > 0;
  // Sorting indices, not events: an event is much larger than a number.
  std::vector<std::uint32_t> by_position(snapshot.size());
  for (std::size_t n = 0; n < snapshot.size(); ++n) by_position[n] = static_cast<std::uint32_t>(n);
  std::stable_sort(by_position.begin(), by_position.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return snapshot[a].pos < snapshot[b].pos; });

  // 2. The journal.
  const std::string journal_path = path_of(kJournalName);
  const bool journal_existed = file_exists(journal_path);
  JournalContents journal = read_journal(journal_path);

  // 3. The order: snapshot records not also in the journal, then the journal.
  EventIndex in_journal;
  for (const Event& event : journal.events) in_journal.insert(event.origin, event.seq, 0);
  // The records kept, in replay order, become the log the next snapshot writes.
  std::vector<const Event*> order;
  order.reserve(snapshot.size() + journal.events.size());
  log_.reserve(snapshot.size() + journal.events.size());
  std::size_t overlap = 0;
  std::size_t duplicates = 0;
  for (std::uint32_t n : by_position) {
    StoredRecord& record = snapshot[n];
    if (in_journal.contains(record.event.origin, record.event.seq)) {
      ++overlap;
    } else if (index_.insert(record.event.origin, record.event.seq, log_.size())) {
      order.push_back(&record.event);
      log_.push_back({static_cast<std::uint8_t>(record.file), std::move(record.text)});
    } else {
      ++duplicates;
    }
  }
  const std::size_t from_snapshot = order.size();
  for (const Event& event : journal.events) {
    if (index_.insert(event.origin, event.seq, log_.size())) {
      order.push_back(&event);
      const std::size_t file = snapshot_file_for(event.service);
      log_.push_back({static_cast<std::uint8_t>(file), snapshot_record(event, file)});
    } else {
      ++duplicates;
    }
  }
  if (overlap > 0)
    ctx_->log().info("{} journal events were also in a snapshot (a snapshot was interrupted): replayed once", overlap);
  if (duplicates > 0) ctx_->log().warn("{} stored events repeat an (origin, seq) already read: replayed once", duplicates);

  // 4. Everything read: drop a torn tail, and open the journal for appending.
  if (journal.torn_tail)
    ctx_->log().warn("dropped the torn last line of {} (a crash in the middle of a write?): {}; the {} events before it are kept",
                     journal_path, *journal.torn_tail, journal.events.size());
  journal_.open(journal_path, journal.good_bytes);
  if (fsync_ != FsyncPolicy::never) {
    if (journal.torn_tail) journal_.sync();
    if (!journal_existed) sync_directory(dir_);
  }
  journal_events_ = journal.events.size();
  snapshot_due_at_ = snapshot_every_;

  // 5. Hand them over; an exception from fn leaves the state failed: nothing more is written.
  for (const Event* event : order) fn(*event);
  state_ = State::ready;
  ctx_->log().info("replayed {} events from {} ({} from the snapshot, {} from the journal); fsync {}", order.size(),
                   dir_, from_snapshot, order.size() - from_snapshot, to_string(fsync_));
}

void JsonPersistence::append(const Event& event) {
  require_ready("append");
  if (!index_.insert(event.origin, event.seq, log_.size())) {
    ctx_->log().debug("event {}:{} is already stored; ignored", event.origin, event.seq);
    return;
  }
  const std::size_t file = snapshot_file_for(event.service);
  log_.push_back({static_cast<std::uint8_t>(file), snapshot_record(event, file)});
  journal_.add(event);
  ++journal_events_;
  if (fsync_ == FsyncPolicy::always) {
    write_journal();
    journal_.sync();
    journal_unsynced_ = false;
  } else if (journal_.pending_bytes() >= kMaxPendingBytes) {
    write_journal();
  }
}

std::optional<Event> JsonPersistence::read(std::string_view origin, std::uint64_t seq) {
  require_ready("read");
  auto where = index_.find(origin, seq);
  if (!where) return std::nullopt;
  return event_of(log_[*where]);
}

std::vector<Event> JsonPersistence::read_after(std::string_view origin, std::uint64_t after, std::size_t limit) {
  require_ready("read_after");
  std::vector<Event> out;
  for (std::size_t where : index_.after(origin, after, limit)) out.push_back(event_of(log_[where]));
  return out;
}

Event JsonPersistence::event_of(const Entry& entry) const {
  // Made by snapshot_record(), or read and checked at replay: a failure here is a bug.
  Result<Value> record = parse_json(entry.record);
  if (!record) throw std::logic_error("persistence-json: a record kept in memory does not parse: " + record.error().message);
  return event_from_record(record.value(), entry.file).event;
}

void JsonPersistence::write_journal() {
  if (!journal_.has_pending()) return;
  journal_.write_pending();
  journal_unsynced_ = true;
}

void JsonPersistence::flush() {
  require_ready("flush");
  write_journal();
  if (journal_unsynced_ && fsync_ != FsyncPolicy::never) journal_.sync();
  journal_unsynced_ = false;
  if (journal_events_ >= snapshot_due_at_ && !snapshot_posted_) {
    // Not now: the replies of this iteration wait for flush(), and a snapshot rewrites every
    // file. The loop runs it right after them.
    snapshot_posted_ = true;
    ctx_->loop().post(lifeline_.guard([this] {
      snapshot_posted_ = false;
      if (state_ == State::ready && journal_events_ >= snapshot_due_at_) snapshot_now();
    }));
  }
}

void JsonPersistence::snapshot_now() {
  try {
    take_snapshot();
  } catch (const std::exception& e) {
    // The journal still holds every event: nothing is lost, try again later.
    snapshot_due_at_ = journal_events_ + snapshot_every_;
    ctx_->log().error("snapshot of {} failed, the journal keeps every event: {}", dir_, e.what());
  }
}

void JsonPersistence::take_snapshot() {
  const bool sync = fsync_ != FsyncPolicy::never;
  // The journal must hold every event the new files hold that the old ones do not: that is
  // what lets recovery read a mix of old and new files (see the header).
  write_journal();
  if (journal_unsynced_ && sync) journal_.sync();
  journal_unsynced_ = false;

  const auto& files = snapshot_files();
  std::vector<std::size_t> sizes(files.size(), 4);  // "[\n" ... "\n]\n"
  for (const Entry& entry : log_) sizes[entry.file] += entry.record.size() + 24;  // ",\n" and a longer pos
  std::vector<std::string> temps;
  try {
    for (std::size_t file = 0; file < files.size(); ++file) {
      std::string content = "[";
      content.reserve(sizes[file]);
      bool first = true;
      for (std::size_t i = 0; i < log_.size(); ++i) {
        if (log_[i].file != file) continue;
        content += first ? "\n" : ",\n";
        append_with_position(content, log_[i].record, i + 1);
        first = false;
      }
      content += first ? "]\n" : "\n]\n";
      temps.push_back(write_temp_file(path_of(files[file].name), content, sync));
    }
  } catch (...) {
    for (const std::string& temp : temps) remove_file_if_exists(temp);
    throw;
  }
  for (std::size_t file = 0; file < files.size(); ++file) rename_file(temps[file], path_of(files[file].name));
  if (sync) sync_directory(dir_);

  journal_.clear();
  if (sync) journal_.sync();
  journal_events_ = 0;
  snapshot_due_at_ = snapshot_every_;
  snapshot_incomplete_ = false;
  ++snapshots_taken_;
  ctx_->log().debug("snapshot of {} events written to {}", log_.size(), dir_);
}

void JsonPersistence::stop() {
  if (state_ != State::ready) return;  // never write after a failed replay
  try {
    if (journal_events_ > 0 || snapshot_incomplete_) {
      take_snapshot();
    } else {
      write_journal();
      if (journal_unsynced_ && fsync_ != FsyncPolicy::never) journal_.sync();
    }
  } catch (const std::exception& e) {
    ctx_->log().error("persistence-json: writing {} at stop failed: {}", dir_, e.what());
  }
  journal_.close();
  state_ = State::stopped;
}

}  // namespace bib::persistence
