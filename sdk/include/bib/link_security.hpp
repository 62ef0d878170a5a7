// How a node's sockets authenticate and encrypt their links (docs/security.md): the one place
// that makes a socket a CURVE server or client, lent to plugins by Context::link_security().
//
// The scheme: every listening socket of a node proves itself with that node's key pair, and a
// connecting socket checks it against keys_dir/<name of the node it connects to>.pub:
//
//   auto socket = bib::network_socket(ctx.zmq_context(), zmq::socket_type::dealer, ctx.max_message_bytes());
//   ctx.link_security().connect_to_member(socket, "server-2");  // expects keys_dir/server-2.pub
//   socket.connect("tcp://127.0.2.2:5562");
//
// The broker, proxy and reference are "broker", "proxy" and "reference" (their host.name in
// configs/); servers are found under the names discovery gives. On the listening side the ZAP
// handler (host/zap_handler.hpp) accepts a client only when its key is one of keys_dir's *.pub.
//
// With security "none" (the default) every call here leaves the socket as it is: plain
// ZeroMQ, as the course protocol has it.
#pragma once

#include <string>
#include <string_view>

#include <zmq.hpp>

#include "bib/curve_keys.hpp"
#include "bib/export.hpp"

namespace bib {

// The names the roles with one process each are known by: their key files are
// keys_dir/broker.pub, proxy.pub and reference.pub (their host.name in configs/).
inline constexpr std::string_view kBrokerKeyName = "broker";
inline constexpr std::string_view kProxyKeyName = "proxy";
inline constexpr std::string_view kReferenceKeyName = "reference";

class BIB_SDK_API LinkSecurity {
 public:
  // The ZAP domains the handler tells apart: cluster links need a listed key; client ports
  // (broker 5555, proxy 5558) take any client key (encryption only).
  static constexpr const char* kClusterDomain = "bib-cluster";
  static constexpr const char* kClientDomain = "bib-clients";

  // Plain everywhere.
  LinkSecurity() = default;
  // `own`: this node's pair; `keys_dir`: the folder of every member's NAME.pub. cluster: CURVE
  // on the links between the cluster's processes; clients: CURVE on the client-facing ports.
  LinkSecurity(CurveKeyPair own, std::string keys_dir, bool cluster, bool clients);

  bool cluster_curve() const { return cluster_; }
  bool clients_curve() const { return clients_; }
  const std::string& keys_dir() const { return keys_dir_; }
  const CurveKeyPair& own() const { return own_; }

  // Before bind, on a port only the cluster's processes use (5556, 5557, 5560, 5561, 5562).
  void listen_for_members(zmq::socket_t& socket) const;
  // Before bind, on a client-facing port (5555, 5558).
  void listen_for_clients(zmq::socket_t& socket) const;
  // Before connect, to a member's cluster port. Throws std::runtime_error when the member's
  // public key file is missing or unreadable: without it the link could not be checked.
  void connect_to_member(zmq::socket_t& socket, std::string_view member) const;
  // Before connect, to a member's client-facing port (a server's subscription to the proxy).
  void connect_to_client_port(zmq::socket_t& socket, std::string_view member) const;

  // keys_dir/<member>.pub
  std::string public_key_file(std::string_view member) const;

  // The member a message received on a cluster port came from: under CURVE, the ZAP user id the
  // handler gave its connection (the name of the .pub file holding the sender's key, so key
  // files are named after their nodes); "" when the cluster links are plain.
  std::string member_of(const zmq::message_t& message) const;

 private:
  CurveKeyPair own_;
  std::string keys_dir_;
  bool cluster_ = false;
  bool clients_ = false;
};

}  // namespace bib
