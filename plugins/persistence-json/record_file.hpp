// One of persistence-json's files (usuarios.json, publicacoes.json, ...): a JSON array with one
// record per line, valid JSON on disk after every write, appended in place so that a write
// costs the same however long the file is (docs/persistence.md):
//
//   [
//   {"pos": 1, "user": "ana", ...},
//   {"pos": 2, "user": "bia", ...}
//   ]
//
// An append overwrites the closing "\n]\n" with ",\n<record>" for each record, then the
// closing again, in one pwrite; a write that fails is retried whole at the same place by the
// next one. A crash in the middle leaves the file cut inside its last line: the scan stops
// at the last complete record and open() puts the closing back after it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include "bib/service.hpp"
#include "posix_file.hpp"

namespace bib::persistence {

// A record as scan found it: its event, and where its text lies in the file.
struct ScannedRecord {
  std::uint64_t pos;
  Event event;
  std::uint64_t offset;  // its first byte
  std::uint64_t end;     // just after its text (before any comma)
};

// Reads a file in the line layout, one record at a time, in memory bounded by one line.
class RecordScanner {
 public:
  static constexpr std::uint64_t kFirstRecord = 2;  // after "[\n"

  // `file` is the index in snapshot_files(). The file must exist and start with "[\n"
  // (in_line_layout()).
  RecordScanner(const std::string& path, std::size_t file);
  // Scans only what follows `end`, the end of a record (RecordFile::end() at a checkpoint).
  RecordScanner(const std::string& path, std::size_t file, std::uint64_t end);
  // The next record; nothing at the end: the closing "]" line, the end of the file, or a torn
  // last line (torn_tail() says why). Throws std::runtime_error naming the file and line when
  // a bad line has complete records after it: that is corruption, not a torn write.
  std::optional<ScannedRecord> next();
  const std::optional<std::string>& torn_tail() const noexcept { return torn_tail_; }

 private:
  bool any_record_after();  // reads the rest of the file

  std::string path_;
  std::size_t file_;
  std::ifstream in_;
  std::uint64_t offset_ = kFirstRecord;
  std::size_t line_number_ = 1;
  const char* line_suffix_ = "";  // what line_number_ counts from, when not the file's start
  bool done_ = false;
  std::optional<std::string> torn_tail_;
};

// The bytes of a file's record text that a checkpoint compares: up to 64, ending at `end`.
inline constexpr std::size_t kCheckedTailBytes = 64;
// The same bytes, read from the file at path (fewer or others when it changed since).
std::string bytes_before(const std::string& path, std::uint64_t end);

// True when the file starts with "[\n" (a file written by this plugin, or in its layout).
bool in_line_layout(const std::string& path);
// Rewrites a file holding a valid JSON array of records in any other layout (an empty "[]",
// a pretty-printed file) into the line layout, through a temporary file and a rename.
// Throws, naming the file and record, when it is not such an array.
void convert_to_line_layout(const std::string& path, std::size_t file, bool sync);

// The open file, for appending and reading back.
class RecordFile {
 public:
  // Opens (creating "[\n]\n" when missing) a file whose kept records end at `end`
  // (RecordScanner::kFirstRecord when it keeps none): whatever follows is cut and the closing
  // written after it, unless it is exactly there already.
  void open(const std::string& path, std::uint64_t end, bool has_records, bool sync);
  bool is_open() const noexcept { return file_.is_open(); }
  const std::string& path() const noexcept { return file_.path(); }

  // Queues a record (one line of JSON without a newline); returns the offset it will start at.
  std::uint64_t add(std::string_view record);
  bool has_pending() const noexcept { return !pending_.empty(); }
  std::size_t pending_bytes() const noexcept { return pending_.size(); }
  // Writes the queued records and the closing at the end of the array. On failure nothing is
  // forgotten: the next call writes the same bytes at the same place.
  void write_pending();
  void sync() { file_.sync(); }
  // The text of the record at offset, written or queued.
  std::string read(std::uint64_t offset) const;
  void close() noexcept { file_.close(); }

  // For a checkpoint, with nothing queued: where the records on disk end, whether there are
  // any, and the last bytes before that end (what a later start compares, to know the file
  // still holds what the checkpoint saw).
  std::uint64_t end() const noexcept { return tail_; }
  bool has_records() const noexcept { return has_records_; }
  std::string bytes_before_end() const;

 private:
  File file_;
  std::uint64_t tail_ = RecordScanner::kFirstRecord;  // where the closing starts on disk
  bool has_records_ = false;                           // on disk
  std::string pending_;                                // what goes at tail_, separators included
};

}  // namespace bib::persistence
