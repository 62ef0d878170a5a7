#include "pg_connection.hpp"

#include <libpq-fe.h>

#include <stdexcept>

namespace bib::persistence {

namespace {

// libpq's messages end with a newline; ours are one line.
std::string trimmed(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (char& c : text)
    if (c == '\n') c = ' ';
  return text;
}

bool succeeded(const PGresult* result) {
  const ExecStatusType status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

}  // namespace

void PgResult::Clear::operator()(pg_result* result) const { PQclear(result); }

int PgResult::rows() const { return PQntuples(result_.get()); }

std::string_view PgResult::cell(int row, int column) const {
  return {PQgetvalue(result_.get(), row, column), static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}

bool PgResult::is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }

PgConnection::PgConnection(std::string conninfo) : conninfo_(std::move(conninfo)) { reconnect(); }

PgConnection::~PgConnection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

void PgConnection::reconnect() {
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = nullptr;
  conn_ = PQconnectdb(conninfo_.c_str());
  if (conn_ == nullptr) throw std::runtime_error("postgres: connecting: out of memory");
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string message = trimmed(PQerrorMessage(conn_));
    // Freed here: a constructor that throws runs no destructor.
    PQfinish(conn_);
    conn_ = nullptr;
    throw std::runtime_error("postgres: connecting (" + (conninfo_.empty() ? std::string("PG* environment") : conninfo_) +
                             "): " + message);
  }
  // Our messages, not the server's notices ("schema already exists, skipping"), in the log.
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
}

bool PgConnection::healthy() const { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }

void PgConnection::fail(const char* doing) const {
  throw std::runtime_error(std::string("postgres: ") + doing + ": " + trimmed(PQerrorMessage(conn_)));
}

PgResult PgConnection::checked(pg_result* raw, const char* doing) const {
  if (raw == nullptr || !succeeded(raw)) {
    const std::string message = raw != nullptr ? trimmed(PQresultErrorMessage(raw)) : trimmed(PQerrorMessage(conn_));
    PQclear(raw);
    throw std::runtime_error(std::string("postgres: ") + doing + ": " + message);
  }
  return PgResult(raw);
}

void PgConnection::exec(const std::string& sql, const char* doing) {
  // With several statements PQexec stops at the first failure and returns its result.
  checked(PQexec(conn_, sql.c_str()), doing);
}

PgResult PgConnection::exec(const std::string& sql, const std::vector<PgParam>& params, const char* doing,
                            bool binary_results) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  values.reserve(params.size());
  for (const PgParam& p : params) {
    values.push_back(p.value.data());
    lengths.push_back(static_cast<int>(p.value.size()));
    formats.push_back(p.binary ? 1 : 0);
  }
  return checked(PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                              lengths.data(), formats.data(), binary_results ? 1 : 0),
                 doing);
}

std::string PgConnection::quote_identifier(std::string_view name) const {
  char* quoted = PQescapeIdentifier(conn_, name.data(), name.size());
  if (quoted == nullptr) fail("quoting a name");
  std::string out = quoted;
  PQfreemem(quoted);
  return out;
}

}  // namespace bib::persistence
