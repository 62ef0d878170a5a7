// persistence-json's checkpoint (docs/persistence.md, "Checkpoints"): checkpoint.bin holds the
// host's state, the next pos, where each
// file's records ended and the last bytes before that end, and the index, with a checksum over
// all of it. It is written through a temporary file and a
// rename, so a crash leaves the old one or the new one. A start that finds it matching the
// files loads the index and scans only what was appended after it; anything else (no file,
// a torn one, files cut shorter or rewritten since, a journal of an older version) means a
// whole replay, and the stale checkpoint is removed.
#include <chrono>
#include <filesystem>
#include <stdexcept>

#include "json_persistence.hpp"
#include "snapshot_files.hpp"

namespace bib::persistence {

namespace {

constexpr std::uint64_t kMagic = 0x31504b434a424942ULL;  // "BIBJCKP1" read as little-endian

}  // namespace

bool JsonPersistence::save_checkpoint(std::string_view host_state) {
  require_ready("save_checkpoint");
  flush();  // every record on disk (and synced, per the policy) before the checkpoint names it
  StateWriter out;
  out.reserve(host_state.size() + 9 * event_count() + 4096);  // the index: about 8 bytes an event
  out.u64(kMagic);
  out.u64(kByteOrderMark);
  out.str(host_state);
  out.u64(next_pos_);
  for (const RecordFile& file : files_) {
    out.u64(file.end());
    out.u64(file.has_records() ? 1 : 0);
    out.str(file.bytes_before_end());
  }
  index_.save(out);
  wait_for_checkpoint_writer();  // one at a time, in order
  checkpoint_writer_ = std::thread([bytes = with_hash(out.take()), path = path_of(kCheckpointName), dir = dir_,
                                    sync = fsync_ != FsyncPolicy::never, log = &ctx_->log()] {
    const auto started = std::chrono::steady_clock::now();
    try {
      rename_file(write_temp_file(path, bytes, sync), path);
      if (sync) sync_directory(dir);
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
      log->info("wrote {} ({} bytes) in {} ms", path, bytes.size(), ms.count());
    } catch (const std::exception& e) {
      log->error("cannot write the checkpoint {} (the previous one stays): {}", path, e.what());
    }
  });
  return true;
}

void JsonPersistence::wait_for_checkpoint_writer() noexcept {
  if (checkpoint_writer_.joinable()) checkpoint_writer_.join();
}

std::optional<std::pair<JsonPersistence::Resume, std::string>> JsonPersistence::read_checkpoint() const {
  const std::string path = path_of(kCheckpointName);
  if (!file_exists(path)) return std::nullopt;
  if (file_exists(path_of(kJournalName))) {
    ctx_->log().warn("{}: an older version's journal is there too; not starting from the checkpoint", dir_);
    return std::nullopt;
  }
  const MappedFile file(path);
  const std::optional<std::string_view> body = without_hash(file.bytes());
  if (!body) {
    ctx_->log().warn("{} is torn or altered (its hash does not match); replaying the whole log", path);
    return std::nullopt;
  }
  try {
    StateReader in(*body);
    if (in.u64() != kMagic || in.u64() != kByteOrderMark) throw std::runtime_error("not this plugin's checkpoint");
    const std::string_view host_state = in.view();
    Resume resume;
    resume.next_pos = in.u64();
    const auto& specs = snapshot_files();
    for (std::size_t f = 0; f < kFiles; ++f) {
      resume.ends.end[f] = in.u64();
      resume.ends.has_records[f] = in.u64() == 1;
      const std::string tail = in.str();
      const std::string file = path_of(specs[f].name);
      if (!file_exists(file)) {
        if (resume.ends.has_records[f]) throw std::runtime_error(file + " is gone");
        continue;
      }
      if (!in_line_layout(file)) throw std::runtime_error(file + " was rewritten in another layout");
      if (resume.ends.has_records[f] && bytes_before(file, resume.ends.end[f]) != tail)
        throw std::runtime_error(file + " no longer holds what the checkpoint saw (cut shorter or rewritten)");
    }
    resume.index.load(in);
    in.expect_end();
    return std::pair{std::move(resume), std::string(host_state)};
  } catch (const std::exception& e) {
    ctx_->log().warn("{} does not match the files, replaying the whole log: {}", path, e.what());
    return std::nullopt;
  }
}

std::optional<std::string> JsonPersistence::load_checkpoint() {
  if (state_ != State::configured) throw std::logic_error("persistence-json: load_checkpoint() must come after configure(), before replay()");
  lock_directory();
  auto loaded = read_checkpoint();
  if (!loaded) return std::nullopt;
  resume_ = std::move(loaded->first);
  return std::move(loaded->second);
}

void JsonPersistence::replay_since_checkpoint(const std::function<void(const Event&)>& fn) {
  if (state_ != State::configured || !resume_)
    throw std::logic_error("persistence-json: replay_since_checkpoint() needs a load_checkpoint() that gave a state");
  state_ = State::failed;  // until the files are open again
  Resume resume = std::move(*resume_);
  resume_.reset();
  index_ = std::move(resume.index);
  next_pos_ = resume.next_pos;
  const auto& specs = snapshot_files();
  std::array<std::optional<RecordScanner>, kFiles> scanners;
  for (std::size_t f = 0; f < kFiles; ++f) {
    const std::string path = path_of(specs[f].name);
    if (!file_exists(path)) continue;
    if (resume.ends.has_records[f])
      scanners[f].emplace(path, f, resume.ends.end[f]);
    else
      scanners[f].emplace(path, f);
  }
  const std::size_t after = merge_and_open(scanners, resume.ends, fn);
  state_ = State::ready;
  ctx_->log().info("opened {} from its checkpoint and {} events stored after it; fsync {}", dir_, after,
                   to_string(fsync_));
}

}  // namespace bib::persistence
