#include "request_log.hpp"

#include <stdexcept>

#include "bib/codec.hpp"

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

void RequestLog::save(bib::StateWriter& out) const {
  out.u64(order_.size() + waiting_.size());
  auto save_one = [&out](const std::string& id, const Reply& reply) {
    out.str(id);
    out.u64(reply ? 1 : 0);
    out.str(reply ? bib::encode(reply.value()) : reply.error().message);
  };
  for (const std::string& id : order_) save_one(id, replies_.at(id));
  for (const auto& [id, waiters] : waiting_) save_one(id, Reply{bib::Map{{"status", "OK"}}});
}

void RequestLog::load(bib::StateReader& in) {
  for (std::uint64_t n = in.count(3 * sizeof(std::uint64_t)); n > 0; --n) {
    std::string id = in.str();
    const bool ok = in.u64() == 1;
    std::string body = in.str();
    if (!ok) {
      keep(id, Reply{bib::Error{std::move(body)}});
      continue;
    }
    bib::Result<bib::Value> reply = bib::decode(body);
    if (!reply) throw std::runtime_error("checkpoint state: a remembered reply does not decode: " + reply.error().message);
    keep(id, Reply{std::move(reply.value())});
  }
}

}  // namespace bib::host
