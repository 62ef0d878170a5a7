#include "bib_cli/connection_watch.hpp"

#include <atomic>
#include <cstdint>
#include <cstring>
#include <vector>

#include <zmq_addon.hpp>

namespace bib::cli {

ConnectionWatch::ConnectionWatch(zmq::socket_t& watched, zmq::context_t& context)
    : watched_(watched), events_(context, zmq::socket_type::pair) {
  static std::atomic<int> watches{0};
  const std::string endpoint = "inproc://bib-connection-watch-" + std::to_string(++watches);
  if (zmq_socket_monitor(static_cast<void*>(watched_), endpoint.c_str(),
                         ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED) != 0)
    throw zmq::error_t();
  events_.set(zmq::sockopt::linger, 0);
  events_.connect(endpoint);
}

ConnectionWatch::~ConnectionWatch() {
  zmq_socket_monitor(static_cast<void*>(watched_), nullptr, 0);  // stops the monitor
}

ConnectionWatch::Change ConnectionWatch::take() {
  Change change = Change::none;
  for (;;) {
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(events_, std::back_inserter(frames), zmq::recv_flags::dontwait)) return change;
    if (frames.empty() || frames[0].size() < sizeof(std::uint16_t)) continue;
    std::uint16_t event = 0;
    std::memcpy(&event, frames[0].data(), sizeof event);
    if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED && !connected_) {
      connected_ = true;
      change = was_connected_ ? Change::reconnected : Change::connected;
      was_connected_ = true;
    } else if (event == ZMQ_EVENT_DISCONNECTED && connected_) {
      connected_ = false;
      change = Change::disconnected;
    }
  }
}

}  // namespace bib::cli
