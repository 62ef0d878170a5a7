// The replication protocol's readers (plugins/replication/replication_messages.hpp) on any
// decoded Value: the first byte picks parse_replicate, parse_ack, parse_sync or
// parse_sync_reply, the rest is decoded with bib::decode as a peer's message data is. A reader
// either refuses with FieldError or returns a message that to_envelope() writes back and the
// same reader reads again unchanged; the events a replicate or sync_reply carries are read as
// the receiver reads them (event_from_value) and survive to_value() the same way.
#include "bib/codec.hpp"
#include "fuzz_support.hpp"
#include "replication_messages.hpp"

namespace {

using namespace bib;
using namespace bib::replication;
using fuzz::check;
using fuzz::same;

void check_events(const Array& first, const Array& second) {
  check(same(Value(first), Value(second)), "events changed in a round trip");
  for (const Value& value : first) {
    try {
      const Event event = event_from_value(value);
      const Event again = event_from_value(to_value(event));
      check(same(to_value(event), to_value(again)), "an event changed in a round trip");
    } catch (const FieldError&) {
      // an unreadable event is refused one by one on receipt (event_ingest.cpp)
    }
  }
}

void replicate(const Value& data) {
  const ReplicateMessage m = parse_replicate(data);
  const ReplicateMessage again = parse_replicate(to_envelope(m).data);
  check(m.from == again.from && m.batch == again.batch, "replicate changed in a round trip");
  check_events(m.events, again.events);
}

void ack(const Value& data) {
  const AckMessage m = parse_ack(data);
  const AckMessage again = parse_ack(to_envelope(m).data);
  check(m.from == again.from && m.batch == again.batch && m.acked == again.acked &&
            m.failed.size() == again.failed.size(),
        "replicate_ack changed in a round trip");
  for (std::size_t i = 0; i < m.failed.size(); ++i)
    check(m.failed[i].id == again.failed[i].id && m.failed[i].reason == again.failed[i].reason,
          "a failed event changed in a round trip");
}

void sync(const Value& data) {
  const SyncMessage m = parse_sync(data);
  const SyncMessage again = parse_sync(to_envelope(m).data);
  check(m.from == again.from && m.vv == again.vv && m.after == again.after, "sync changed in a round trip");
}

void sync_reply(const Value& data) {
  const SyncReplyMessage m = parse_sync_reply(data);
  const SyncReplyMessage again = parse_sync_reply(to_envelope(m).data);
  check(m.from == again.from && m.vv == again.vv && m.more == again.more, "sync_reply changed in a round trip");
  check_events(m.events, again.events);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr std::string_view kServices[] = {kReplicate, kReplicateAck, kSync, kSyncReply};
  const unsigned which = data[0] % 4;
  Result<Value> decoded = decode(fuzz::text_of(data + 1, size - 1));
  if (!decoded) return 0;
  const Value& value = decoded.value();
  (void)summarize(Envelope{std::string(kServices[which]), value});  // the wire log's line
  try {
    switch (which) {
      case 0: replicate(value); break;
      case 1: ack(value); break;
      case 2: sync(value); break;
      case 3: sync_reply(value); break;
    }
  } catch (const FieldError&) {
    // refused with the sentence that names the field: what a peer's bad message gets
  }
  return 0;
}
