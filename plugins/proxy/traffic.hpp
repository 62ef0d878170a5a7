// What the proxy counts and how it describes what it forwards, free of sockets.
//
// Subscriber -> publisher direction (XPUB -> XSUB), one frame: a flag byte and the topic,
//   "\x01geral"  subscribe to "geral"      "\x00geral"  unsubscribe from "geral"
// Publisher -> subscriber direction (XSUB -> XPUB), docs/protocol.md: [topic][envelope], e.g.
//   ["geral"]["{service: publish, data: {user: ana, channel: geral, message: oi, ...}}"]
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bib::proxy {

struct TrafficCounts {
  std::uint64_t subscriptions = 0;
  std::uint64_t unsubscriptions = 0;
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;  // every frame of every forwarded message

  // "3 subscriptions, 1 unsubscriptions, 120 messages, 20480 bytes"
  std::string to_string() const;
};

struct Subscription {
  bool subscribe = true;
  std::string topic;
};

// The longest subscription topic the proxy reads: its XPUB's ZMQ_MAXMSGSIZE is this plus what
// a subscription adds on the wire (kSubscriptionOverhead: the flag byte "\x01", or ZMTP 3.1's
// "\x09SUBSCRIBE" that libzmq 4.3's SUB sends), so a longer subscription drops its
// subscriber's connection before libzmq stores it. Topics are names (at most 64 bytes) and "servers"; a longer prefix is no use. And libzmq
// 4.3 keeps subscriptions in tries with a node per byte: when the subscriber of a topic of a
// megabyte left, the XPUB spent 2 s (45 s under ASan) removing it on the proxy's loop thread,
// and forwarded to the XSUB, whose removal recurses once per byte, the unsubscription
// overflowed the proxy's stack.
inline constexpr std::size_t kMaxSubscriptionTopic = 1024;
inline constexpr std::size_t kSubscriptionOverhead = 10;

// The subscription a frame from XPUB carries, or empty when it is not one.
std::optional<Subscription> parse_subscription(std::string_view frame);

// A topic for a log line: printable ASCII as is, other bytes as \xNN, cut after 64 bytes.
std::string printable_topic(std::string_view topic);

// The check the proxy makes of every message it forwards, cheap enough for the wire log's off
// position: two frames, the second starting as a MessagePack map does (an envelope is one).
bool looks_like_publication(const std::vector<std::string_view>& frames);

// The wire line of a [topic][envelope] message, or nothing when it is not one:
//   'geral' publish {"user": "ana", "channel": "geral", "message": "oi", ...}
std::optional<std::string> describe_publication(const std::vector<std::string_view>& frames);

// One wire line for a forwarded message: the topic and the decoded envelope when the payload
// is one, else the sizes:
//   'geral' publish {"user": "ana", "channel": "geral", "message": "oi", ...}
//   'geral' (2 frames, 12 payload bytes, not a [topic][envelope] message)
std::string describe_message(const std::vector<std::string_view>& frames);

}  // namespace bib::proxy
