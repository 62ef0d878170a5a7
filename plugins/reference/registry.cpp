#include "registry.hpp"

#include <algorithm>

namespace bib::reference {

Registry::Registry(std::chrono::milliseconds heartbeat_timeout) : timeout_(heartbeat_timeout) {}

void Registry::restore(const std::map<std::string, int>& ranks) {
  for (const auto& [name, rank] : ranks) {
    entries_[name].rank = rank;
    highest_rank_ = std::max(highest_rank_, rank);
  }
}

bool Registry::fresh(const Entry& entry, TimePoint now) const {
  return entry.last_seen && now - *entry.last_seen <= timeout_;
}

bool Registry::rank_taken(int rank) const {
  return std::any_of(entries_.begin(), entries_.end(), [rank](const auto& e) { return e.second.rank == rank; });
}

Registry::Registration Registry::register_server(const std::string& name, const std::string& address,
                                                 TimePoint now, std::optional<int> wanted_rank) {
  Registration result;
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    int rank = 0;
    if (wanted_rank && *wanted_rank > 0 && *wanted_rank <= kMaxWantedRank && !rank_taken(*wanted_rank)) {
      rank = *wanted_rank;
    } else {
      rank = highest_rank_ + 1;
    }
    highest_rank_ = std::max(highest_rank_, rank);
    it = entries_.emplace(name, Entry{rank, {}, {}, false}).first;
    result.new_rank = true;
  }
  Entry& entry = it->second;
  result.was_live = fresh(entry, now);
  if (!address.empty()) entry.address = address;
  entry.last_seen = now;
  entry.reported_stale = false;
  result.rank = entry.rank;
  return result;
}

Registry::Heartbeat Registry::heartbeat(const std::string& name, TimePoint now) {
  auto it = entries_.find(name);
  if (it == entries_.end() || !it->second.last_seen) return Heartbeat::unknown;
  Entry& entry = it->second;
  const bool was_fresh = fresh(entry, now);
  entry.last_seen = now;
  entry.reported_stale = false;
  return was_fresh ? Heartbeat::alive : Heartbeat::revived;
}

std::vector<Registry::Server> Registry::live(TimePoint now) const {
  std::vector<Server> servers;
  for (const auto& [name, entry] : entries_) {
    if (fresh(entry, now)) servers.push_back(Server{name, entry.rank, entry.address});
  }
  std::sort(servers.begin(), servers.end(), [](const Server& a, const Server& b) { return a.rank < b.rank; });
  return servers;
}

std::vector<Registry::Server> Registry::newly_stale(TimePoint now) {
  std::vector<Server> stale;
  for (auto& [name, entry] : entries_) {
    if (!entry.last_seen || entry.reported_stale || fresh(entry, now)) continue;
    entry.reported_stale = true;
    stale.push_back(Server{name, entry.rank, entry.address});
  }
  std::sort(stale.begin(), stale.end(), [](const Server& a, const Server& b) { return a.rank < b.rank; });
  return stale;
}

std::map<std::string, int> Registry::ranks() const {
  std::map<std::string, int> ranks;
  for (const auto& [name, entry] : entries_) ranks.emplace(name, entry.rank);
  return ranks;
}

}  // namespace bib::reference
