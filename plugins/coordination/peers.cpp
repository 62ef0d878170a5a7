#include "peers.hpp"

#include "bib/net.hpp"

namespace bib::coordination {

std::optional<Peer> Peers::find(const std::string& name) const {
  for (Peer& peer : discovery_.peers())
    if (peer.name == name) return peer;
  return std::nullopt;
}

std::optional<Peer> Peers::sender(const Value& data, std::string_view what) {
  const std::optional<std::string> from = data.opt_string("from");
  if (!from) {
    refuse(std::string(what) + " from an unnamed sender", "no field 'from': " + data.to_string());
    return std::nullopt;
  }
  std::optional<Peer> member = find(*from);
  if (!member) {
    refuse(std::string(what) + " from a non-member", "'" + *from + "' is not among discovery's peers");
    return std::nullopt;
  }
  const std::optional<std::int64_t> rank = data.opt_int("rank");
  if (rank && *rank != member->rank) {
    refuse(std::string(what) + " with a forged rank", "'" + *from + "' claims rank " + std::to_string(*rank) +
                                                          "; discovery lists rank " + std::to_string(member->rank));
    return std::nullopt;
  }
  return member;
}

PeerLink& Peers::link(const Peer& peer) {
  const std::string endpoint = tcp_endpoint(peer.address, peer_port_);
  auto& slot = links_[peer.name];
  if (!slot)
    slot = std::make_unique<PeerLink>(ctx_, peer.name, endpoint);
  else
    slot->retarget(endpoint);
  return *slot;
}

}  // namespace bib::coordination
