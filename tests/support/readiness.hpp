// Readiness of a started process, asked of the process itself: a request it answers (a server's
// `status` on its direct port, the broker's `broker` service, `ping`, the reference's `list`),
// polled with a deadline. Never its log: a log line says what the process meant to do, a reply
// says it does it.
//
// Header-only, so that it needs nothing from the build of bib-test-support.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include <zmq.hpp>

#include "bib/codec.hpp"
#include "bib/reply.hpp"
#include "support/process.hpp"
#include "support/raw_request.hpp"
#include "support/wait.hpp"

namespace bib::test {

// One request on a fresh REQ socket: the decoded reply, or nullopt when none came within
// timeout or it did not decode.
inline std::optional<Envelope> ask(zmq::context_t& zmq, const std::string& endpoint, const std::string& service,
                                   Value data = Map{},
                                   std::chrono::milliseconds timeout = std::chrono::milliseconds(1000)) {
  const auto bytes = plain::ask_raw(zmq, endpoint, encode_envelope({service, std::move(data)}), timeout);
  if (!bytes) return std::nullopt;
  auto decoded = decode_envelope(*bytes);
  if (!decoded) return std::nullopt;
  return std::move(decoded).value();
}

// A reply with the service asked for that is not an error: what "it answers" means by default
// (`status` replies carry no status word; `ping`, `broker` and `list` say OK).
inline bool answered(const Envelope& reply, const std::string& service) {
  return reply.service == service && reply.data.is_map() && !is_error_reply(reply.data);
}

// What to ask, how long to keep asking, and which reply means ready.
struct Readiness {
  explicit Readiness(std::string service_name = "status") : service(std::move(service_name)) {}

  std::string service;
  Value data = Map{};
  std::chrono::milliseconds timeout{30000};
  // Whether a reply means ready; default: answered(reply, service).
  std::function<bool(const Envelope&)> accept;
};

// Polls `endpoint` with `how.service` until a reply is accepted (true), or the process exits
// or how.timeout passes (false). Each try waits at most one second for its reply, so a request
// lost to a socket that was not bound yet is simply asked again.
inline bool wait_ready(Process& process, const std::string& endpoint, const Readiness& how = Readiness()) {
  zmq::context_t zmq;
  const auto deadline = std::chrono::steady_clock::now() + how.timeout;
  bool ready = false;
  wait_until(
      [&] {
        if (!process.running()) return true;  // no point waiting: ready stays false
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        const auto reply = ask(zmq, endpoint, how.service, how.data,
                               std::clamp(left, std::chrono::milliseconds(50), std::chrono::milliseconds(1000)));
        ready = reply && (how.accept ? how.accept(*reply) : answered(*reply, how.service));
        return ready;
      },
      how.timeout, std::chrono::milliseconds(50));
  return ready && process.running();
}

// The same for a server: its `status` on its direct port.
inline bool wait_serving(Process& process, const std::string& direct_endpoint,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(30000)) {
  Readiness how;
  how.timeout = timeout;
  return wait_ready(process, direct_endpoint, how);
}

}  // namespace bib::test
