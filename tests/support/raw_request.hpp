// One request as a course client sends it: a fresh REQ socket, raw bytes in and out. Used by
// the plain course client (plain_client.hpp) and by suites that send bytes of their own.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <zmq.hpp>

namespace bib::test::plain {

// nullopt when no reply comes within `timeout`.
inline std::optional<std::string> ask_raw(zmq::context_t& zmq, const std::string& endpoint, const std::string& body,
                                          std::chrono::milliseconds timeout) {
  zmq::socket_t req(zmq, zmq::socket_type::req);
  req.set(zmq::sockopt::linger, 0);
  req.set(zmq::sockopt::rcvtimeo, static_cast<int>(timeout.count()));
  req.connect(endpoint);
  req.send(zmq::buffer(body), zmq::send_flags::none);
  zmq::message_t reply;
  if (!req.recv(reply)) return std::nullopt;
  return reply.to_string();
}

}  // namespace bib::test::plain
