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
    "service TEXT NOT NULL, data BLOB NOT NULL, request_id TEXT NOT NULL, PRIMARY KEY (origin, seq))";

// What event_of_row() reads, in this order. (Statement keeps the SQL's pointer: literals only.)
#define BIB_EVENT_COLUMNS "rowid, origin, seq, clock, timestamp, service, data, request_id"
constexpr const char* kSelectAll = "SELECT " BIB_EVENT_COLUMNS " FROM events ORDER BY rowid";
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

void SqlitePersistence::replay(const std::function<void(const Event&)>& fn) {
  if (state_ != State::configured) throw std::logic_error("persistence-sqlite: replay() must come once, after configure()");
  state_ = State::failed;  // until every row is read and handed over

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
  {
    Statement check(db, "PRAGMA quick_check");
    if (!check.step() || check.column_text(0) != "ok")
      throw std::runtime_error(path_ + ": database is corrupt: " + check.column_text(0));
  }
  db.exec(fsync_ == FsyncPolicy::never ? "PRAGMA synchronous = OFF" : "PRAGMA synchronous = FULL");
  db.exec(kSchema);

  std::size_t count = 0;
  {
    Statement select(db, kSelectAll);
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
  state_ = State::ready;
  ctx_->log().info("replayed {} events from {}; fsync {}", count, path_, to_string(fsync_));
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
