// The optional ROUTER at host.listen, for clients that talk to this node directly (tests,
// admin tools, a single server without a broker). It accepts
//   REQ clients:    [identity][""][body]
//   DEALER clients: [identity][body]  or  [identity][""][body]
// and answers with the same routing frames before the reply body. Any other frame layout goes
// to `refuse` (reported once per interval, answered `erro` on [identity][""]). Frames above
// host.max_message_bytes never arrive: ZeroMQ drops them (ZMQ_MAXMSGSIZE) and disconnects
// that peer.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <zmq.hpp>

#include "bib/lifeline.hpp"
#include "bib/link_security.hpp"
#include "bib/logger.hpp"
#include "event_loop.hpp"

namespace bib::host {

class DirectListener {
 public:
  // `member`: under CURVE, the member the sender's key names (LinkSecurity::member_of), else "".
  using Handler = std::function<void(std::string_view request, const std::string& member,
                                     std::function<void(std::string reply)> reply)>;
  // A message of a wrong frame layout: `problem` says what, `reply` sends the answer.
  using Refuse = std::function<void(const std::string& problem, std::function<void(std::string reply)> reply)>;

  DirectListener(zmq::context_t& zmq, const bib::LinkSecurity& security, EventLoop& loop, std::string endpoint,
                 std::int64_t max_message_bytes, spdlog::logger& log, Handler handler, Refuse refuse);
  ~DirectListener();
  DirectListener(const DirectListener&) = delete;
  DirectListener& operator=(const DirectListener&) = delete;

  void start();  // bind and register with the loop; throws zmq::error_t when the bind fails
  void stop();   // unregister and close; replies still pending are dropped

 private:
  void on_readable();
  void handle(std::vector<zmq::message_t>& frames);

  zmq::context_t& zmq_;
  const bib::LinkSecurity& security_;
  EventLoop& loop_;
  std::string endpoint_;
  std::int64_t max_message_bytes_;
  spdlog::logger& log_;
  Handler handler_;
  Refuse refuse_;
  std::optional<zmq::socket_t> socket_;
  bib::SocketWatch socket_watch_;  // after socket_: removed from the loop before it closes
  bib::Lifeline lifeline_;         // renewed by stop(): replies still pending are dropped
};

}  // namespace bib::host
