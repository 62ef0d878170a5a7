#include "static_membership.hpp"

#include <algorithm>
#include <climits>
#include <optional>
#include <set>
#include <stdexcept>

#include "bib/options.hpp"

namespace bib::discovery {

namespace {

int positive_rank(std::int64_t value, const std::string& where) {
  if (value < 1 || value > INT_MAX) throw std::invalid_argument(where + ": rank must be a positive integer");
  return static_cast<int>(value);
}

}  // namespace

StaticMembership parse_static_membership(const Value& config, const std::string& self) {
  require_known_options(config, {"rank", "peers"});
  std::optional<int> rank;
  if (const auto rank_option = read_options([&] { return config.opt_int("rank"); }))
    rank = positive_rank(*rank_option, "option 'rank'");

  StaticMembership result;
  std::optional<int> listed_rank;  // this node's rank as the peer list gives it
  std::set<std::string> names;
  std::set<int> ranks;
  const Value* peers = config.find("peers");
  if (peers != nullptr && !peers->is_nil()) {
    if (!peers->is_array()) throw std::invalid_argument("option 'peers' must be an array of {name, rank, address}");
    int index = 0;
    for (const Value& entry : peers->as_array()) {
      const std::string where = "option 'peers' entry " + std::to_string(index++);
      if (!entry.is_map()) throw std::invalid_argument(where + ": must be a table {name, rank, address}");
      Peer peer;
      try {
        peer.name = entry.get_string("name");
        peer.rank = positive_rank(entry.get_int("rank"), where);
        peer.address = entry.get_string("address");
      } catch (const FieldError& e) {
        throw std::invalid_argument(where + ": " + e.what());
      }
      if (peer.name.empty()) throw std::invalid_argument(where + ": name is empty");
      if (!names.insert(peer.name).second) throw std::invalid_argument(where + ": name '" + peer.name + "' used twice");
      if (!ranks.insert(peer.rank).second) {
        throw std::invalid_argument(where + ": rank " + std::to_string(peer.rank) + " used twice");
      }
      if (peer.name == self) {
        listed_rank = peer.rank;
      } else {
        result.peers.push_back(std::move(peer));
      }
    }
  }

  if (!rank && !listed_rank) {
    throw std::invalid_argument("option 'rank' is missing (and '" + self + "' is not in option 'peers')");
  }
  if (rank && listed_rank && *rank != *listed_rank) {
    throw std::invalid_argument("option 'rank' is " + std::to_string(*rank) + " but option 'peers' gives '" + self +
                                "' rank " + std::to_string(*listed_rank));
  }
  result.rank = rank ? *rank : *listed_rank;
  if (!listed_rank && ranks.count(result.rank)) {
    throw std::invalid_argument("option 'rank' " + std::to_string(result.rank) + " is also a peer's rank");
  }
  std::sort(result.peers.begin(), result.peers.end(), [](const Peer& a, const Peer& b) { return a.rank < b.rank; });
  return result;
}

}  // namespace bib::discovery
