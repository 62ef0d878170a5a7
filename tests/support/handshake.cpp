#include "support/handshake.hpp"

#include <atomic>
#include <cstdint>
#include <cstring>

namespace bib::test {

namespace {

std::atomic<int> monitors{0};

// A monitor event is two frames: [16-bit event, 32-bit value][endpoint].
std::uint16_t event_of(const zmq::message_t& frame) {
  std::uint16_t event = 0;
  if (frame.size() >= sizeof event) std::memcpy(&event, frame.data(), sizeof event);
  return event;
}

}  // namespace

const char* to_string(Handshake h) {
  switch (h) {
    case Handshake::succeeded: return "succeeded";
    case Handshake::refused: return "refused";
    case Handshake::failed: return "failed";
    case Handshake::no_outcome: return "no outcome";
  }
  return "?";
}

HandshakeOutcome handshake(zmq::context_t& zmq, zmq::socket_type type, const std::string& endpoint,
                           const std::function<void(zmq::socket_t&)>& prepare,
                           const std::vector<std::string>& first, std::chrono::milliseconds timeout) {
  HandshakeOutcome outcome;
  outcome.socket = std::make_unique<zmq::socket_t>(zmq, type);
  zmq::socket_t& socket = *outcome.socket;
  socket.set(zmq::sockopt::linger, 0);
  if (prepare) prepare(socket);
  const std::string monitor_endpoint = "inproc://bib-test-handshake-" + std::to_string(++monitors);
  if (zmq_socket_monitor(socket.handle(), monitor_endpoint.c_str(),
                         ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                             ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                             ZMQ_EVENT_DISCONNECTED) != 0)
    throw zmq::error_t();
  zmq::socket_t monitor(zmq, zmq::socket_type::pair);
  monitor.set(zmq::sockopt::linger, 0);
  monitor.connect(monitor_endpoint);
  socket.connect(endpoint);
  if (!first.empty()) {
    for (std::size_t i = 0; i < first.size(); ++i)
      socket.send(zmq::buffer(first[i]), (i + 1 < first.size() ? zmq::send_flags::sndmore : zmq::send_flags::none) |
                                             zmq::send_flags::dontwait);
  }
  monitor.set(zmq::sockopt::rcvtimeo, static_cast<int>(timeout.count()));
  zmq::message_t event;
  zmq::message_t address;
  if (monitor.recv(event) && monitor.recv(address)) {
    switch (event_of(event)) {
      case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: outcome.result = Handshake::succeeded; break;
      case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: outcome.result = Handshake::refused; break;
      default: outcome.result = Handshake::failed; break;
    }
  }
  zmq_socket_monitor(socket.handle(), nullptr, 0);
  return outcome;
}

}  // namespace bib::test
