#include "postgres_persistence.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <stdexcept>

#include "bib/codec.hpp"
#include "bib/options.hpp"
#include "pg_connection.hpp"

namespace bib::persistence {

namespace {

// Rows per INSERT: 7 parameters each, far below PostgreSQL's 65535 parameters per statement.
constexpr std::size_t kRowsPerInsert = 1000;
// Rows per FETCH while replaying: bounded memory whatever the table's size.
constexpr int kRowsPerFetch = 5000;
// What event_of_row() reads, in this order.
constexpr const char* kColumns = "id, origin, seq, clock, timestamp, service, data, request_id";
// Our own data: bounds generous enough for anything the host ever accepted.
const DecodeLimits kStoredDataLimits{std::size_t{1} << 30, 64, std::size_t{1} << 24};

std::string number_text(std::uint64_t n) { return std::to_string(n); }

// The shortest text that reads back as exactly this double (std::to_chars round-trips).
std::string number_text(double x) {
  char buffer[64];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, x).ptr;
  return std::string(buffer, end);
}

// Binary result cells: integers and floats in network byte order.
std::uint64_t big_endian_u64(std::string_view cell) {
  if (cell.size() != 8) throw std::runtime_error("a BIGINT cell of " + std::to_string(cell.size()) + " bytes");
  std::uint64_t n = 0;
  for (unsigned char c : cell) n = (n << 8) | c;
  return n;
}

double big_endian_double(std::string_view cell) {
  const std::uint64_t bits = big_endian_u64(cell);
  double x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

}  // namespace

PostgresPersistence::PostgresPersistence() = default;

PostgresPersistence::~PostgresPersistence() {
  if (state_ != State::ready || pending_.empty()) return;
  try {
    insert_pending();  // destroyed without stop(): keep what was appended
  } catch (const std::exception& e) {
    if (ctx_ != nullptr) ctx_->log().error("{}", e.what());
  }
}

void PostgresPersistence::configure(Context& ctx) {
  ctx_ = &ctx;
  const Value& config = ctx.config();
  require_known_options(config, {"dir", "fsync", "conninfo", "schema"});
  read_options([&] {
    conninfo_ = config.opt_string("conninfo").value_or("");
    schema_ = config.opt_string("schema").value_or(ctx.node_name());
  });
  if (schema_.empty()) throw std::invalid_argument("option 'schema' must not be empty");
  fsync_ = fsync_option(config);
  state_ = State::configured;
}

void PostgresPersistence::require_ready(const char* call) const {
  if (state_ != State::ready)
    throw std::logic_error(std::string("persistence-postgres: ") + call + "() before a successful replay() (or after stop())");
}

void PostgresPersistence::connect() {
  if (db_ == nullptr)
    db_ = std::make_unique<PgConnection>(conninfo_);
  else
    db_->reconnect();
  db_->exec(fsync_ == FsyncPolicy::never ? "SET synchronous_commit = off" : "SET synchronous_commit = on",
            "setting synchronous_commit");
}

void PostgresPersistence::open_schema() {
  if (!table_.empty()) return;
  connect();
  const std::string schema = db_->quote_identifier(schema_);
  db_->exec("CREATE SCHEMA IF NOT EXISTS " + schema + "; CREATE TABLE IF NOT EXISTS " + schema + ".events" +
                " (id BIGSERIAL PRIMARY KEY, origin TEXT NOT NULL, seq BIGINT NOT NULL, clock BIGINT NOT NULL, "
                "timestamp DOUBLE PRECISION NOT NULL, service TEXT NOT NULL, data BYTEA NOT NULL, "
                "request_id TEXT NOT NULL, UNIQUE (origin, seq)); CREATE TABLE IF NOT EXISTS " + schema +
                ".checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), last_id BIGINT NOT NULL, state BYTEA NOT NULL)",
            "creating the schema");
  table_ = schema + ".events";
  checkpoint_table_ = schema + ".checkpoint";
}

void PostgresPersistence::replay(const std::function<void(const Event&)>& fn) {
  if (state_ != State::configured) throw std::logic_error("persistence-postgres: replay() must come once, after configure()");
  state_ = State::failed;  // until every row is read and handed over
  open_schema();
  const std::size_t count = replay_rows(0, fn);
  ctx_->log().info("replayed {} events from {} (schema {}); fsync {}", count,
                   conninfo_.empty() ? std::string("the PG* environment") : conninfo_, schema_, to_string(fsync_));
}

void PostgresPersistence::replay_since_checkpoint(const std::function<void(const Event&)>& fn) {
  if (state_ != State::configured || !checkpoint_id_)
    throw std::logic_error("persistence-postgres: replay_since_checkpoint() needs a load_checkpoint() that gave a state");
  state_ = State::failed;
  const std::size_t count = replay_rows(*checkpoint_id_, fn);
  ctx_->log().info("opened schema {} from its checkpoint and {} events stored after it; fsync {}", schema_, count,
                   to_string(fsync_));
}

std::size_t PostgresPersistence::replay_rows(std::uint64_t after, const std::function<void(const Event&)>& fn) {
  std::size_t count = 0;
  db_->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; DECLARE bib_replay NO SCROLL CURSOR FOR "
            "SELECT " + std::string(kColumns) + " FROM " + table_ + " WHERE id > " + std::to_string(after) +
                " ORDER BY id",
            "reading the events");
  for (;;) {
    PgResult page = db_->exec("FETCH FORWARD " + std::to_string(kRowsPerFetch) + " FROM bib_replay", {},
                              "reading the events", /*binary_results=*/true);
    if (page.rows() == 0) break;
    for (int row = 0; row < page.rows(); ++row) {
      fn(event_of_row(page, row));
      ++count;
    }
  }
  db_->exec("CLOSE bib_replay; COMMIT", "reading the events");
  state_ = State::ready;
  return count;
}

