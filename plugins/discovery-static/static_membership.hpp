// The discovery-static plugin's options, checked, free of the host: a fixed rank and peer list.
//
//   [[plugins]]
//   name = "discovery-static"
//   rank = 2
//   peers = [ { name = "server-1", rank = 1, address = "127.0.2.1" },
//             { name = "server-3", rank = 3, address = "127.0.2.3" } ]
//
// `peers` may also list this node itself (matched by host.name): that entry is left out of
// the peers and gives the rank when `rank` is absent, so every server can share one list.
#pragma once

#include <string>
#include <vector>

#include "bib/discovery.hpp"
#include "bib/value.hpp"

namespace bib::discovery {

struct StaticMembership {
  int rank = 0;
  std::vector<Peer> peers;  // sorted by rank, without this node
};

// Throws std::invalid_argument naming the option and the entry when something is wrong:
// missing or non-positive rank, a peer without name or address, a name or rank used twice.
StaticMembership parse_static_membership(const Value& config, const std::string& self);

}  // namespace bib::discovery
