// The broker <-> server protocol on the backend (docs/broker.md has the full description).
// Every message is [command][arguments...]; the ROUTER prepends the server's identity.
//
//   server -> broker   ["READY", "server-2", "1764579600123456", "3", "broker-5f3a9c01-12", ...]
//                                                             register: name, process run
//                                                             (incarnation), connection within
//                                                             the run (generation), the requests
//                                                             it is still answering
//                      ["HEARTBEAT"]                          I am alive (any message counts)
//                      ["REPLY", "broker-5f3a9c01-17", <msgpack reply envelope>]
//                      ["DISCONNECT"]                         leaving: resend what I hold
//                      ["PAUSE", reason]                      send me nothing new for now (I
//                                                             keep what I hold and my liveness)
//                      ["RESUME"]                             send me requests again
//   broker -> server   ["REQUEST", "broker-5f3a9c01-17", <msgpack request envelope>]
//                      ["HEARTBEAT"]
//                      ["DISCONNECT"]                         I do not know you: READY again
//
// The id of REQUEST/REPLY is the broker's ticket for that request. The request body carries
// data.request_id (the client's, or the same ticket when the client sent none), so that a copy
// sent again after its first server died is recognised as the same request.
// The broker plugin and host/broker_worker.cpp both speak it from these words.
#pragma once

#include <cstddef>
#include <string_view>

namespace bib::worker_protocol {

inline constexpr std::string_view kReady = "READY";
inline constexpr std::string_view kHeartbeat = "HEARTBEAT";
inline constexpr std::string_view kRequest = "REQUEST";
inline constexpr std::string_view kReply = "REPLY";
inline constexpr std::string_view kDisconnect = "DISCONNECT";
inline constexpr std::string_view kPause = "PAUSE";
inline constexpr std::string_view kResume = "RESUME";
// A PAUSE's reason is cut to this many bytes (it goes into logs and the `broker` reply).
inline constexpr std::size_t kMaxPauseReason = 200;

// READY lists at most this many held requests; the broker refuses a READY that lists more.
inline constexpr std::size_t kMaxHeld = 1000;

}  // namespace bib::worker_protocol
