#include "sqlite_db.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace bib::persistence {

Database::Database(const std::string& path) : path_(path) {
  const int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(path + ": cannot open: " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
}

Database::~Database() {
  // Closing the last connection checkpoints the WAL into the database file.
  if (db_ != nullptr) sqlite3_close(db_);
}

void Database::exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
}

int Database::changes() const { return sqlite3_changes(db_); }

bool Database::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

void Database::fail(const std::string& doing) const {
  throw std::runtime_error(path_ + ": " + doing + ": " + sqlite3_errmsg(db_));
}

Statement::Statement(Database& db, const char* sql) : db_(db), sql_(sql) {
  if (sqlite3_prepare_v3(db.handle(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK)
    db.fail(std::string("prepare ") + sql);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    db_.fail(std::string("bind ") + sql_);
}

void Statement::bind(int index, std::int64_t number) {
  if (sqlite3_bind_int64(stmt_, index, number) != SQLITE_OK) db_.fail(std::string("bind ") + sql_);
}

void Statement::bind(int index, double number) {
  if (sqlite3_bind_double(stmt_, index, number) != SQLITE_OK) db_.fail(std::string("bind ") + sql_);
}

void Statement::bind_blob(int index, std::string_view bytes) {
  if (sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    db_.fail(std::string("bind ") + sql_);
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const std::string message = sqlite3_errmsg(db_.handle());
  sqlite3_reset(stmt_);
  throw std::runtime_error(db_.path() + ": " + sql_ + ": " + message);
}

void Statement::reset() { sqlite3_reset(stmt_); }

std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }

double Statement::column_double(int index) const { return sqlite3_column_double(stmt_, index); }

std::string Statement::column_text(int index) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  return text != nullptr ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index))) : std::string();
}

std::string_view Statement::column_blob(int index) const {
  const void* blob = sqlite3_column_blob(stmt_, index);
  const int size = sqlite3_column_bytes(stmt_, index);
  return blob != nullptr ? std::string_view(static_cast<const char*>(blob), static_cast<std::size_t>(size))
                         : std::string_view();
}

}  // namespace bib::persistence
