#include "event_store.hpp"

namespace bib::host {

bool EventStore::applied(const std::string& origin, std::uint64_t seq) const {
  auto it = origins_.find(origin);
  if (it == origins_.end()) return false;
  return seq <= it->second.contiguous || it->second.ahead.count(seq) != 0;
}

bool EventStore::mark(const std::string& origin, std::uint64_t seq) {
  if (seq == 0 || applied(origin, seq)) return false;
  Origin& o = origins_[origin];
  o.ahead.insert(seq);
  // Close the gap: move every now-contiguous seq out of `ahead`.
  while (!o.ahead.empty() && *o.ahead.begin() == o.contiguous + 1) {
    o.ahead.erase(o.ahead.begin());
    ++o.contiguous;
  }
  ++count_;
  return true;
}

VersionVector EventStore::version_vector() const {
  VersionVector out;
  for (const auto& [origin, o] : origins_) out[origin] = o.contiguous;
  return out;
}

std::uint64_t EventStore::highest(const std::string& origin) const {
  auto it = origins_.find(origin);
  if (it == origins_.end()) return 0;
  return it->second.ahead.empty() ? it->second.contiguous : *it->second.ahead.rbegin();
}

void EventStore::save(bib::StateWriter& out) const {
  out.u64(count_);
  out.u64(origins_.size());
  for (const auto& [origin, o] : origins_) {
    out.str(origin);
    out.u64(o.contiguous);
    out.pod_vector(std::vector<std::uint64_t>(o.ahead.begin(), o.ahead.end()));
  }
}

void EventStore::load(bib::StateReader& in) {
  std::map<std::string, Origin, std::less<>> origins;
  const std::uint64_t count = in.u64();
  for (std::uint64_t n = in.count(3 * sizeof(std::uint64_t)); n > 0; --n) {
    std::string origin = in.str();
    Origin o;
    o.contiguous = in.u64();
    const auto ahead = in.pod_vector<std::uint64_t>();
    o.ahead.insert(ahead.begin(), ahead.end());
    origins.emplace(std::move(origin), std::move(o));
  }
  origins_.swap(origins);
  count_ = count;
}

}  // namespace bib::host
