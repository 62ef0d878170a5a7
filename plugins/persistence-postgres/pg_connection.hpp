// A thin RAII layer over libpq for persistence-postgres: one connection, and the results of
// the statements it runs. Every error throws std::runtime_error with what PostgreSQL said,
// prefixed with what was being done:
//   postgres: connecting (host=/tmp/pg dbname=bib): connection to server ... failed: ...
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace bib::persistence {

// One statement's result; rows are read by index. Cells of binary results are raw bytes.
class PgResult {
 public:
  explicit PgResult(pg_result* result) : result_(result) {}
  int rows() const;
  std::string_view cell(int row, int column) const;
  bool is_null(int row, int column) const;

 private:
  struct Clear {
    void operator()(pg_result* result) const;
  };
  std::unique_ptr<pg_result, Clear> result_;
};

// A parameter of a statement: text, or raw bytes (bytea, sent in binary format).
struct PgParam {
  std::string value;
  bool binary = false;
};

class PgConnection {
 public:
  // Connects at once; conninfo is libpq's ("host=... dbname=...", or a URI; "" takes
  // everything from the PG* environment variables, as psql does).
  explicit PgConnection(std::string conninfo);
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();

  // A statement without parameters (several, separated by ';', are allowed).
  void exec(const std::string& sql, const char* doing);
  // One statement with $1.. parameters; results in text format, or binary when asked.
  PgResult exec(const std::string& sql, const std::vector<PgParam>& params, const char* doing,
                bool binary_results = false);
  // False once the server closed the connection or it broke.
  bool healthy() const;
  // Connects again (after the server restarted); throws when it cannot.
  void reconnect();
  // SQL quoting of a name: schema "server-1" -> "\"server-1\"".
  std::string quote_identifier(std::string_view name) const;
  const std::string& conninfo() const noexcept { return conninfo_; }

 private:
  [[noreturn]] void fail(const char* doing) const;
  // The result when the statement succeeded; else throws "postgres: <doing>: <message>".
  PgResult checked(pg_result* raw, const char* doing) const;

  std::string conninfo_;
  pg_conn* conn_ = nullptr;
};

}  // namespace bib::persistence
