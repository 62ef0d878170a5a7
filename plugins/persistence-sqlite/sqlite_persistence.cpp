#include "sqlite_persistence.hpp"

#include <filesystem>
#include <stdexcept>

#include "bib/codec.hpp"
#include "bib/options.hpp"

namespace bib::persistence {

namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS events ("
    "origin TEXT NOT NULL, seq INTEGER NOT NULL, clock INTEGER NOT NULL, timestamp REAL NOT NULL, "
    "service TEXT NOT NULL, data BLOB NOT NULL, request_id TEXT NOT NULL, PRIMARY KEY (origin, seq));"
    "CREATE TABLE IF NOT EXISTS checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), last_rowid INTEGER NOT NULL, "
    "last_origin TEXT NOT NULL, last_seq INTEGER NOT NULL, state BLOB NOT NULL)";

// What event_of_row() reads, in this order. (Statement keeps the SQL's pointer: literals only.)
#define BIB_EVENT_COLUMNS "rowid, origin, seq, clock, timestamp, service, data, request_id"
constexpr const char* kSelectFrom = "SELECT " BIB_EVENT_COLUMNS " FROM events WHERE rowid > ?1 ORDER BY rowid";
constexpr const char* kSelectOne = "SELECT " BIB_EVENT_COLUMNS " FROM events WHERE origin = ?1 AND seq = ?2";
constexpr const char* kSelectAfter =
    "SELECT " BIB_EVENT_COLUMNS " FROM events WHERE origin = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";
#undef BIB_EVENT_COLUMNS

// Resets a statement when a read is over, however it ends.
struct ResetWhenDone {
  Statement& statement;
  ~ResetWhenDone() { statement.reset(); }
};
// Our own data: bounds generous enough for anything the host ever accepted.
const DecodeLimits kStoredDataLimits{std::size_t{1} << 30, 64, std::size_t{1} << 24};

}  // namespace

struct SqlitePersistence::Open {
  explicit Open(const std::string& path) : db(path) {}
  Database db;
  std::unique_ptr<Statement> insert;
  std::unique_ptr<Statement> read;
  std::unique_ptr<Statement> read_after;
  std::unique_ptr<Statement> begin;
  std::unique_ptr<Statement> commit;
};

SqlitePersistence::SqlitePersistence() = default;

SqlitePersistence::~SqlitePersistence() {
  if (state_ != State::ready) return;
  try {
    commit();  // destroyed without stop(): keep what was appended
  } catch (const std::exception& e) {
    if (ctx_ != nullptr) ctx_->log().error("{}", e.what());
  }
}

void SqlitePersistence::configure(Context& ctx) {
  ctx_ = &ctx;
  require_known_options(ctx.config(), {"dir", "fsync"});
  dir_ = dir_option(ctx.config(), ctx.node_name());
  fsync_ = fsync_option(ctx.config());
  path_ = (std::filesystem::path(dir_) / kFileName).string();
  state_ = State::configured;
}

void SqlitePersistence::require_ready(const char* call) const {
  if (state_ != State::ready)
    throw std::logic_error(std::string("persistence-sqlite: ") + call + "() before a successful replay() (or after stop())");
}

void SqlitePersistence::open_database(bool check) {
  if (db_) return;
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) throw std::runtime_error("cannot create directory " + dir_ + ": " + ec.message());

  db_ = std::make_unique<Open>(path_);
  Database& db = db_->db;
  // The first statement reads the header: a file that is not a database fails here.
  {
    Statement mode(db, "PRAGMA journal_mode = WAL");
    if (!mode.step() || mode.column_text(0) != "wal")
      throw std::runtime_error(path_ + ": cannot switch to WAL mode");
  }
  if (check) {
    Statement quick_check(db, "PRAGMA quick_check");
    if (!quick_check.step() || quick_check.column_text(0) != "ok")
      throw std::runtime_error(path_ + ": database is corrupt: " + quick_check.column_text(0));
  }
  db.exec(fsync_ == FsyncPolicy::never ? "PRAGMA synchronous = OFF" : "PRAGMA synchronous = FULL");
  db.exec(kSchema);
}

void SqlitePersistence::replay(const std::function<void(const Event&)>& fn) {
  if (state_ != State::configured) throw std::logic_error("persistence-sqlite: replay() must come once, after configure()");
  state_ = State::failed;  // until every row is read and handed over
  checkpoint_rowid_.reset();
  if (db_) db_.reset();  // opened by load_checkpoint() without the check: open again with it
  open_database(true);
  const std::size_t count = replay_rows(0, fn);
  state_ = State::ready;
  ctx_->log().info("replayed {} events from {}; fsync {}", count, path_, to_string(fsync_));
}

void SqlitePersistence::replay_since_checkpoint(const std::function<void(const Event&)>& fn) {
  if (state_ != State::configured || !checkpoint_rowid_)
    throw std::logic_error("persistence-sqlite: replay_since_checkpoint() needs a load_checkpoint() that gave a state");
  state_ = State::failed;
  const std::size_t count = replay_rows(*checkpoint_rowid_, fn);
  state_ = State::ready;
  ctx_->log().info("opened {} from its checkpoint and {} events stored after it; fsync {}", path_, count,
                   to_string(fsync_));
}

