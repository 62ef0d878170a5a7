// persistence-json, the default persistence plugin (docs/persistence.md): the original format's
// four JSON files (plus outros.json for other services), each a JSON array with one record per
// line, appended in place (record_file.hpp), so that a write costs the same however long the
// history is and every file is valid JSON whenever a reader looks.
//
//   [[plugins]]
//   name = "persistence-json"
//   dir = "${BIB_DATA:-data}/"   # created when missing; locked while the plugin runs
//   fsync = "batch"              # "always" | "batch" | "never" (persistence_options.hpp)
//
// Every record carries `pos`, its place in the append order of the whole log (1, 2, 3...
// across the five files). flush() writes each file's new records (one pwrite per file) and
// fdatasyncs the files it wrote, before the replies go out. Recovery:
//   1. a file in another layout (an empty "[]", pretty-printed by a tool) is rewritten in the
//      line layout once; a file that is not a JSON array of records stops start-up;
//   2. each file is read one line at a time; a torn last line is dropped with a warning; a bad
//      line with complete records after it stops start-up (naming the file and line);
//   3. the records are replayed in pos order while pos runs 1, 2, 3... without a gap. A gap is
//      a flush a crash interrupted after it wrote one file and before another: what follows
//      it was never acknowledged, and is cut off the files (so no event of this node's own
//      is ever stored after one of its lost predecessors);
//   4. a journal.jsonl left by an older version (journal + snapshots) has its events that are
//      not in the files appended to them; then it is removed.
// In memory: an index, (origin, seq) -> (file, offset), 8 bytes per event; reads go to disk.
// After a failed replay the plugin writes nothing, so a corrupt file is never overwritten.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <thread>
#include <utility>
#include <string>
#include <vector>

#include "bib/context.hpp"
#include "bib/persistence.hpp"
#include "event_index.hpp"
#include "persistence_options.hpp"
#include "posix_file.hpp"
#include "record_file.hpp"

namespace bib::persistence {

class JsonPersistence final : public PersistencePlugin {
 public:
  // Written by versions before the files were appended in place; read once and removed.
  static constexpr const char* kJournalName = "journal.jsonl";
  // The index and the files' ends at the last checkpoint, with the host's state
  // (json_checkpoint.cpp).
  static constexpr const char* kCheckpointName = "checkpoint.bin";

  JsonPersistence() = default;
  ~JsonPersistence() override;

  void configure(Context& ctx) override;
  void replay(const std::function<void(const Event&)>& fn) override;
  void append(const Event& event) override;
  void flush() override;
  void stop() override;
  std::optional<Event> read(std::string_view origin, std::uint64_t seq) override;
  std::vector<Event> read_after(std::string_view origin, std::uint64_t after, std::size_t limit) override;
  bool save_checkpoint(std::string_view host_state) override;
  std::optional<std::string> load_checkpoint() override;
  void replay_since_checkpoint(const std::function<void(const Event&)>& fn) override;

  // For tests and the benchmark: the events stored (replayed and appended).
  std::uint64_t event_count() const noexcept { return next_pos_ - 1; }
  // Returns once the checkpoint being written in the background, if any, is on disk (or has
  // failed). stop() and save_checkpoint() wait too; tests that copy the files call it.
  void wait_for_checkpoint_writer() noexcept;

 private:
  enum class State { created, configured, ready, failed, stopped };
  static constexpr std::size_t kFiles = 5;

  // Where the files' kept records end, and whether they hold any.
  struct FileEnds {
    std::array<std::uint64_t, kFiles> end;
    std::array<bool, kFiles> has_records{};
    FileEnds() { end.fill(RecordScanner::kFirstRecord); }
  };
  // What load_checkpoint() read, for replay_since_checkpoint().
  struct Resume {
    FileEnds ends;
    std::uint64_t next_pos = 1;
    EventIndex index;
  };

  void lock_directory();
  // Replay steps 2-3 from `scanners` (at the files' starts, or at a checkpoint's ends): hands
  // fn each record in pos order from next_pos_ while there is no gap, then opens the files
  // for appending after the last kept record. Returns how many events fn got.
  std::size_t merge_and_open(std::array<std::optional<RecordScanner>, kFiles>& scanners, FileEnds ends,
                             const std::function<void(const Event&)>& fn);
  // The checkpoint file's contents when it matches the files; nothing (and a warning) else.
  std::optional<std::pair<Resume, std::string>> read_checkpoint() const;
  std::string path_of(const char* name) const;
  void require_ready(const char* call) const;
  // Queues the event's record in its file and indexes it.
  void add_record(const Event& event);
  void write_pending();  // every file's queued records, unsynced
  void sync_written();   // fdatasync of each file written since the last sync
  // Returns how many events it handed to fn.
  std::size_t migrate_journal(const std::function<void(const Event&)>& fn);
  Event event_at(std::uint64_t location) const;

  Context* ctx_ = nullptr;
  std::string dir_;
  FsyncPolicy fsync_ = FsyncPolicy::batch;

  State state_ = State::created;
  DirectoryLock lock_;
  bool locked_ = false;
  std::optional<Resume> resume_;  // from load_checkpoint()
  // Writes checkpoint.bin off the loop thread: a large one takes seconds to reach the disk,
  // which the requests must not wait for. Joined before the next one, and at stop.
  std::thread checkpoint_writer_;
  std::array<RecordFile, 5> files_;          // in snapshot_files() order
  std::array<bool, 5> unsynced_{};           // written since the last fdatasync
  std::size_t pending_bytes_ = 0;
  std::uint64_t next_pos_ = 1;
  EventIndex index_;  // (origin, seq) -> file << 56 | offset
};

}  // namespace bib::persistence
