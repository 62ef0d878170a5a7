// Where a log keeps each of its events, by identity (origin, seq), for the plugins that keep
// their own log (memory: an index into a vector; json: a file and an offset). (origin, seq)
// identifies an event cluster-wide (docs/architecture.md), so a second append of the same
// pair is ignored, as the sqlite plugin's INSERT OR IGNORE does, and replay never hands the
// host the same event twice. The index also answers the reads of PersistencePlugin: one
// event, and the events of an origin after a seq.
//
// An origin's seqs run 1, 2, 3... with few gaps, so they sit in a vector indexed by seq: 8
// bytes per event, which keeps a million events' index at 8 MiB. A seq far beyond the others
// (only a bug or a forged event makes one) goes to a small map instead, so it cannot make the
// vector huge.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bib/state_bytes.hpp"

namespace bib::persistence {

class EventIndex {
 public:
  // Records that (origin, seq) is at `where`. False, and nothing changes, when it was there.
  bool insert(const std::string& origin, std::uint64_t seq, std::uint64_t where);
  bool contains(std::string_view origin, std::uint64_t seq) const { return find(origin, seq).has_value(); }
  std::optional<std::uint64_t> find(std::string_view origin, std::uint64_t seq) const;
  // Where the first `limit` events of origin with seq > after are, in seq order.
  std::vector<std::uint64_t> after(std::string_view origin, std::uint64_t after, std::size_t limit) const;
  void clear() { by_origin_.clear(); }

  // For a plugin's checkpoint: the whole index as bytes, and back (load replaces it; it throws
  // std::runtime_error on bytes save did not write).
  void save(StateWriter& out) const;
  void load(StateReader& in);

 private:
  static constexpr std::uint64_t kNone = std::numeric_limits<std::uint64_t>::max();
  // How far past the dense part a seq may land and still grow it.
  static constexpr std::uint64_t kMaxGap = 4096;
  struct Origin {
    std::vector<std::uint64_t> dense;           // seq n at dense[n - 1], kNone when absent
    std::map<std::uint64_t, std::uint64_t> far;  // seqs beyond dense.size() + kMaxGap
  };
  std::map<std::string, Origin, std::less<>> by_origin_;
};

inline bool EventIndex::insert(const std::string& origin, std::uint64_t seq, std::uint64_t where) {
  Origin& o = by_origin_[origin];
  if (seq == 0 || seq > o.dense.size() + kMaxGap) return o.far.emplace(seq, where).second;
  if (seq > o.dense.size()) {
    o.dense.resize(seq, kNone);
    // Seqs the vector now covers move into it.
    for (auto it = o.far.begin(); it != o.far.end() && it->first <= o.dense.size();) {
      if (it->first > 0) o.dense[it->first - 1] = it->second;
      it = it->first > 0 ? o.far.erase(it) : std::next(it);
    }
  }
  std::uint64_t& slot = o.dense[seq - 1];
  if (slot != kNone) return false;
  slot = where;
  return true;
}

inline std::optional<std::uint64_t> EventIndex::find(std::string_view origin, std::uint64_t seq) const {
  auto o = by_origin_.find(origin);
  if (o == by_origin_.end()) return std::nullopt;
  if (seq >= 1 && seq <= o->second.dense.size()) {
    const std::uint64_t where = o->second.dense[seq - 1];
    if (where == kNone) return std::nullopt;
    return where;
  }
  auto found = o->second.far.find(seq);
  if (found == o->second.far.end()) return std::nullopt;
  return found->second;
}

inline std::vector<std::uint64_t> EventIndex::after(std::string_view origin, std::uint64_t after,
                                                    std::size_t limit) const {
  std::vector<std::uint64_t> out;
  auto o = by_origin_.find(origin);
  if (o == by_origin_.end()) return out;
  const auto& dense = o->second.dense;
  for (std::uint64_t seq = after + 1; seq <= dense.size() && out.size() < limit; ++seq)
    if (dense[seq - 1] != kNone) out.push_back(dense[seq - 1]);
  for (auto it = o->second.far.upper_bound(after); it != o->second.far.end() && out.size() < limit; ++it)
    out.push_back(it->second);
  return out;
}

inline void EventIndex::save(StateWriter& out) const {
  out.u64(by_origin_.size());
  for (const auto& [origin, o] : by_origin_) {
    out.str(origin);
    out.pod_vector(o.dense);
    out.u64(o.far.size());
    for (const auto& [seq, where] : o.far) {
      out.u64(seq);
      out.u64(where);
    }
  }
}

inline void EventIndex::load(StateReader& in) {
  std::map<std::string, Origin, std::less<>> by_origin;
  for (std::uint64_t n = in.count(3 * sizeof(std::uint64_t)); n > 0; --n) {
    std::string origin = in.str();
    Origin o;
    o.dense = in.pod_vector<std::uint64_t>();
    for (std::uint64_t far = in.count(2 * sizeof(std::uint64_t)); far > 0; --far) {
      const std::uint64_t seq = in.u64();
      o.far.emplace(seq, in.u64());
    }
    by_origin.emplace(std::move(origin), std::move(o));
  }
  by_origin_.swap(by_origin);
}

}  // namespace bib::persistence