bool PostgresPersistence::save_checkpoint(std::string_view host_state) {
  require_ready("save_checkpoint");
  flush();
  db_->exec("INSERT INTO " + checkpoint_table_ + " (id, last_id, state) SELECT 1, coalesce(max(id), 0), $1 FROM " +
                table_ + " ON CONFLICT (id) DO UPDATE SET last_id = EXCLUDED.last_id, state = EXCLUDED.state",
            {PgParam{std::string(host_state), true}}, "saving the checkpoint");
  return true;
}

std::optional<std::string> PostgresPersistence::load_checkpoint() {
  if (state_ != State::configured)
    throw std::logic_error("persistence-postgres: load_checkpoint() must come after configure(), before replay()");
  open_schema();
  PgResult row = db_->exec("SELECT last_id, state FROM " + checkpoint_table_ + " WHERE id = 1", {},
                           "reading the checkpoint", /*binary_results=*/true);
  if (row.rows() == 0) return std::nullopt;
  checkpoint_id_ = big_endian_u64(row.cell(0, 0));
  return std::string(row.cell(0, 1));
}

Event PostgresPersistence::event_of_row(const PgResult& rows, int row) const {
  const std::uint64_t id = big_endian_u64(rows.cell(row, 0));
  Event event;
  event.origin = std::string(rows.cell(row, 1));
  event.seq = big_endian_u64(rows.cell(row, 2));
  event.clock = big_endian_u64(rows.cell(row, 3));
  event.timestamp = big_endian_double(rows.cell(row, 4));
  event.service = std::string(rows.cell(row, 5));
  Result<Value> data = decode(rows.cell(row, 6), kStoredDataLimits);
  if (!data)
    throw std::runtime_error("postgres: " + table_ + ": corrupt event at id " + std::to_string(id) + ": data: " +
                             data.error().message);
  event.data = std::move(data).value();
  event.request_id = std::string(rows.cell(row, 7));
  return event;
}

