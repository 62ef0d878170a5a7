// One peer's outbox (docs/replication.md, "push"): the events not yet acknowledged by that
// peer, sent in batches with one batch in flight at a time. Pure state: the Replicator sends
// the batches and runs the retry timer with the Backoff below.
//
//   push(e1) push(e2) push(e3)   queued [e1 e2 e3]
//   take_batch()                 in flight [e1 e2 e3] (batch 1), queued []
//   push(e4)                     queued [e4]
//   acknowledge(1, {e1 e2 e3})   batch 1 complete; take_batch() -> [e4] (batch 2)
//
// Bounded: when queued + in flight would exceed the limit, the queue is dropped (the batch in
// flight stays) and the peer catches up through anti-entropy instead.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "bib/value.hpp"
#include "replication_messages.hpp"

namespace bib::replication {

struct OutboxLimits {
  std::size_t batch_events = 256;       // events per batch
  std::size_t batch_bytes = 1 << 20;    // encoded events per batch (at least one event per batch)
  std::size_t max_events = 100000;      // queued + in flight
};

class PeerOutbox {
 public:
  struct Entry {
    EventId id;
    Value event;  // to_value(event)
    std::size_t bytes = 0;
  };

  explicit PeerOutbox(OutboxLimits limits) : limits_(limits) {}

  // Queues an event. Returns how many queued events were dropped to stay within the limit
  // (0 normally; then the new event is dropped too and counted).
  std::size_t push(EventId id, Value event, std::size_t bytes);

  // Moves the next batch from the queue into flight when nothing is in flight; returns the
  // batch in flight (empty when there is none and nothing is queued).
  const std::vector<Entry>& take_batch();
  const std::vector<Entry>& in_flight() const { return in_flight_; }
  bool has_in_flight() const { return !in_flight_.empty(); }
  std::uint64_t batch_number() const { return batch_number_; }

  // The peer holds `ids` (acknowledged or permanently failed). An answer to the batch in flight
  // completes it even when it leaves ids out (the peer could not read them): those are
  // returned so the caller can say so. Returns true when the batch in flight is now complete.
  struct AckResult {
    bool completed = false;
    std::vector<EventId> unanswered;
  };
  AckResult acknowledge(std::uint64_t batch, const std::vector<EventId>& ids);

  std::size_t queued() const { return queue_.size(); }
  std::size_t size() const { return queue_.size() + in_flight_.size(); }
  std::uint64_t dropped() const { return dropped_; }
  void clear();

 private:
  OutboxLimits limits_;
  std::deque<Entry> queue_;
  std::vector<Entry> in_flight_;
  std::uint64_t batch_number_ = 0;
  std::uint64_t dropped_ = 0;
};

// Retry delays: first, then doubled after each unanswered attempt, up to max.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds first, std::chrono::milliseconds max) : first_(first), max_(max), delay_(first) {}
  std::chrono::milliseconds delay() const { return delay_; }
  void grow() { delay_ = std::min(max_, delay_ * 2); }
  void reset() { delay_ = first_; }

 private:
  std::chrono::milliseconds first_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds delay_;
};

}  // namespace bib::replication
