// The (origin, seq) pairs a log holds. (origin, seq) identifies an event cluster-wide
// (docs/architecture.md), so a second append of the same pair is ignored, as the sqlite plugin's
// INSERT OR IGNORE does, and replay never hands the host the same event twice.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace bib::persistence {

class EventKeys {
 public:
  // False when the pair was already there.
  bool insert(const std::string& origin, std::uint64_t seq) { return by_origin_[origin].insert(seq).second; }
  bool contains(const std::string& origin, std::uint64_t seq) const {
    auto it = by_origin_.find(origin);
    return it != by_origin_.end() && it->second.count(seq) != 0;
  }
  void clear() { by_origin_.clear(); }

 private:
  std::unordered_map<std::string, std::unordered_set<std::uint64_t>> by_origin_;
};

}  // namespace bib::persistence
