#include "quorum_tracker.hpp"

#include <utility>

namespace bib::replication {

QuorumTracker::QuorumTracker(EventLoop& loop, std::chrono::milliseconds timeout,
                             std::function<std::size_t()> cluster_size)
    : loop_(loop), timeout_(timeout), cluster_size_(std::move(cluster_size)) {}

std::string QuorumTracker::failure(std::size_t holders, std::size_t servers, std::chrono::milliseconds waited) {
  return "write not confirmed by a quorum: " + std::to_string(holders) + " of " + std::to_string(servers) +
         " servers hold it, " + std::to_string(majority(servers)) + " needed after " + std::to_string(waited.count()) +
         " ms";
}

void QuorumTracker::track(const EventId& id, const std::string& self, Done done) {
  if (majority(cluster_size_()) <= 1) {
    ++confirmed_;
    done(true, "");
    return;
  }
  Pending& pending = pending_[id];
  pending.holders.insert(self);
  pending.done = std::move(done);
  pending.timer = loop_.start_timer(timeout_, [this, id] { expire(id); });
}

void QuorumTracker::held_by(const EventId& id, const std::string& server) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  it->second.holders.insert(server);
  if (it->second.holders.size() < majority(cluster_size_())) return;
  Pending done = std::move(it->second);
  pending_.erase(it);
  ++confirmed_;
  done.done(true, "");
}

void QuorumTracker::expire(const EventId& id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  Pending late = std::move(it->second);
  pending_.erase(it);
  ++failed_;
  late.done(false, failure(late.holders.size(), cluster_size_(), timeout_));
}

void QuorumTracker::fail_all(const std::string& reason) {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [id, p] : pending) {
    ++failed_;
    p.done(false, reason);
  }
}

}  // namespace bib::replication
