// The append-only journal of persistence-json: journal.jsonl, one event per line,
// to_json(to_value(event)) and a newline, so that appending an event costs O(1):
//
//   {"clock": 12, "data": {"channel": "geral", "message": "oi", "user": "ana"}, "origin": "server-1", "request_id": "c1-5", "seq": 4, "service": "publish", "timestamp": 1732780000.25}
//
// It holds the events appended since the last complete snapshot.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "bib/service.hpp"
#include "posix_file.hpp"

namespace bib::persistence {

// What read_journal() found.
struct JournalContents {
  std::vector<Event> events;
  std::size_t good_bytes = 0;            // length of the complete lines that hold `events`
  std::optional<std::string> torn_tail;  // why the last line was dropped, when it was
};

// Reads every line. A torn LAST line (no newline at its end, or not an event: a crash in the
// middle of a write) is left out and described in torn_tail; a bad line anywhere else throws
// std::runtime_error naming the file and the line:
//   corrupt journal data/server-1/journal.jsonl line 17: invalid JSON at offset 9: ...
// A missing file reads as empty.
JournalContents read_journal(const std::string& path);

// The open journal, for appending.
class JournalWriter {
 public:
  // Opens (creating) the file and cuts it to good_bytes, dropping a torn tail.
  void open(const std::string& path, std::size_t good_bytes);
  bool is_open() const noexcept { return file_.is_open(); }
  const std::string& path() const noexcept { return file_.path(); }

  // Adds the event's line to the pending buffer.
  void add(const Event& event);
  bool has_pending() const noexcept { return !pending_.empty(); }
  std::size_t pending_bytes() const noexcept { return pending_.size(); }
  // Writes the pending buffer. On failure the file is cut back to its last complete line,
  // so that a failed write never leaves a torn line before later ones, and the error is thrown.
  void write_pending();
  void sync() { file_.sync(); }
  // Empties the journal (after a complete snapshot).
  void clear();
  void close() noexcept { file_.close(); }

 private:
  File file_;
  std::string pending_;
  off_t size_ = 0;         // bytes of complete lines in the file
  bool unusable_ = false;  // a failed write could not be cut back
};

}  // namespace bib::persistence
