#include "peer_outbox.hpp"

#include <algorithm>
#include <set>

namespace bib::replication {

std::size_t PeerOutbox::push(EventId id, Value event, std::size_t bytes) {
  if (size() + 1 > limits_.max_events) {
    const std::size_t dropped = queue_.size() + 1;
    queue_.clear();
    dropped_ += dropped;
    return dropped;
  }
  queue_.push_back(Entry{std::move(id), std::move(event), bytes});
  return 0;
}

const std::vector<PeerOutbox::Entry>& PeerOutbox::take_batch() {
  if (!in_flight_.empty() || queue_.empty()) return in_flight_;
  std::size_t bytes = 0;
  while (!queue_.empty() && in_flight_.size() < limits_.batch_events) {
    const std::size_t next = queue_.front().bytes;
    if (!in_flight_.empty() && bytes + next > limits_.batch_bytes) break;
    bytes += next;
    in_flight_.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  ++batch_number_;
  return in_flight_;
}

PeerOutbox::AckResult PeerOutbox::acknowledge(std::uint64_t batch, const std::vector<EventId>& ids) {
  AckResult result;
  if (in_flight_.empty()) return result;
  const std::set<EventId> held(ids.begin(), ids.end());
  std::erase_if(in_flight_, [&](const Entry& e) { return held.count(e.id) != 0; });
  if (batch == batch_number_) {
    for (const Entry& e : in_flight_) result.unanswered.push_back(e.id);
    in_flight_.clear();
  }
  result.completed = in_flight_.empty();
  return result;
}

void PeerOutbox::clear() {
  queue_.clear();
  in_flight_.clear();
}

}  // namespace bib::replication
