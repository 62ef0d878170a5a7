// persistence-postgres (docs/persistence.md): the event log in a PostgreSQL database, each
// node in a schema of its own, so that one database (a managed one too) holds a whole cluster:
//
//   CREATE TABLE <schema>.events (id BIGSERIAL PRIMARY KEY,        -- the append order
//                                 origin TEXT NOT NULL, seq BIGINT NOT NULL, clock BIGINT NOT NULL,
//                                 timestamp DOUBLE PRECISION NOT NULL, service TEXT NOT NULL,
//                                 data BYTEA NOT NULL,             -- MessagePack (bib::encode)
//                                 request_id TEXT NOT NULL,        -- "" when none
//                                 UNIQUE (origin, seq))
//
//   [[plugins]]
//   name = "persistence-postgres"
//   conninfo = "host=db.example dbname=bib user=bib"  # libpq's; default "": the PG* variables
//   schema = "server-1"                               # default: the node's name
//   fsync = "batch"                                   # "always" | "batch" | "never"
//   dir = "..."                                       # accepted and unused (the stock config
//                                                     # passes it to every persistence plugin)
//
// Appends are kept in memory until flush(), which sends them in one transaction (INSERT ... ON
// CONFLICT DO NOTHING: an (origin, seq) already stored is ignored). The fsync policy maps to
// synchronous_commit:
//   always  on; every append is flushed at once: one commit (one WAL fsync) per event;
//   batch   on; one commit per flush, before the replies go out;
//   never   off: commits return before the WAL reaches the disk (benchmarks).
// A flush that fails (the server restarted, the network broke) keeps its events and throws; the
// next flush reconnects and sends them again, so nothing applied here is missing from the store.
// Replay reads the table through a cursor, in pages, in append order.
// Checkpoints (docs/persistence.md) are a row of <schema>.checkpoint (id 1, last_id, state
// BYTEA), written in the same database as the events; a start from one reads only the rows
// with id > last_id.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bib/context.hpp"
#include "bib/persistence.hpp"
#include "persistence_options.hpp"

namespace bib::persistence {

class PgConnection;
class PgResult;

class PostgresPersistence final : public PersistencePlugin {
 public:
  PostgresPersistence();
  ~PostgresPersistence() override;

  void configure(Context& ctx) override;
  void replay(const std::function<void(const Event&)>& fn) override;
  bool save_checkpoint(std::string_view host_state) override;
  std::optional<std::string> load_checkpoint() override;
  void replay_since_checkpoint(const std::function<void(const Event&)>& fn) override;
  void append(const Event& event) override;
  void flush() override;
  void stop() override;
  // Events appended and not yet sent are found among the pending ones.
  std::optional<Event> read(std::string_view origin, std::uint64_t seq) override;
  std::vector<Event> read_after(std::string_view origin, std::uint64_t after, std::size_t limit) override;

  // Events appended and not yet flushed (for tests).
  std::size_t pending() const noexcept { return pending_.size(); }

 private:
  enum class State { created, configured, ready, failed, stopped };
  // Connects (once) and creates the schema's tables when missing.
  void open_schema();
  // Hands fn every event with id > after, in id order; the store is then ready.
  std::size_t replay_rows(std::uint64_t after, const std::function<void(const Event&)>& fn);
  void require_ready(const char* call) const;
  void connect();
  void insert_pending();
  // A row of SELECT kColumns, in binary format.
  Event event_of_row(const PgResult& rows, int row) const;

  Context* ctx_ = nullptr;
  std::string conninfo_;
  std::string schema_;
  std::string table_;  // quoted: "schema".events
  std::string checkpoint_table_;  // quoted: "schema".checkpoint
  std::optional<std::uint64_t> checkpoint_id_;  // the last event id a loaded checkpoint covers
  FsyncPolicy fsync_ = FsyncPolicy::batch;
  State state_ = State::created;
  std::unique_ptr<PgConnection> db_;
  std::vector<Event> pending_;
};

}  // namespace bib::persistence
