// The reference server's protocol (docs/protocol.md), one request in, one reply out, with no
// sockets: the plugin decodes, calls handle(), stamps timestamp and clock, and sends.
//
//   rank      {user: "server-2", address: "127.0.2.2", rank: 2}  ->  rank {rank: 2}
//   list      {}                  ->  list {list: [{name: "server-1", rank: 1, address: "127.0.2.1"}, ...]}
//   heartbeat {user: "server-2"}  ->  heartbeat {status: "OK"}
//   heartbeat {user: "ghost"}     ->  heartbeat {status: "erro",
//                                       description: "unknown server 'ghost': register with rank"}
//
// The reply's service is always the request's; a bad request gets {status: "erro",
// description} and an undecodable one gets service "error". In `rank`, `address` (where the
// server's ports listen) and `rank` (the rank it held before, so that it keeps it after a
// reference restart) are optional; without `address` the request's source IP is recorded.
#pragma once

#include <string>

#include "bib/codec.hpp"
#include "bib/logger.hpp"
#include "rank_store.hpp"
#include "registry.hpp"

namespace bib::reference {

// Prefix of the heartbeat error the discovery plugin reacts to by registering again.
inline constexpr const char* kUnknownServer = "unknown server";

class ReferenceService {
 public:
  // store may be null (no state file). log gets one line per rank given and per server that
  // comes back; the caller keeps all three alive.
  ReferenceService(Registry& registry, const RankStore* store, spdlog::logger& log);

  // Reply data carries no timestamp/clock yet: the caller stamps it.
  Envelope handle(const Envelope& request, const std::string& source_ip, Registry::TimePoint now);

  // The reply to bytes that are not an envelope: service "error".
  static Envelope undecodable(const std::string& reason);

 private:
  Value rank(const Value& data, const std::string& source_ip, Registry::TimePoint now);
  Value list(Registry::TimePoint now) const;
  Value heartbeat(const Value& data, Registry::TimePoint now);

  Registry& registry_;
  const RankStore* store_;
  spdlog::logger& log_;
};

}  // namespace bib::reference
