// What the election and the clock synchronisation both need of the other servers: our rank
// and theirs as discovery knows them, and one PeerLink (request-reply on 5561) per peer.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bib/context.hpp"
#include "bib/discovery.hpp"
#include "bib/refusal_log.hpp"
#include "peer_link.hpp"

namespace bib::coordination {

class Peers {
 public:
  Peers(Context& ctx, DiscoveryPlugin& discovery, int peer_port)
      : ctx_(ctx), discovery_(discovery), peer_port_(peer_port), refusals_(ctx.log(), ctx.loop()) {}

  std::optional<int> my_rank() const { return discovery_.rank(); }
  std::vector<Peer> list() const { return discovery_.peers(); }
  std::optional<Peer> find(const std::string& name) const;
  // The member a peer's request names in `from` (PeerLink puts it in every request), or nothing
  // once the refusal is logged: elections and clock corrections are taken only from servers
  // discovery lists, at the rank it lists, when `rank` is given (docs/security.md). `what`
  // names the request in the refusal.
  std::optional<Peer> sender(const Value& data, std::string_view what);
  // Logs a refused message of the `servers` topic or a peer (rate-limited, bib/refusal_log.hpp).
  void refuse(std::string_view kind, std::string_view detail) { refusals_.refuse(kind, detail); }
  // The link to `peer`, made on first use and moved when its address changed.
  PeerLink& link(const Peer& peer);
  void close_all() {
    links_.clear();
    refusals_.flush();
  }

 private:
  Context& ctx_;
  DiscoveryPlugin& discovery_;
  int peer_port_;
  std::map<std::string, std::unique_ptr<PeerLink>> links_;  // by peer name
  RefusalLog refusals_;
};

}  // namespace bib::coordination
