#include "request_log.hpp"

namespace bib::host {

bool RequestLog::answer(const std::string& id, const Waiter& waiter) {
  if (id.empty()) return false;
  if (auto it = replies_.find(id); it != replies_.end()) {
    waiter(it->second);
    return true;
  }
  if (auto it = waiting_.find(id); it != waiting_.end()) {
    it->second.push_back(waiter);
    return true;
  }
  return false;
}

void RequestLog::begin(const std::string& id) {
  if (!id.empty()) waiting_.try_emplace(id);
}

void RequestLog::finish(const std::string& id, const Reply& reply) {
  if (id.empty()) return;
  std::vector<Waiter> waiters;
  if (auto it = waiting_.find(id); it != waiting_.end()) {
    waiters = std::move(it->second);
    waiting_.erase(it);
  }
  keep(id, reply);
  for (const Waiter& w : waiters) w(reply);
}

void RequestLog::record(const std::string& id, bib::Value reply) {
  if (id.empty() || waiting_.count(id) != 0) return;
  keep(id, Reply{std::move(reply)});
}

void RequestLog::keep(const std::string& id, const Reply& reply) {
  // The first reply stays: a later one for the same id (a peer's copy) changes nothing.
  if (!replies_.emplace(id, reply).second) return;
  order_.push_back(id);
  while (order_.size() > capacity_) {
    replies_.erase(order_.front());
    order_.pop_front();
  }
}

}  // namespace bib::host
