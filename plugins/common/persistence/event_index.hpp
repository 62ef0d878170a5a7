// Where a log keeps each of its events, by identity (origin, seq), for the plugins that hold
// their log in a vector (memory; json, which holds its records' text). (origin, seq) identifies
// an event cluster-wide (docs/architecture.md), so a second append of the same pair is
// ignored, as the sqlite plugin's INSERT OR IGNORE does, and replay never hands the host the
// same event twice. The index also answers the reads of PersistencePlugin: one event, and the
// events of an origin after a seq.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bib::persistence {

class EventIndex {
 public:
  // Records that (origin, seq) is at `where`. False, and nothing changes, when it was there.
  bool insert(const std::string& origin, std::uint64_t seq, std::size_t where) {
    return by_origin_[origin].emplace(seq, where).second;
  }
  bool contains(std::string_view origin, std::uint64_t seq) const { return find(origin, seq).has_value(); }
  std::optional<std::size_t> find(std::string_view origin, std::uint64_t seq) const {
    auto events = by_origin_.find(origin);
    if (events == by_origin_.end()) return std::nullopt;
    auto found = events->second.find(seq);
    if (found == events->second.end()) return std::nullopt;
    return found->second;
  }
  // Where the first `limit` events of origin with seq > after are, in seq order.
  std::vector<std::size_t> after(std::string_view origin, std::uint64_t after, std::size_t limit) const {
    std::vector<std::size_t> out;
    auto events = by_origin_.find(origin);
    if (events == by_origin_.end()) return out;
    for (auto it = events->second.upper_bound(after); it != events->second.end() && out.size() < limit; ++it)
      out.push_back(it->second);
    return out;
  }
  void clear() { by_origin_.clear(); }

 private:
  std::map<std::string, std::map<std::uint64_t, std::size_t>, std::less<>> by_origin_;
};

}  // namespace bib::persistence