std::size_t SqlitePersistence::replay_rows(std::int64_t after, const std::function<void(const Event&)>& fn) {
  Database& db = db_->db;
  std::size_t count = 0;
  {
    Statement select(db, kSelectFrom);
    select.bind(1, after);
    while (select.step()) {
      fn(event_of_row(select));
      ++count;
    }
  }
  db_->insert = std::make_unique<Statement>(
      db, "INSERT OR IGNORE INTO events (origin, seq, clock, timestamp, service, data, request_id) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  db_->read = std::make_unique<Statement>(db, kSelectOne);
  db_->read_after = std::make_unique<Statement>(db, kSelectAfter);
  db_->begin = std::make_unique<Statement>(db, "BEGIN");
  db_->commit = std::make_unique<Statement>(db, "COMMIT");
  return count;
}

bool SqlitePersistence::save_checkpoint(std::string_view host_state) {
  require_ready("save_checkpoint");
  commit();
  Database& db = db_->db;
  Statement last(db, "SELECT rowid, origin, seq FROM events ORDER BY rowid DESC LIMIT 1");
  const bool any = last.step();
  Statement save(db, "INSERT OR REPLACE INTO checkpoint (id, last_rowid, last_origin, last_seq, state) "
                     "VALUES (1, ?1, ?2, ?3, ?4)");
  save.bind(1, any ? last.column_int(0) : std::int64_t{0});
  save.bind(2, any ? last.column_text(1) : std::string());
  save.bind(3, any ? last.column_int(2) : std::int64_t{0});
  save.bind_blob(4, host_state);
  save.step();  // autocommit: durable per PRAGMA synchronous, like the events
  return true;
}

std::optional<std::string> SqlitePersistence::load_checkpoint() {
  if (state_ != State::configured) throw std::logic_error("persistence-sqlite: load_checkpoint() must come after configure(), before replay()");
  open_database(false);
  Database& db = db_->db;
  Statement saved(db, "SELECT last_rowid, last_origin, last_seq, state FROM checkpoint WHERE id = 1");
  if (!saved.step()) return std::nullopt;
  const std::int64_t rowid = saved.column_int(0);
  if (rowid > 0) {
    // The row it ended at must still be that event (a VACUUM may renumber rows).
    Statement row(db, "SELECT origin, seq FROM events WHERE rowid = ?1");
    row.bind(1, rowid);
    if (!row.step() || row.column_text(0) != saved.column_text(1) || row.column_int(1) != saved.column_int(2)) {
      ctx_->log().warn("{}: the checkpoint no longer matches the events (renumbered?); replaying the whole log", path_);
      return std::nullopt;
    }
  }
  checkpoint_rowid_ = rowid;
  return std::string(saved.column_blob(3));
}

Event SqlitePersistence::event_of_row(Statement& row) const {
  const std::int64_t rowid = row.column_int(0);
  Event event;
  event.origin = row.column_text(1);
  const std::int64_t seq = row.column_int(2);
  const std::int64_t clock = row.column_int(3);
  if (seq < 0 || clock < 0)
    throw std::runtime_error(path_ + ": corrupt event at rowid " + std::to_string(rowid) + ": negative seq or clock");
  event.seq = static_cast<std::uint64_t>(seq);
  event.clock = static_cast<std::uint64_t>(clock);
  event.timestamp = row.column_double(4);
  event.service = row.column_text(5);
  Result<Value> data = decode(row.column_blob(6), kStoredDataLimits);
  if (!data)
    throw std::runtime_error(path_ + ": corrupt event at rowid " + std::to_string(rowid) + ": data: " +
                             data.error().message);
  event.data = std::move(data).value();
  event.request_id = row.column_text(7);
  return event;
}

// Reads see the open transaction's rows: appended events are found before the flush.
std::optional<Event> SqlitePersistence::read(std::string_view origin, std::uint64_t seq) {
  require_ready("read");
  Statement& read = *db_->read;
  ResetWhenDone done{read};
  read.bind(1, origin);
  read.bind(2, static_cast<std::int64_t>(seq));
  if (!read.step()) return std::nullopt;
  return event_of_row(read);
}

std::vector<Event> SqlitePersistence::read_after(std::string_view origin, std::uint64_t after, std::size_t limit) {
  require_ready("read_after");
  Statement& read = *db_->read_after;
  ResetWhenDone done{read};
  read.bind(1, origin);
  read.bind(2, static_cast<std::int64_t>(after));
  read.bind(3, static_cast<std::int64_t>(limit));
  std::vector<Event> out;
  while (read.step()) out.push_back(event_of_row(read));
  return out;
}

void SqlitePersistence::append(const Event& event) {
  require_ready("append");
  Open& open = *db_;
  // always: autocommit, one transaction (and one fsync) per insert.
  if (fsync_ != FsyncPolicy::always && !open.db.in_transaction()) {
    open.begin->step();
    open.begin->reset();
  }
  Statement& insert = *open.insert;
  insert.bind(1, event.origin);
  insert.bind(2, static_cast<std::int64_t>(event.seq));
  insert.bind(3, static_cast<std::int64_t>(event.clock));
  insert.bind(4, event.timestamp);
  insert.bind(5, event.service);
  insert.bind_blob(6, encode(event.data));
  insert.bind(7, event.request_id);
  insert.step();
  insert.reset();
  if (open.db.changes() == 0) ctx_->log().debug("event {}:{} is already stored; ignored", event.origin, event.seq);
}

void SqlitePersistence::commit() {
  if (!db_->db.in_transaction()) return;
  db_->commit->step();
  db_->commit->reset();
}

void SqlitePersistence::flush() {
  require_ready("flush");
  commit();
}

void SqlitePersistence::stop() {
  if (state_ == State::ready) {
    try {
      commit();
    } catch (const std::exception& e) {
      ctx_->log().error("{}", e.what());
    }
    state_ = State::stopped;
  }
  db_.reset();  // statements first, then the connection (which checkpoints the WAL)
}

}  // namespace bib::persistence
