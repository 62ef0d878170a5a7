// A thin RAII layer over the SQLite C API for persistence-sqlite: a connection and prepared
// statements. Every error throws std::runtime_error naming the database file and what SQLite
// said:  data/server-1/events.db: file is not a database
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace bib::persistence {

class Database {
 public:
  // Opens the file, creating it when missing.
  explicit Database(const std::string& path);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  void exec(const char* sql);
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int changes() const;
  bool in_transaction() const;
  const std::string& path() const noexcept { return path_; }
  sqlite3* handle() const noexcept { return db_; }
  // Throws "<path>: <doing>: <SQLite's message>".
  [[noreturn]] void fail(const std::string& doing) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Statement {
 public:
  Statement(Database& db, const char* sql);
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  void bind(int index, std::string_view text);
  void bind(int index, std::int64_t number);
  void bind(int index, double number);
  void bind_blob(int index, std::string_view bytes);
  // True while there is a row; false when done. Throws on an error.
  bool step();
  // Ready to run again (bindings are replaced by the next bind calls).
  void reset();

  std::int64_t column_int(int index) const;
  double column_double(int index) const;
  std::string column_text(int index) const;
  std::string_view column_blob(int index) const;  // valid until the next step()

 private:
  Database& db_;
  sqlite3_stmt* stmt_ = nullptr;
  const char* sql_;
};

}  // namespace bib::persistence