std::optional<Event> PostgresPersistence::read(std::string_view origin, std::uint64_t seq) {
  require_ready("read");
  for (const Event& event : pending_)
    if (event.seq == seq && event.origin == origin) return event;
  if (!db_->healthy()) connect();
  PgResult rows = db_->exec("SELECT " + std::string(kColumns) + " FROM " + table_ + " WHERE origin = $1 AND seq = $2",
                            {{std::string(origin)}, {number_text(seq)}}, "reading an event", /*binary_results=*/true);
  if (rows.rows() == 0) return std::nullopt;
  return event_of_row(rows, 0);
}

std::vector<Event> PostgresPersistence::read_after(std::string_view origin, std::uint64_t after, std::size_t limit) {
  require_ready("read_after");
  if (!db_->healthy()) connect();
  PgResult rows = db_->exec("SELECT " + std::string(kColumns) + " FROM " + table_ +
                                " WHERE origin = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                            {{std::string(origin)}, {number_text(after)}, {number_text(limit)}}, "reading events",
                            /*binary_results=*/true);
  std::vector<Event> out;
  for (int row = 0; row < rows.rows(); ++row) out.push_back(event_of_row(rows, row));
  // Appended and not yet sent: they belong in the answer too, in seq order, each once.
  bool merged = false;
  for (const Event& event : pending_) {
    if (event.origin != origin || event.seq <= after) continue;
    const bool stored = std::any_of(out.begin(), out.end(), [&](const Event& e) { return e.seq == event.seq; });
    if (!stored) out.push_back(event), merged = true;
  }
  if (merged) {
    std::sort(out.begin(), out.end(), [](const Event& a, const Event& b) { return a.seq < b.seq; });
    if (out.size() > limit) out.resize(limit);
  }
  return out;
}

void PostgresPersistence::append(const Event& event) {
  require_ready("append");
  pending_.push_back(event);
  if (fsync_ == FsyncPolicy::always) flush();
}

void PostgresPersistence::insert_pending() {
  if (!db_->healthy()) connect();
  const bool one_statement = pending_.size() <= kRowsPerInsert;
  if (!one_statement) db_->exec("BEGIN", "storing events");
  for (std::size_t first = 0; first < pending_.size(); first += kRowsPerInsert) {
    const std::size_t last = std::min(pending_.size(), first + kRowsPerInsert);
    std::string sql = "INSERT INTO " + table_ + " (origin, seq, clock, timestamp, service, data, request_id) VALUES ";
    std::vector<PgParam> params;
    params.reserve((last - first) * 7);
    for (std::size_t i = first; i < last; ++i) {
      const Event& e = pending_[i];
      const std::size_t p = params.size();
      sql += (i == first ? "(" : ",(");
      for (std::size_t k = 1; k <= 7; ++k) sql += "$" + std::to_string(p + k) + (k < 7 ? "," : ")");
      params.push_back({e.origin});
      params.push_back({number_text(e.seq)});
      params.push_back({number_text(e.clock)});
      params.push_back({number_text(e.timestamp)});
      params.push_back({e.service});
      params.push_back({encode(e.data), /*binary=*/true});
      params.push_back({e.request_id});
    }
    sql += " ON CONFLICT (origin, seq) DO NOTHING";
    db_->exec(sql, params, "storing events");
  }
  if (!one_statement) db_->exec("COMMIT", "storing events");
  pending_.clear();
}

void PostgresPersistence::flush() {
  require_ready("flush");
  if (pending_.empty()) return;
  try {
    insert_pending();
  } catch (const std::exception&) {
    // Kept for the next flush; a transaction left open is rolled back by the reconnect, or here.
    if (db_->healthy()) {
      try {
        db_->exec("ROLLBACK", "rolling back");
      } catch (const std::exception&) {
      }
    }
    throw;
  }
}

void PostgresPersistence::stop() {
  if (state_ == State::ready) {
    try {
      if (!pending_.empty()) insert_pending();
    } catch (const std::exception& e) {
      ctx_->log().error("{} ({} event(s) not stored)", e.what(), pending_.size());
    }
    state_ = State::stopped;
  }
  db_.reset();
}

}  // namespace bib::persistence
