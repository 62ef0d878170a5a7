// Every event this node has applied: their count and digest, and where to read them back
// (docs/replication.md, docs/persistence.md). With a persistence plugin the events live there
// and only the most recent ones stay in memory, so memory does not grow with history; without
// one (nothing is durable) memory is the only place they are, and all of them stay.
//
// The digest is order-independent: the sum (mod 2^64) of a 64-bit hash of each event's
// identity (origin, seq) and of what makes it immutable (clock, service). Two replicas with
// the same events have the same digest whatever order they applied them in; content is not
// hashed because (origin, seq) already names exactly one write cluster-wide, and it keeps
// the digest stable across persistence formats that round floats differently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bib/persistence.hpp"
#include "bib/service.hpp"
#include "bib/state_bytes.hpp"

namespace bib::host {

class EventLog {
 public:
  static constexpr std::size_t kDefaultRecent = 4096;

  // store: where every applied event is appended, or null. recent: how many of the latest
  // events are kept in memory besides (they answer most reads: the newest page, a peer that
  // is a moment behind).
  explicit EventLog(bib::PersistencePlugin* store = nullptr, std::size_t recent = kDefaultRecent);

  // Counts the event. The caller adds each (origin, seq) once (EventStore decides).
  void add(const bib::Event& event);
  // The event, from memory or the store; nothing when it is in neither. Throws when the
  // store cannot be read.
  std::optional<bib::Event> find(std::string_view origin, std::uint64_t seq) const;
  // Up to limit events of origin with seq > after, in seq order.
  std::vector<bib::Event> after(std::string_view origin, std::uint64_t after, std::size_t limit) const;
  std::uint64_t size() const noexcept { return size_; }
  // Events held in memory now (at most `recent` when there is a store).
  std::size_t in_memory() const noexcept { return in_memory_; }
  // 16 lowercase hex digits.
  std::string digest() const;

  // For the host's checkpoint: the count and the digest (the events are in the store).
  void save(bib::StateWriter& out) const;
  void load(bib::StateReader& in);
  // The count and digest of another log (one load() filled), the events staying in the store.
  void adopt_totals(const EventLog& other) {
    size_ = other.size_;
    digest_ = other.digest_;
  }

  // The hash of one event that the digest sums (exposed for tests).
  static std::uint64_t event_hash(const bib::Event& event);

 private:
  bib::PersistencePlugin* store_;
  std::size_t recent_;
  std::map<std::string, std::map<std::uint64_t, bib::Event>, std::less<>> by_origin_;
  std::deque<std::pair<std::string, std::uint64_t>> arrival_;  // with a store: oldest first
  std::size_t in_memory_ = 0;
  std::uint64_t size_ = 0;
  std::uint64_t digest_ = 0;
};

}  // namespace bib::host
