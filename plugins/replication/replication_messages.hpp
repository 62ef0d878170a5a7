// The replication protocol on port 5562 (docs/replication.md). Every message is a bib envelope
// {service, data}; data carries `from` (the sender's node name) besides timestamp and clock.
//
//   replicate      {from, replicated: true, batch: 7, events: [{origin, seq, clock, ...}, ...]}
//   replicate_ack  {from, batch: 7, acked: [["server-1", 12], ...], failed: [["server-1", 13, "why"]]}
//   sync           {from, vv: {"server-1": 12, ...}, after: {"server-1": 300}}
//   sync_reply     {from, vv: {...}, events: [...], more: false}
//
// replicate and sync travel from a server's DEALER to the peer's ROUTER; replicate_ack and
// sync_reply come back on the same connection.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bib/codec.hpp"
#include "bib/replica.hpp"
#include "bib/service.hpp"
#include "bib/value.hpp"

namespace bib::replication {

inline constexpr std::string_view kReplicate = "replicate";
inline constexpr std::string_view kReplicateAck = "replicate_ack";
inline constexpr std::string_view kSync = "sync";
inline constexpr std::string_view kSyncReply = "sync_reply";

// An event's cluster-wide identity (docs/architecture.md).
using EventId = std::pair<std::string, std::uint64_t>;
EventId id_of(const Event& event);
std::string to_string(const EventId& id);  // "server-1#12"
// The highest contiguous sequence number of origin in vv (0 when vv has none of it).
inline std::uint64_t seq_in(const VersionVector& vv, const std::string& origin) {
  auto it = vv.find(origin);
  return it == vv.end() ? 0 : it->second;
}

struct ReplicateMessage {
  std::string from;
  std::uint64_t batch = 0;  // per sender and peer, to match acks in logs
  Array events;             // to_value(event) each; parsed one by one on receipt
};

struct FailedEvent {
  EventId id;
  std::string reason;
};

struct AckMessage {
  std::string from;
  std::uint64_t batch = 0;
  std::vector<EventId> acked;  // durable on the sender of the ack
  std::vector<FailedEvent> failed;  // can never be applied there (no plugin for its service, ...)
};

struct SyncMessage {
  std::string from;
  VersionVector vv;     // the requester's contiguous version vector
  VersionVector after;  // paging cursor: per origin, the highest seq already received in this pull
};

struct SyncReplyMessage {
  std::string from;
  VersionVector vv;  // the answering server's own version vector
  Array events;
  bool more = false;  // the answer was cut at the batch size: ask again
};

Envelope to_envelope(const ReplicateMessage& message);
Envelope to_envelope(const AckMessage& message);
Envelope to_envelope(const SyncMessage& message);
Envelope to_envelope(const SyncReplyMessage& message);

// Throw FieldError naming the field when the data is not of that message's shape.
ReplicateMessage parse_replicate(const Value& data);
AckMessage parse_ack(const Value& data);
SyncMessage parse_sync(const Value& data);
SyncReplyMessage parse_sync_reply(const Value& data);

// One readable line for the wire log, without the events' contents:
//   replicate from=server-1 batch=7 events=3 [server-1#4..server-1#6] clock=41
std::string summarize(const Envelope& message);

// The size an event adds to a message, to keep every message under ZMQ_MAXMSGSIZE.
std::size_t encoded_size(const Value& event);

}  // namespace bib::replication
