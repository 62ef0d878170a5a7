// The journal of older versions of persistence-json (before its files were appended in place):
// journal.jsonl, one event per line, to_json(to_value(event)) and a newline. The plugin reads
// one it finds once, moves its events into the files and removes it:
//
//   {"clock": 12, "data": {"channel": "geral", "message": "oi", "user": "ana"}, "origin": "server-1", "request_id": "c1-5", "seq": 4, "service": "publish", "timestamp": 1732780000.25}
//
// It held the events appended since the last complete snapshot.
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

}  // namespace bib::persistence
