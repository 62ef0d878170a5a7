#include "bib/link_security.hpp"

#include <utility>

namespace bib {

LinkSecurity::LinkSecurity(CurveKeyPair own, std::string keys_dir, bool cluster, bool clients)
    : own_(std::move(own)), keys_dir_(std::move(keys_dir)), cluster_(cluster), clients_(clients) {}

void LinkSecurity::listen_for_members(zmq::socket_t& socket) const {
  if (cluster_) make_curve_server(socket, own_, kClusterDomain);
}

void LinkSecurity::listen_for_clients(zmq::socket_t& socket) const {
  if (clients_) make_curve_server(socket, own_, kClientDomain);
}

void LinkSecurity::connect_to_member(zmq::socket_t& socket, std::string_view member) const {
  if (cluster_) make_curve_client(socket, own_, read_curve_public_key(public_key_file(member)));
}

void LinkSecurity::connect_to_client_port(zmq::socket_t& socket, std::string_view member) const {
  if (clients_) make_curve_client(socket, own_, read_curve_public_key(public_key_file(member)));
}

std::string LinkSecurity::member_of(const zmq::message_t& message) const {
  if (!cluster_) return {};
  const char* id = zmq_msg_gets(message.handle(), "User-Id");
  return id == nullptr ? std::string() : std::string(id);
}

std::string LinkSecurity::public_key_file(std::string_view member) const {
  return keys_dir_ + "/" + std::string(member) + ".pub";
}

}  // namespace bib
