// Discovery from the configuration: a fixed rank and peer list (see static_membership.hpp for
// the options). Swapping it for discovery-reference is a config change.
#include <functional>
#include <optional>
#include <vector>

#include "bib/plugin_export.hpp"
#include "bib/sdk.hpp"
#include "static_membership.hpp"

namespace bib::discovery {
namespace {

std::string peer_list_text(const std::vector<Peer>& peers) {
  if (peers.empty()) return "none";
  std::string text;
  for (const Peer& peer : peers) {
    if (!text.empty()) text += ", ";
    text += peer.name + " (rank " + std::to_string(peer.rank) + ", " + peer.address + ")";
  }
  return text;
}

class StaticDiscovery final : public DiscoveryPlugin {
 public:
  void configure(Context& ctx) override {
    membership_ = parse_static_membership(ctx.config(), ctx.node_name());
    ctx.log().info("discovery: '{}' has rank {} (static); peers: {}", ctx.node_name(), membership_.rank,
                   peer_list_text(membership_.peers));
  }

  std::optional<int> rank() const override { return membership_.rank; }
  std::vector<Peer> peers() const override { return membership_.peers; }
  // Nothing ever changes, so no callback is ever due.
  void on_change(std::function<void()>) override {}

 private:
  StaticMembership membership_;
};

}  // namespace
}  // namespace bib::discovery

BIB_PLUGIN_NAMED("discovery-static", bib::PluginKind::discovery, "1.0.0", bib::discovery::StaticDiscovery)
