// The host's single event-loop thread, lent to plugins through Context::loop().
//
// Threading: every callback registered here runs on the loop thread, one at a time, so a
// plugin needs no locks for state it touches only from callbacks. Only post() may be called
// from another thread. A callback that throws is logged by the host and the loop goes on.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <utility>

#include <zmq.hpp>

#include "bib/export.hpp"

namespace bib {

using TimerId = std::uint64_t;
class Timer;
class SocketWatch;

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

  // The same registrations as handles that undo themselves when destroyed or reassigned, so
  // that an object's timers and sockets end with it (prefer these to the calls above).
  [[nodiscard]] Timer start_timer(std::chrono::milliseconds after, std::function<void()> fn, bool repeat = false);
  [[nodiscard]] SocketWatch watch_socket(zmq::socket_t& socket, std::function<void()> on_readable);
};

// A timer registration, owned. Destroying, resetting or assigning over it cancels the timer.
// A one-shot timer's handle stays set after it fired; its callback may reset() it (cancelling
// a timer from inside its own callback is allowed, and a no-op once it fired).
class Timer {
 public:
  Timer() = default;
  Timer(EventLoop& loop, TimerId id) noexcept : loop_(&loop), id_(id) {}
  Timer(Timer&& other) noexcept : loop_(std::exchange(other.loop_, nullptr)), id_(other.id_) {}
  Timer& operator=(Timer&& other) noexcept {
    if (this != &other) {
      reset();
      loop_ = std::exchange(other.loop_, nullptr);
      id_ = other.id_;
    }
    return *this;
  }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  ~Timer() { reset(); }

  void reset() noexcept {
    if (loop_ != nullptr) std::exchange(loop_, nullptr)->cancel_timer(id_);
  }
  bool armed() const noexcept { return loop_ != nullptr; }
  explicit operator bool() const noexcept { return armed(); }
  // Which timer this is (for an owner that keeps several and must tell the firing one apart).
  TimerId id() const noexcept { return id_; }

 private:
  EventLoop* loop_ = nullptr;
  TimerId id_ = 0;
};

// A socket's registration with the loop, owned. Destroying, resetting or assigning over it
// removes the socket from the loop, so declare it after the socket it watches (members are
// destroyed in reverse order) or reset it before closing the socket.
class SocketWatch {
 public:
  SocketWatch() = default;
  SocketWatch(EventLoop& loop, zmq::socket_t& socket) noexcept : loop_(&loop), socket_(&socket) {}
  SocketWatch(SocketWatch&& other) noexcept
      : loop_(std::exchange(other.loop_, nullptr)), socket_(std::exchange(other.socket_, nullptr)) {}
  SocketWatch& operator=(SocketWatch&& other) noexcept {
    if (this != &other) {
      reset();
      loop_ = std::exchange(other.loop_, nullptr);
      socket_ = std::exchange(other.socket_, nullptr);
    }
    return *this;
  }
  SocketWatch(const SocketWatch&) = delete;
  SocketWatch& operator=(const SocketWatch&) = delete;
  ~SocketWatch() { reset(); }

  void reset() noexcept {
    if (loop_ != nullptr) std::exchange(loop_, nullptr)->remove_socket(*std::exchange(socket_, nullptr));
  }
  bool active() const noexcept { return loop_ != nullptr; }

 private:
  EventLoop* loop_ = nullptr;
  zmq::socket_t* socket_ = nullptr;
};

inline Timer EventLoop::start_timer(std::chrono::milliseconds after, std::function<void()> fn, bool repeat) {
  return Timer(*this, add_timer(after, std::move(fn), repeat));
}

inline SocketWatch EventLoop::watch_socket(zmq::socket_t& socket, std::function<void()> on_readable) {
  add_socket(socket, std::move(on_readable));
  return SocketWatch(*this, socket);
}

}  // namespace bib
