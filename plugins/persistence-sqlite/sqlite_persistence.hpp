// persistence-sqlite (docs/architecture.md): the event log in one WAL-mode SQLite database,
// <dir>/events.db, one row per event:
//
//   CREATE TABLE events (origin TEXT NOT NULL, seq INTEGER NOT NULL, clock INTEGER NOT NULL,
//                        timestamp REAL NOT NULL, service TEXT NOT NULL,
//                        data BLOB NOT NULL,          -- the event's data, MessagePack (bib::encode)
//                        request_id TEXT NOT NULL,    -- "" when none
//                        PRIMARY KEY (origin, seq))
//
//   [[plugins]]
//   name = "persistence-sqlite"
//   dir = "${BIB_DATA:-data}/"   # created when missing
//   fsync = "batch"              # "always" | "batch" | "never"
//
// append() is INSERT OR IGNORE, so an (origin, seq) already stored is ignored; replay goes
// in insertion order (rowid). The fsync policy maps to transactions and PRAGMA synchronous:
//   always  synchronous = FULL, every append its own transaction: one WAL fsync per event;
//   batch   synchronous = FULL, BEGIN at the first append after a flush, COMMIT in flush():
//           one WAL fsync per flush, before the replies go out;
//   never   synchronous = OFF, transactions as in batch, no fsync.
// (synchronous = NORMAL would not do for batch: in WAL mode it does not sync at COMMIT, so a
// power cut could lose writes already answered.)
// A database SQLite cannot read, or that fails PRAGMA quick_check, stops start-up: replay()
// throws naming the file. Nothing is written to it then.
//
// Checkpoints (docs/persistence.md) live in the same database, so they commit with the
// events they describe:
//   CREATE TABLE checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), last_rowid INTEGER NOT NULL,
//                            last_origin TEXT NOT NULL, last_seq INTEGER NOT NULL, state BLOB NOT NULL)
// A start from one reads only the rows after last_rowid (whose row must still be that event),
// and skips quick_check, which reads the whole file; a whole replay runs it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "bib/context.hpp"
#include "bib/persistence.hpp"
#include "persistence_options.hpp"
#include "sqlite_db.hpp"

namespace bib::persistence {

class SqlitePersistence final : public PersistencePlugin {
 public:
  static constexpr const char* kFileName = "events.db";

  SqlitePersistence();
  ~SqlitePersistence() override;

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

 private:
  struct Open;  // the connection and its prepared statements
  enum class State { created, configured, ready, failed, stopped };

  void require_ready(const char* call) const;
  // Opens the database (once), WAL mode, the schema; quick_check when asked.
  void open_database(bool check);
  // Hands fn every row after rowid `after`, in rowid order, then prepares the statements.
  std::size_t replay_rows(std::int64_t after, const std::function<void(const Event&)>& fn);
  void commit();
  // A row of SELECT kColumns.
  Event event_of_row(Statement& row) const;

  Context* ctx_ = nullptr;
  std::string dir_;
  std::string path_;
  FsyncPolicy fsync_ = FsyncPolicy::batch;
  State state_ = State::created;
  std::unique_ptr<Open> db_;
  std::optional<std::int64_t> checkpoint_rowid_;  // from load_checkpoint()
};

}  // namespace bib::persistence
