// What the election and the clock synchronisation both need of the other servers: our rank
// and theirs as discovery knows them, and one PeerLink (request-reply on 5561) per peer.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bib/context.hpp"
#include "bib/discovery.hpp"
#include "peer_link.hpp"

namespace bib::coordination {

class Peers {
 public:
  Peers(Context& ctx, DiscoveryPlugin& discovery, int peer_port)
      : ctx_(ctx), discovery_(discovery), peer_port_(peer_port) {}

  std::optional<int> my_rank() const { return discovery_.rank(); }
  std::vector<Peer> list() const { return discovery_.peers(); }
  std::optional<Peer> find(const std::string& name) const;
  // The link to `peer`, made on first use and moved when its address changed.
  PeerLink& link(const Peer& peer);
  void close_all() { links_.clear(); }

 private:
  Context& ctx_;
  DiscoveryPlugin& discovery_;
  int peer_port_;
  std::map<std::string, std::unique_ptr<PeerLink>> links_;  // by peer name
};

}  // namespace bib::coordination
