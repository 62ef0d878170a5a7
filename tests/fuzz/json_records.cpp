// What a server reads back from its data folder at start-up, on any bytes. The first byte
// picks what:
//   0x00-0x7F  persistence-json's record files (plugins/persistence-json/record_file.hpp):
//              file index = byte % 5 (usuarios.json ... outros.json); the second byte picks
//              a record; the rest is written to a file. RecordScanner reads it (a torn last
//              line is left out, a bad line before good ones is corruption); each record's
//              text, cut from the file at the scanner's offsets, reads back to the same event;
//              a scan resumed after the picked record (as from a checkpoint) finds exactly the
//              records after it; every event survives snapshot_record(); read_snapshot_file,
//              when it accepts a file the scanner read cleanly, finds the same records.
//   0x80-0xFF  a checkpoint: byte & 1 = 0: the rest as a sealed host checkpoint
//              (host/checkpoint_seal.hpp: hash, magic, byte order, node name); 1: the rest as
//              the payload of a correctly sealed one. The payload is read the way the host
//              restores it (host/checkpoint_payload.hpp, read_checkpoint_payload) or, when byte & 2, as persistence-json's index
//              (EventIndex); what loads saves to bytes that load and save again identically.
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bib/json.hpp"
#include "checkpoint_payload.hpp"
#include "checkpoint_seal.hpp"
#include "event_index.hpp"
#include "fuzz_support.hpp"
#include "record_file.hpp"
#include "snapshot_files.hpp"

namespace {

using namespace bib;
using fuzz::check;
using fuzz::same;

bool same_event(const Event& a, const Event& b) { return same(to_value(a), to_value(b)); }

struct Scan {
  std::vector<persistence::ScannedRecord> records;
  bool torn = false;
  bool corrupt = false;
};

Scan scan(persistence::RecordScanner scanner) {
  Scan out;
  try {
    while (auto record = scanner.next()) out.records.push_back(std::move(*record));
  } catch (const std::runtime_error&) {
    out.corrupt = true;
  }
  out.torn = scanner.torn_tail().has_value();
  return out;
}

void records(std::string_view content, std::size_t file, unsigned resume_at) {
  static const std::string path = fuzz::scratch_path("records.json");
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!persistence::in_line_layout(path)) return;
  const Scan full = scan(persistence::RecordScanner(path, file));

  std::uint64_t previous_end = 0;
  for (const auto& r : full.records) {
    check(r.offset >= persistence::RecordScanner::kFirstRecord && r.offset > previous_end && r.end > r.offset &&
              r.end <= content.size(),
          "a record's offsets are out of order or outside the file");
    previous_end = r.end;
    Result<Value> text = parse_json(content.substr(r.offset, r.end - r.offset));
    check(text.ok(), "the text at a record's offsets is not JSON");
    const persistence::PositionedEvent again = persistence::event_from_record(text.value(), file);
    check(again.pos == r.pos && same_event(again.event, r.event), "the text at a record's offsets is another record");
    Result<Value> written = parse_json(persistence::with_position(persistence::snapshot_record(r.event, file), r.pos));
    check(written.ok(), "snapshot_record() wrote text that is not JSON");
    const persistence::PositionedEvent back = persistence::event_from_record(written.value(), file);
    check(back.pos == r.pos && same_event(back.event, r.event), "an event changed through snapshot_record()");
  }

  if (!full.corrupt && !full.records.empty()) {
    const std::size_t k = resume_at % full.records.size();
    const Scan resumed = scan(persistence::RecordScanner(path, file, full.records[k].end));
    check(!resumed.corrupt && resumed.torn == full.torn && resumed.records.size() == full.records.size() - k - 1,
          "a resumed scan found other records than the whole scan");
    for (std::size_t i = 0; i < resumed.records.size(); ++i) {
      const auto& a = resumed.records[i];
      const auto& b = full.records[k + 1 + i];
      check(a.offset == b.offset && a.end == b.end && a.pos == b.pos && same_event(a.event, b.event),
            "a resumed scan read a record differently");
    }
  }

  std::vector<persistence::StoredRecord> stored;
  try {
    stored = persistence::read_snapshot_file(path, file);
  } catch (const std::runtime_error&) {
    return;
  }
  if (full.corrupt || full.torn) return;
  check(stored.size() == full.records.size(), "read_snapshot_file and the scanner found other records");
  for (std::size_t i = 0; i < stored.size(); ++i)
    check(stored[i].pos == full.records[i].pos && same_event(stored[i].event, full.records[i].event),
          "read_snapshot_file and the scanner read a record differently");
}

// The host's payload, read as Committer::restore_checkpoint reads it; written again.
std::string host_payload(std::string_view payload) {
  host::CheckpointPayload read = host::read_checkpoint_payload(payload, 100000);
  std::vector<std::pair<std::string, std::string>> states(read.states.begin(), read.states.end());
  StateWriter out;
  host::write_checkpoint_payload(
      out, {read.next_seq, read.lamport, read.store, read.totals, read.requests, read.services, states});
  return out.take();
}

std::string index_payload(std::string_view payload) {
  persistence::EventIndex index;
  StateReader in(payload);
  index.load(in);
  in.expect_end();
  StateWriter out;
  index.save(out);
  return out.take();
}

void checkpoint(std::string_view bytes, unsigned mode) {
  constexpr std::string_view kNode = "server-1";
  std::string_view payload;
  std::string sealed;
  try {
    if (mode & 1) {
      // What the host writes: the head, the payload, then the hash over both (seal()).
      sealed = with_hash(host::checkpoint_writer(kNode).take().append(bytes));
      payload = host::unseal_checkpoint(kNode, sealed);
      check(payload == bytes, "unseal_checkpoint() gave another payload than was sealed");
    } else {
      payload = host::unseal_checkpoint(kNode, bytes);
    }
  } catch (const std::runtime_error&) {
    check(!(mode & 1), "unseal_checkpoint() refused a checkpoint sealed here");
    return;
  }
  auto read = (mode & 2) ? index_payload : host_payload;
  std::string saved;
  try {
    saved = read(payload);
  } catch (const std::runtime_error&) {
    return;  // refused: the host replays the whole log instead
  }
  std::string again;
  try {
    again = read(saved);
  } catch (const std::runtime_error&) {
    fuzz::fail("what a checkpoint saved after loading does not load again");
  }
  check(again == saved, "a checkpoint saved after loading changed when loaded and saved again");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  if (data[0] < 0x80) {
    records(fuzz::text_of(data + 2, size - 2), data[0] % 5, data[1]);
  } else {
    checkpoint(fuzz::text_of(data + 1, size - 1), data[0]);
  }
  return 0;
}
