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

  JsonPersistence() = default;
  ~JsonPersistence() override;

  void configure(Context& ctx) override;
  void replay(const std::function<void(const Event&)>& fn) override;
  void append(const Event& event) override;
  void flush() override;
  void stop() override;
  std::optional<Event> read(std::string_view origin, std::uint64_t seq) override;
  std::vector<Event> read_after(std::string_view origin, std::uint64_t after, std::size_t limit) override;

  // For tests and the benchmark: the events stored (replayed and appended).
  std::uint64_t event_count() const noexcept { return next_pos_ - 1; }

 private:
  enum class State { created, configured, ready, failed, stopped };

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
  std::array<RecordFile, 5> files_;          // in snapshot_files() order
  std::array<bool, 5> unsynced_{};           // written since the last fdatasync
  std::size_t pending_bytes_ = 0;
  std::uint64_t next_pos_ = 1;
  EventIndex index_;  // (origin, seq) -> file << 56 | offset
};

}  // namespace bib::persistence
