#include "majority_watch.hpp"

#include <utility>

#include "quorum_tracker.hpp"

namespace bib::replication {

MajorityWatch::MajorityWatch(EventLoop& loop, std::chrono::milliseconds window,
                             std::function<std::size_t()> cluster_size)
    : loop_(loop), window_(window), cluster_size_(std::move(cluster_size)) {}

void MajorityWatch::start() {
  timer_ = loop_.start_timer(std::max(window_ / 4, std::chrono::milliseconds(1)), [this] { check(); }, true);
}

void MajorityWatch::stop() { timer_.reset(); }

void MajorityWatch::add_peer(const std::string& name, Clock::time_point now) { last_heard_.emplace(name, now); }

void MajorityWatch::remove_peer(const std::string& name) { last_heard_.erase(name); }

void MajorityWatch::heard_from(const std::string& name, Clock::time_point now) {
  auto peer = last_heard_.find(name);
  if (peer != last_heard_.end()) peer->second = now;
}

void MajorityWatch::on_change(Notify fn) {
  notify_ = std::move(fn);
  if (!available_ && notify_) notify_(false, summary());
}

void MajorityWatch::check(Clock::time_point now) {
  std::size_t reachable = 1;  // this server
  for (const auto& [name, heard] : last_heard_)
    if (now - heard <= window_) ++reachable;
  reachable_ = reachable;
  const bool available = reachable >= QuorumTracker::majority(cluster_size_());
  if (available == available_) return;
  available_ = available;
  if (notify_) notify_(available, available ? std::string() : summary());
}

std::string MajorityWatch::summary() const {
  const std::size_t servers = cluster_size_();
  return std::to_string(reachable_) + " of " + std::to_string(servers) +
         " servers reachable (this one included), " + std::to_string(QuorumTracker::majority(servers)) + " needed";
}

}  // namespace bib::replication
