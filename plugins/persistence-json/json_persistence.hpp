// persistence-json, the default persistence plugin (docs/architecture.md): the original format's
// four JSON files (plus outros.json for other services) written as snapshots, and an
// append-only journal so that an append costs O(1). Formats: snapshot_files.hpp, journal.hpp.
//
//   [[plugins]]
//   name = "persistence-json"
//   dir = "${BIB_DATA:-data}/"   # created when missing; locked while the plugin runs
//   fsync = "batch"              # "always" | "batch" | "never" (persistence_options.hpp)
//   snapshot_every = 10000       # snapshot when the journal holds this many events (run from
//                                # the loop after the flush that saw it, and at stop())
//
// Durable state = the snapshot files + the journal (the events appended since the snapshot).
// A snapshot writes every file to <name>.tmp (fsync), renames each over the old one, fsyncs
// the directory, and only then empties the journal. A crash anywhere in between leaves a
// mix of old and new snapshot files and the whole journal, and recovery reads it right:
//   1. load the five snapshot files (missing = empty); a file that is not valid JSON or has
//      a bad record stops start-up (replay throws, naming the file and record);
//   2. read the journal; a torn last line is dropped with a warning and cut off the file; a
//      bad line before it stops start-up (naming the file and line);
//   3. replay the snapshot records in `pos` order, leaving out those whose (origin, seq) is
//      also in the journal (they are from the interrupted snapshot), then the journal in line
//      order: every event once, in the order it was appended. (origin, seq) seen twice is
//      replayed once.
// After a failed replay the plugin writes nothing, so a corrupt file is never overwritten.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bib/context.hpp"
#include "bib/lifeline.hpp"
#include "bib/persistence.hpp"
#include "event_index.hpp"
#include "journal.hpp"
#include "persistence_options.hpp"
#include "posix_file.hpp"

namespace bib::persistence {

class JsonPersistence final : public PersistencePlugin {
 public:
  static constexpr const char* kJournalName = "journal.jsonl";
  static constexpr std::int64_t kDefaultSnapshotEvery = 10000;

  JsonPersistence() = default;
  ~JsonPersistence() override;

  void configure(Context& ctx) override;
  void replay(const std::function<void(const Event&)>& fn) override;
  void append(const Event& event) override;
  void flush() override;
  void stop() override;
  // From the record text kept in memory (docs/persistence.md says what that costs).
  std::optional<Event> read(std::string_view origin, std::uint64_t seq) override;
  std::vector<Event> read_after(std::string_view origin, std::uint64_t after, std::size_t limit) override;

  // For tests and the benchmark.
  std::size_t event_count() const noexcept { return log_.size(); }
  std::size_t journal_events() const noexcept { return journal_events_; }
  std::size_t snapshots_taken() const noexcept { return snapshots_taken_; }

 private:
  enum class State { created, configured, ready, failed, stopped };
  // One stored event as its snapshot record (without pos), in append order.
  struct Entry {
    std::uint8_t file;
    std::string record;
  };

  std::string path_of(const char* name) const;
  void require_ready(const char* call) const;
  Event event_of(const Entry& entry) const;
  void write_journal();
  void snapshot_now();   // take_snapshot(), logging a failure
  void take_snapshot();  // throws

  Context* ctx_ = nullptr;
  std::string dir_;
  FsyncPolicy fsync_ = FsyncPolicy::batch;
  std::size_t snapshot_every_ = kDefaultSnapshotEvery;

  State state_ = State::created;
  DirectoryLock lock_;
  JournalWriter journal_;
  bool journal_unsynced_ = false;        // written since the last fdatasync
  std::size_t journal_events_ = 0;       // events in the journal: appended since the snapshot
  std::size_t snapshot_due_at_ = 0;      // journal_events_ that triggers the next snapshot
  bool snapshot_incomplete_ = false;     // a snapshot file is missing: write them at stop()
  bool snapshot_posted_ = false;         // a snapshot waits in the loop
  bib::Lifeline lifeline_;               // posted work does nothing once the plugin is gone
  std::size_t snapshots_taken_ = 0;
  std::vector<Entry> log_;
  EventIndex index_;  // into log_
};

}  // namespace bib::persistence
