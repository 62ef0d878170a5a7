// Where every request goes, whatever socket it came in on (direct ROUTER, broker worker):
// bytes -> envelope -> service plugin -> reply bytes.
//
//   in:  {"service": "echo", "data": {"x": 1, "clock": 4, "timestamp": 1714550000.1}}
//   out: {"service": "echo", "data": {"x": 1, "clock": 6, "timestamp": 1714550000.2}}
//   err: {"service": "echo", "data": {"status": "erro", "description": "...", "clock": .., "timestamp": ..}}
// Undecodable bytes are answered with service "error" and reported on the refusal log, once per
// interval (docs/protocol.md, "Hostile input"). Every other message received and sent is one
// line on the wire log: `recv <peer> <service> {data}` / `send <peer> <service> {data}`.
// Nothing a request contains or a handler throws stops the host.
//
// On a server (a node that commits events) two more things happen (docs/architecture.md):
//   - every reply carries `seen`, this node's version vector, and a request carrying `after`
//     waits (SessionGate) until this node has applied those events: session guarantees;
//   - the reserved service `status` is answered by the host itself (Deps::status).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "bib/clock.hpp"
#include "bib/codec.hpp"
#include "bib/logger.hpp"
#include "bib/refusal_log.hpp"
#include "commit.hpp"
#include "request_metrics.hpp"
#include "session_gate.hpp"
#include "service_table.hpp"

namespace bib::host {

class Dispatcher {
 public:
  struct Deps {
    const ServiceTable& services;
    Committer& committer;
    bib::LamportClock& lamport;
    bib::PhysicalClock& clock;
    spdlog::logger& log;
    spdlog::logger& wire;
    std::int64_t max_message_bytes;
    std::uint64_t& handled;                    // requests dispatched, for Context::requests_handled()
    std::function<bib::Value()> status;        // answers `status`; empty: not a service here
    SessionGate* session = nullptr;            // waits for data.after; nullptr: no waiting, no `seen`
    bib::RefusalLog* refusals = nullptr;       // undecodable requests; nullptr: a wire line each
    RequestMetrics* metrics = nullptr;         // requests, errors, latency per service; nullptr: none
  };

  explicit Dispatcher(Deps deps);

  // The seam every transport uses. `peer` names the source for logs ("direct", "broker").
  // reply is called exactly once, now or later (a write waits for its commit), on the loop
  // thread. `member`: under CURVE on a cluster port, the member the sender's key names; a
  // request whose data names another member in `from` is then refused (docs/security.md).
  void dispatch(std::string_view request_bytes, const std::string& peer,
                std::function<void(std::string reply_bytes)> reply, const std::string& member = {});
  // A message its transport could not read (a wrong frame layout): reported as a refusal of
  // `kind` and answered `erro` "malformed request: <problem>" with service "error".
  void refuse(std::string_view kind, const std::string& problem, const std::string& peer,
              std::function<void(std::string reply_bytes)> reply);

 private:
  using ReplyFn = std::function<void(std::string)>;

  void serve(bib::Envelope envelope, const std::string& peer, ReplyFn reply);
  void send(const std::string& peer, const std::string& service, bib::Value data, const ReplyFn& reply,
            spdlog::level::level_enum wire = spdlog::level::info);
  void send_error(const std::string& peer, const std::string& service, const std::string& description,
                  const ReplyFn& reply, spdlog::level::level_enum wire = spdlog::level::info);

  Deps deps_;
  bib::DecodeLimits limits_;
};

}  // namespace bib::host
