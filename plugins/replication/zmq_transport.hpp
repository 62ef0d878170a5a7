// The replication transport over ZeroMQ: a ROUTER bound on option `listen`, one DEALER per
// peer, everything on the host's loop (no threads). Every message sent or received is one
// line on the wire log (periodic empty anti-entropy exchanges at debug, the rest at info);
// outgoing data is stamped with timestamp and clock, incoming data feeds the Lamport clock.
// Sockets: linger 0, ZMQ_MAXMSGSIZE = host.max_message_bytes. What cannot be read (a wrong frame
// layout, undecodable bytes) is dropped and reported once per interval: 5562 has no error replies.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "bib/context.hpp"
#include "bib/refusal_log.hpp"
#include "transport.hpp"

namespace bib::replication {

class ZmqTransport final : public Transport {
 public:
  ZmqTransport(Context& ctx, std::string listen);
  ~ZmqTransport() override;

  void open(Handler handler) override;
  void close() override;
  void connect(const std::string& peer, const std::string& endpoint) override;
  void disconnect(const std::string& peer) override;
  void reconnect(const std::string& peer) override;
  bool send(const std::string& peer, Envelope message) override;
  void reply(const std::string& route, const std::string& peer, Envelope message) override;

 private:
  struct PeerSocket {
    std::string endpoint;
    std::unique_ptr<zmq::socket_t> socket;
    SocketWatch watch;  // after socket: removed from the loop before it closes
  };
  std::unique_ptr<zmq::socket_t> make_socket(zmq::socket_type type);
  void open_peer(const std::string& peer, PeerSocket& link);
  void close_peer(PeerSocket& link);
  void on_router_readable();
  void on_peer_readable(const std::string& peer, zmq::socket_t* socket);
  // Decode, log and hand over one received body (an undecodable one is logged and dropped).
  // `authenticated`: the member the ZAP handler admitted the sender as (CURVE), or "".
  void deliver(std::string_view body, std::string route, std::string peer, const std::string& who,
               const std::string& authenticated = "");
  void log_line(const char* direction, const std::string& who, const Envelope& message, std::size_t bytes);

  Context& ctx_;
  RefusalLog refusals_;
  std::string listen_;
  Handler handler_;
  std::unique_ptr<zmq::socket_t> router_;
  SocketWatch router_watch_;  // after router_: removed from the loop before it closes
  std::map<std::string, PeerSocket> peers_;
};

}  // namespace bib::replication
