#include "dispatch_state.hpp"

#include <algorithm>
#include <utility>

namespace bib::broker {

DispatchState::DispatchState(DispatchSettings settings, std::string id_prefix)
    : settings_(settings), id_prefix_(std::move(id_prefix)) {}

std::string DispatchState::issue_id() { return id_prefix_ + "-" + std::to_string(next_ticket_++); }

void DispatchState::on_ready(const std::string& identity, const std::string& name, TimePoint now,
                             Actions& out) {
  if (auto known = by_identity_.find(identity); known != by_identity_.end()) {
    if (known->second == name) {  // READY again on the same connection: just traffic
      workers_.at(name).expiry = now + silence_limit();
      return;
    }
    evict(workers_.at(known->second), "registered again as '" + name + "'", now, out);
  }
  bool seen_before = false;
  if (auto it = workers_.find(name); it != workers_.end()) {
    seen_before = true;
    // The same server on a new connection before its old one was evicted (it restarted, or
    // recycled its socket): whatever the old connection held is lost with it.
    if (it->second.live) evict(it->second, "replaced by a new connection", now, out);
  }
  Worker& worker = workers_[name];
  worker.name = name;
  worker.identity = identity;
  worker.live = true;
  worker.expiry = now + silence_limit();
  by_identity_[identity] = name;
  out.events.push_back({seen_before ? WorkerEvent::Kind::rejoined : WorkerEvent::Kind::joined,
                        name, "", 0});
  drain(now, out);
}

bool DispatchState::on_traffic(const std::string& identity, TimePoint now) {
  auto known = by_identity_.find(identity);
  if (known == by_identity_.end()) return false;
  workers_.at(known->second).expiry = now + silence_limit();
  return true;
}

ReplyOutcome DispatchState::on_reply(const std::string& identity, const std::string& id,
                                     TimePoint now, Actions& out) {
  auto known = by_identity_.find(identity);
  if (known == by_identity_.end()) return {ReplyVerdict::unknown_worker, {}};
  Worker& worker = workers_.at(known->second);
  worker.expiry = now + silence_limit();
  auto entry = entries_.find(id);
  if (entry == entries_.end() || entry->second.worker != worker.name) {
    return {ReplyVerdict::stale, {}};
  }
  worker.inflight.erase(id);
  Request request = std::move(entry->second.request);
  entries_.erase(entry);
  ++replies_;
  drain(now, out);  // the worker has room again
  return {ReplyVerdict::deliver, std::move(request)};
}

void DispatchState::on_disconnect(const std::string& identity, const std::string& reason,
                                  TimePoint now, Actions& out) {
  auto known = by_identity_.find(identity);
  if (known == by_identity_.end()) return;
  evict(workers_.at(known->second), reason, now, out);
  drain(now, out);
}

void DispatchState::submit(Request request, TimePoint now, Actions& out) {
  ++requests_;
  const std::string id = request.id;
  entries_[id] = Entry{std::move(request), next_order_++, "", false, now + settings_.hold};
  pending_.push_back(id);
  drain(now, out);
  // Still waiting and the queue is over its bound: refuse the newest rather than grow.
  if (pending_.size() > settings_.max_pending && pending_.back() == id) {
    pending_.pop_back();
    fail(id, "no server available: broker queue full (" + std::to_string(settings_.max_pending) +
                 " requests waiting)",
         out);
  }
}

void DispatchState::tick(TimePoint now, Actions& out) {
  for (auto& [name, worker] : workers_) {
    if (worker.live && worker.expiry <= now) {
      evict(worker,
            "silent for " + std::to_string(silence_limit().count()) + " ms (" +
                std::to_string(settings_.liveness) + " heartbeats missed)",
            now, out);
    }
  }
  if (settings_.request_timeout.count() > 0) {
    std::vector<std::string> overdue;
    for (const auto& [id, entry] : entries_) {
      if (!entry.worker.empty() && entry.deadline <= now) overdue.push_back(id);
    }
    for (const auto& id : overdue) {
      const std::string holder = entries_.at(id).worker;
      workers_.at(holder).inflight.erase(id);
      // The worker is alive (it heartbeats) but lost or sits on this request: answer the
      // client rather than let it wait forever. Not sent again: it may still be applied there.
      fail(id,
           "no reply from " + holder + " within " +
               std::to_string(settings_.request_timeout.count()) + " ms",
           out);
    }
  }
  drain(now, out);
  std::vector<std::string> expired;
  for (const auto& id : pending_) {
    if (entries_.at(id).deadline <= now) expired.push_back(id);
  }
  if (!expired.empty()) {
    const std::string text = hold_failure_text();
    std::erase_if(pending_, [&](const std::string& id) { return entries_.at(id).deadline <= now; });
    for (const auto& id : expired) fail(id, text, out);
  }
}

std::vector<std::string> DispatchState::live_identities() const {
  std::vector<std::string> out;
  out.reserve(by_identity_.size());
  for (const auto& [identity, name] : by_identity_) out.push_back(identity);
  return out;
}

std::string DispatchState::worker_name(const std::string& identity) const {
  auto known = by_identity_.find(identity);
  return known == by_identity_.end() ? std::string() : known->second;
}

Snapshot DispatchState::snapshot() const {
  Snapshot s;
  for (const auto& [name, worker] : workers_) {
    s.workers.push_back({name, worker.live, worker.inflight.size()});
  }
  s.pending = pending_.size();
  s.requests = requests_;
  s.replies = replies_;
  s.failed = failed_;
  s.resent = resent_;
  return s;
}

void DispatchState::evict(Worker& worker, const std::string& reason, TimePoint now, Actions& out) {
  // Back to the front of the queue, oldest first, so they go out again before newer requests.
  std::vector<Entry*> held;
  for (const auto& id : worker.inflight) held.push_back(&entries_.at(id));
  std::sort(held.begin(), held.end(), [](const Entry* a, const Entry* b) { return a->order < b->order; });
  for (auto it = held.rbegin(); it != held.rend(); ++it) {
    Entry& entry = **it;
    entry.worker.clear();
    entry.resent = true;
    entry.deadline = now + settings_.hold;
    pending_.push_front(entry.request.id);
  }
  by_identity_.erase(worker.identity);
  worker.identity.clear();
  worker.live = false;
  worker.inflight.clear();
  out.events.push_back({WorkerEvent::Kind::evicted, worker.name, reason, held.size()});
}

void DispatchState::drain(TimePoint now, Actions& out) {
  while (!pending_.empty()) {
    Worker* worker = pick();
    if (worker == nullptr) return;
    const std::string id = pending_.front();
    pending_.pop_front();
    Entry& entry = entries_.at(id);
    entry.worker = worker->name;
    entry.deadline = settings_.request_timeout.count() > 0 ? now + settings_.request_timeout
                                                           : TimePoint::max();
    worker->inflight.insert(id);
    if (entry.resent) ++resent_;
    out.dispatches.push_back({worker->identity, worker->name, id, entry.request.body, entry.resent});
  }
}

// Round-robin over live workers with room, in name order, starting after the last one used.
DispatchState::Worker* DispatchState::pick() {
  if (workers_.empty()) return nullptr;
  auto it = workers_.upper_bound(cursor_);
  for (std::size_t i = 0; i < workers_.size(); ++i, ++it) {
    if (it == workers_.end()) it = workers_.begin();
    if (has_room(it->second)) {
      cursor_ = it->first;
      return &it->second;
    }
  }
  return nullptr;
}

bool DispatchState::has_room(const Worker& worker) const {
  return worker.live &&
         (settings_.max_inflight == 0 || worker.inflight.size() < settings_.max_inflight);
}

void DispatchState::fail(const std::string& id, std::string description, Actions& out) {
  auto entry = entries_.find(id);
  if (entry == entries_.end()) return;
  ++failed_;
  out.failures.push_back({std::move(entry->second.request), std::move(description)});
  entries_.erase(entry);
}

std::string DispatchState::hold_failure_text() const {
  const std::string waited = std::to_string(settings_.hold.count()) + " ms";
  if (by_identity_.empty()) return "no server available: no live server within " + waited;
  return "no server available: all " + std::to_string(by_identity_.size()) +
         " live servers busy for " + waited;
}

}  // namespace bib::broker
