// Every event this node has applied, kept in memory by identity, so that replication can
// push and serve anti-entropy pulls without reading the persistence plugin back
// (docs/replication.md). Roughly the size of the events' data: 100 000 short posts take
// tens of MiB.
//
// The digest is order-independent: the sum (mod 2^64) of a 64-bit hash of each event's
// identity (origin, seq) and of what makes it immutable (clock, service). Two replicas with
// the same events have the same digest whatever order they applied them in; content is not
// hashed because (origin, seq) already names exactly one write cluster-wide, and it keeps
// the digest stable across persistence formats that round floats differently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "bib/service.hpp"

namespace bib::host {

class EventLog {
 public:
  // Keeps the event. The caller adds each (origin, seq) once (EventStore decides).
  void add(const bib::Event& event);
  // Up to limit events of origin with seq > after, in seq order.
  std::vector<bib::Event> after(std::string_view origin, std::uint64_t after, std::size_t limit) const;
  std::uint64_t size() const noexcept { return size_; }
  // 16 lowercase hex digits.
  std::string digest() const;

  // The hash of one event that the digest sums (exposed for tests).
  static std::uint64_t event_hash(const bib::Event& event);

 private:
  std::map<std::string, std::map<std::uint64_t, bib::Event>, std::less<>> by_origin_;
  std::uint64_t size_ = 0;
  std::uint64_t digest_ = 0;
};

}  // namespace bib::host
