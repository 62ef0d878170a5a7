#include "peers.hpp"

#include "bib/net.hpp"

namespace bib::coordination {

std::optional<Peer> Peers::find(const std::string& name) const {
  for (Peer& peer : discovery_.peers())
    if (peer.name == name) return peer;
  return std::nullopt;
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
