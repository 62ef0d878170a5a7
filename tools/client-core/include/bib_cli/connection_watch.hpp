// Whether a socket is connected to its peer, from ZeroMQ's socket monitor: a PAIR socket of our
// own receives the watched socket's events (two frames: 2-byte event, 4-byte value; then the
// endpoint). Connected once a ZMTP handshake succeeded, not connected after a disconnect, so
// the chat can say "proxy down" and catch up once it is back. Poll poll_item() with the rest.
#pragma once

#include <string>

#include <zmq.hpp>

namespace bib::cli {

class ConnectionWatch {
 public:
  enum class Change { none, connected, reconnected, disconnected };

  // `context` must be the watched socket's (the monitor endpoint is inproc) and outlive this.
  ConnectionWatch(zmq::socket_t& watched, zmq::context_t& context);
  ~ConnectionWatch();
  ConnectionWatch(const ConnectionWatch&) = delete;
  ConnectionWatch& operator=(const ConnectionWatch&) = delete;

  zmq::pollitem_t poll_item() noexcept { return zmq::pollitem_t{static_cast<void*>(events_), 0, ZMQ_POLLIN, 0}; }
  // Reads every queued event; the last change of state they made (reconnected: connected
  // again after a disconnect).
  Change take();
  bool connected() const noexcept { return connected_; }

 private:
  zmq::socket_t& watched_;
  zmq::socket_t events_;
  bool connected_ = false;
  bool was_connected_ = false;  // a later handshake is a reconnection
};

}  // namespace bib::cli
