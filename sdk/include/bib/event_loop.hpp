// The host's single event-loop thread, lent to plugins through Context::loop().
//
// Threading: every callback registered here runs on the loop thread, one at a time, so a
// plugin needs no locks for state it touches only from callbacks. Only post() may be called
// from another thread. A callback that throws is logged by the host and the loop goes on.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include <zmq.hpp>

#include "bib/export.hpp"

namespace bib {

using TimerId = std::uint64_t;

class BIB_SDK_API EventLoop {
 public:
  virtual ~EventLoop();

  // Call on_readable whenever the socket has a message to read (ZMQ_POLLIN). The socket stays
  // owned by the caller, who must remove it before closing it.
  virtual void add_socket(zmq::socket_t& socket, std::function<void()> on_readable) = 0;
  virtual void remove_socket(zmq::socket_t& socket) = 0;

  // Run fn after `after`, then every `after` again when repeat is true. Returns an id for
  // cancel_timer(); cancelling from inside the timer's own callback is allowed.
  virtual TimerId add_timer(std::chrono::milliseconds after, std::function<void()> fn,
                            bool repeat = false) = 0;
  virtual void cancel_timer(TimerId id) = 0;

  // Run fn on the loop thread soon. The one call that is safe from any thread.
  virtual void post(std::function<void()> fn) = 0;

  // Run fn at the end of the current loop iteration, after every ready socket was handled
  // (the host uses it to batch fsyncs before replies go out).
  virtual void at_iteration_end(std::function<void()> fn) = 0;
};

}  // namespace bib
