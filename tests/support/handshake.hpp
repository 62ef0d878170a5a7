// How a ZeroMQ handshake with a listening socket ends, seen from the connecting side through a
// socket monitor: the observable outcome of a CURVE test (docs/security.md).
//
//   auto outcome = bib::test::handshake(zmq, zmq::socket_type::dealer, "tcp://127.9.9.2:5556",
//                                       [&](zmq::socket_t& s) { bib::make_curve_client(s, fresh, broker_key); });
//   EXPECT_EQ(outcome.result, bib::test::Handshake::refused);   // the ZAP handler said 400
//
// The socket sends `first` (frames) once connected, so a test can also check that nothing it
// sent was acted on. Waits at most `timeout`; returns the socket too, still open, so the caller
// may keep it (and see that no reply comes).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

namespace bib::test {

enum class Handshake {
  succeeded,     // ZMQ_EVENT_HANDSHAKE_SUCCEEDED
  refused,       // ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: the server's ZAP handler refused the client
  failed,        // ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL / _NO_DETAIL, or a disconnect before any
                 // success: e.g. plain against CURVE, a server with another key
  no_outcome,    // nothing within the timeout
};

const char* to_string(Handshake h);

struct HandshakeOutcome {
  Handshake result = Handshake::no_outcome;
  std::unique_ptr<zmq::socket_t> socket;
};

HandshakeOutcome handshake(zmq::context_t& zmq, zmq::socket_type type, const std::string& endpoint,
                           const std::function<void(zmq::socket_t&)>& prepare,
                           const std::vector<std::string>& first = {},
                           std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

}  // namespace bib::test
