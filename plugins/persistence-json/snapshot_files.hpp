// The snapshot files of persistence-json, in the original format (docs/architecture.md): one JSON
// array per service, one record per event, each record on its own line.
//
//   usuarios.json     login    [{"user": "ana", "timestamp": 1.7e9, ...}]
//   canais.json       channel  [{"channel": "geral", "timestamp": ..., ...}]
//   publicacoes.json  publish  [{"user": "ana", "channel": "geral", "message": "oi", "timestamp": ...}]
//   mensagens.json    message  [{"src": "ana", "dst": "bia", "message": "oi", "timestamp": ...}]
//   outros.json       any other service: the whole event, to_value(event), as in the journal
//
// Besides the original fields (copied from the event's data; `timestamp` is the event's),
// every record carries what replay needs to rebuild the event exactly, which readers of the
// original format ignore:
//   origin, seq, clock, request_id   the event's identity and Lamport clock
//   pos                              1-based position in the append order of the whole log,
//                                    across the five files (replay sorts by it)
//   data                             only when the event's data holds more than the original
//                                    fields (otherwise data = exactly those fields)
//
//   {"pos": 7, "channel": "geral", "clock": 12, "message": "oi", "origin": "server-1",
//    "request_id": "c1-5", "seq": 4, "timestamp": 1732780000.25, "user": "ana"}
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bib/service.hpp"
#include "bib/value.hpp"

namespace bib::persistence {

struct SnapshotFile {
  const char* name;                   // file name in the data directory
  const char* service;                // "" for the file of every other service
  std::vector<const char*> fields;    // the original format's fields, from the event's data
};

// In this order; the last one takes every service the others do not.
const std::array<SnapshotFile, 5>& snapshot_files();
std::size_t snapshot_file_for(const std::string& service);

// The record of an event, as one line of JSON, with "pos": 0 in front until a snapshot
// gives it its position.
std::string snapshot_record(const Event& event, std::size_t file);
// Appends the record to out with its position set (the record starts with {"pos": N, ).
void append_with_position(std::string& out, const std::string& record, std::uint64_t pos);
std::string with_position(const std::string& record, std::uint64_t pos);

struct PositionedEvent {
  std::uint64_t pos;
  Event event;
};
// A record back to its event. Throws FieldError for a missing or mistyped field.
PositionedEvent event_from_record(const Value& record, std::size_t file);

// A record read from a snapshot file, with its text in the form snapshot_record() makes.
struct StoredRecord {
  std::uint64_t pos;
  Event event;
  std::string text;
  std::size_t file;  // the file it came from, where the next snapshot puts it again
};
// Every record of one snapshot file. Files in the layout snapshots are written in (one record
// per line) are read line by line and keep their text; any other layout of valid JSON (say,
// pretty-printed by another tool) is read as a whole. Throws std::runtime_error naming the
// file, and the record when one is bad:
//   corrupt snapshot data/server-1/canais.json: invalid JSON at offset 812: unterminated string
//   corrupt snapshot data/server-1/usuarios.json record 3: field 'seq' is missing
std::vector<StoredRecord> read_snapshot_file(const std::string& path, std::size_t file);

}  // namespace bib::persistence
