// The server side of the broker's worker protocol (docs/protocol.md; docs/broker.md): a DEALER
// connected to host.broker that registers this node, exchanges heartbeats, and hands each
// request to the dispatcher.
//
//   server -> broker   ["READY", "server-2", incarnation, generation, holding...]   ["HEARTBEAT"]
//                      ["REPLY", id, body]   ["DISCONNECT"]
//   broker -> server   ["REQUEST", id, body]   ["HEARTBEAT"]   ["DISCONNECT"]
//
// Liveness: any message from the broker counts as a heartbeat. After host.liveness heartbeat
// intervals of silence the broker is taken for dead: the socket is closed and a fresh one
// opened after a back-off (250 ms, doubling up to 4 s, back to 250 ms once the broker is heard
// again), which registers again. ["DISCONNECT"] from the broker (it restarted, or evicted us)
// opens a fresh connection and registers again at once.
//
// A stall (SIGSTOP, a loop blocked for seconds): the broker stops hearing us and, after
// host.liveness intervals, sends what we held to other servers. Serving those requests after
// waking would apply them a second time, so a worker that notices it was stalled for more than
// liveness - 1 intervals drops its connection unread and registers afresh (the broker then
// resends anything it still counted on us for).
//
// Each connection has a generation within this process run (the incarnation). READY names
// both, so the broker can tell a late READY of a replaced connection from a newer one, and
// lists the requests this server is still answering: a new connection takes them over and
// their replies (possibly much later: a write waits for its commit) go out on it. A reply with
// no connection open waits for the next one. A REQUEST this server is already answering
// (the broker sent it again) is not handled twice.
#pragma once

#include <chrono>
#include <deque>
#include <set>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "bib/event_loop.hpp"
#include "bib/lifeline.hpp"
#include "bib/link_security.hpp"
#include "bib/logger.hpp"
#include "config.hpp"

namespace bib::host {

class BrokerWorker {
 public:
  using Handler =
      std::function<void(std::string_view request, std::function<void(std::string reply)>)>;

  // Everything is used from the loop thread. settings.broker is the endpoint to connect to.
  BrokerWorker(zmq::context_t& zmq, const bib::LinkSecurity& security, bib::EventLoop& loop,
               const HostSettings& settings, spdlog::logger& log, Handler handler);
  ~BrokerWorker();
  BrokerWorker(const BrokerWorker&) = delete;
  BrokerWorker& operator=(const BrokerWorker&) = delete;

  void start();  // connect, READY, start heartbeats
  void stop();   // DISCONNECT (the broker resends what we hold), close; late replies are dropped
  // PAUSE: the broker sends us nothing new, while we answer what we hold and stay registered
  // (so nothing we hold is sent to another server); RESUME when `paused` is false again. Said
  // again after every READY, so a new connection or a restarted broker knows it too.
  void set_paused(bool paused, const std::string& reason);

 private:
  void connect();
  void close_socket();
  void reconnect_later(std::chrono::milliseconds delay);
  void on_readable();
  void on_heartbeat_timer();
  // True (and a fresh connection opened) when the loop was stalled too long; see above.
  bool recovered_from_stall();
  void send(std::string_view command, std::string_view id = {}, std::string_view body = {});
  void send_frames(std::string_view command, const std::vector<zmq::const_buffer>& frames);
  void send_reply(const std::string& id, std::string body);
  void send_pause_state();

  zmq::context_t& zmq_;
  const bib::LinkSecurity& security_;
  bib::EventLoop& loop_;
  const std::string name_;
  const std::string endpoint_;
  const std::chrono::milliseconds heartbeat_;
  const int liveness_limit_;
  const std::int64_t max_message_bytes_;
  spdlog::logger& log_;
  Handler handler_;

  std::optional<zmq::socket_t> socket_;
  bib::SocketWatch socket_watch_;  // after socket_: removed from the loop before it closes
  const std::uint64_t incarnation_;  // this process run: microseconds since the epoch at start
  std::uint64_t generation_ = 0;     // bumped by every new connection
  std::set<std::string> holding_;    // request ids handed to the dispatcher, not yet answered
  std::deque<std::pair<std::string, std::string>> unsent_replies_;  // (id, body): no connection
  int liveness_ = 0;              // heartbeat intervals left before the broker counts as dead
  std::chrono::milliseconds backoff_;
  bib::Timer heartbeat_timer_;
  std::chrono::steady_clock::time_point last_tick_;  // last heartbeat tick or connection
  bib::Timer reconnect_timer_;
  bool running_ = false;
  bool paused_ = false;
  bool ever_paused_ = false;  // after a READY, RESUME is said only once a PAUSE may be known
  std::string pause_reason_;
  std::thread::id loop_thread_;
  // Reply callbacks are guarded: once this object is gone they do nothing.
  bib::Lifeline lifeline_;
};

}  // namespace bib::host
