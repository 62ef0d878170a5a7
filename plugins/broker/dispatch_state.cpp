#include "dispatch_state.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

namespace bib::broker {

DispatchState::DispatchState(DispatchSettings settings, std::string id_prefix)
    : settings_(settings), id_prefix_(std::move(id_prefix)) {}

std::string DispatchState::issue_id() { return id_prefix_ + "-" + std::to_string(next_ticket_++); }

bool DispatchState::on_ready(const std::string& identity, const Registration& registration,
                             TimePoint now, Actions& out) {
  const std::string& name = registration.name;
  if (auto known = by_identity_.find(identity); known != by_identity_.end()) {
    if (known->second == name) {  // READY again on the same connection: just traffic
      workers_.at(name).expiry = now + silence_limit();
      return true;
    }
    evict(workers_.at(known->second), "registered again as '" + name + "'", now, out);
  }
  auto existing = workers_.find(name);
  // Refused only while the newer connection is live: a READY reordered behind a newer one's
  // must not evict it. Once that one is gone any READY registers (a clock stepped back across
  // a restart can then cost one round of DISCONNECT, never a server left out).
  if (existing != workers_.end() && existing->second.live && stale(existing->second, registration)) {
    const Worker& w = existing->second;
    out.events.push_back({WorkerEvent::Kind::stale_ready, name,
                          "connection " + std::to_string(registration.generation) + " of run " +
                              std::to_string(registration.incarnation) + " is older than connection " +
                              std::to_string(w.generation) + " of run " + std::to_string(w.incarnation) +
                              " already registered",
                          0, 0});
    return false;
  }
  const bool same_run = existing != workers_.end() && registration.incarnation != 0 &&
                        existing->second.incarnation == registration.incarnation;
  if (same_run && existing->second.live) {
    reconnect(existing->second, identity, registration, now, out);
    drain(now, out);
    return true;
  }
  const bool seen_before = existing != workers_.end();
  // A new run of a live name (it restarted before it was evicted): what the old run held is lost.
  if (seen_before && existing->second.live) evict(existing->second, "replaced by a new run", now, out);
  Worker& worker = workers_[name];
  worker.name = name;
  worker.identity = identity;
  worker.live = true;
  evicted_.erase(worker.evicted_as);
  worker.evicted_as = 0;
  worker.expiry = now + silence_limit();
  worker.blocked_until = {};
  if (!same_run) {  // a new run says for itself whether it pauses
    worker.paused = false;
    worker.pause_reason.clear();
  }
  worker.incarnation = registration.incarnation;
  worker.generation = registration.generation;
  by_identity_[identity] = name;
  std::size_t kept = 0;
  if (same_run) {
    // Evicted meanwhile (silent, or its connection closed) but the same run: it is still
    // answering what it lists. Whatever of that is still waiting here goes back to it unsent.
    for (const auto& id : registration.holding) {
      auto entry = entries_.find(id);
      if (entry == entries_.end() || !entry->second.worker.empty()) continue;
      std::erase(pending_, id);
      std::erase_if(backing_off_, [&](const auto& item) { return item.second == id; });
      entry->second.worker = name;
      entry->second.hold_until = TimePoint::max();
      worker.inflight.insert(id);
      ++kept;
    }
  }
  out.events.push_back({seen_before ? WorkerEvent::Kind::rejoined : WorkerEvent::Kind::joined,
                        name, "", 0, kept});
  drain(now, out);
  return true;
}

bool DispatchState::stale(const Worker& worker, const Registration& registration) const {
  if (registration.incarnation == 0 || worker.incarnation == 0) return false;
  return std::tie(registration.incarnation, registration.generation) <=
         std::tie(worker.incarnation, worker.generation);
}

void DispatchState::reconnect(Worker& worker, const std::string& identity,
                              const Registration& registration, TimePoint now, Actions& out) {
  const std::set<std::string> holding(registration.holding.begin(), registration.holding.end());
  std::vector<std::string> lost;  // sent to the old connection, never read there
  for (auto it = worker.inflight.begin(); it != worker.inflight.end();) {
    if (holding.contains(*it)) {
      ++it;
    } else {
      lost.push_back(*it);
      it = worker.inflight.erase(it);
    }
  }
  requeue(lost, now);
  by_identity_.erase(worker.identity);
  worker.identity = identity;
  worker.expiry = now + silence_limit();
  worker.blocked_until = {};
  worker.generation = registration.generation;
  by_identity_[identity] = worker.name;
  out.events.push_back({WorkerEvent::Kind::reconnected, worker.name, "", lost.size(),
                        worker.inflight.size()});
}

bool DispatchState::on_pause(const std::string& identity, bool paused, std::string reason, TimePoint now,
                             Actions& out) {
  if (!on_traffic(identity, now)) return false;
  Worker& worker = workers_.at(by_identity_.at(identity));
  worker.paused = paused;
  worker.pause_reason = paused ? std::move(reason) : std::string();
  if (!paused) drain(now, out);
  return true;
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

void DispatchState::on_unsent(const std::string& identity, const std::string& id, TimePoint now,
                              Actions& out) {
  auto known = by_identity_.find(identity);
  auto entry = entries_.find(id);
  if (known == by_identity_.end() || entry == entries_.end()) return;
  Worker& worker = workers_.at(known->second);
  if (entry->second.worker != worker.name) return;
  worker.inflight.erase(id);
  worker.blocked_until = now + settings_.heartbeat;
  entry->second.worker.clear();
  --entry->second.sends;  // it never left
  entry->second.hold_until = now + settings_.hold;
  pending_.push_front(id);
  drain(now, out);
}

void DispatchState::submit(Request request, TimePoint now, Actions& out) {
  ++requests_;
  const std::string id = request.id;
  Entry entry{std::move(request), next_order_++, "", 0, now + settings_.hold, TimePoint::max()};
  if (settings_.request_timeout.count() > 0) entry.expires = now + settings_.request_timeout;
  entries_[id] = std::move(entry);
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

void DispatchState::tick(TimePoint now, Actions& out, bool may_evict_silent) {
  if (may_evict_silent) {
    for (auto& [name, worker] : workers_) {
      if (worker.live && worker.expiry <= now) {
        evict(worker,
              "silent for " + std::to_string(silence_limit().count()) + " ms (" +
                  std::to_string(settings_.liveness) + " heartbeats missed)",
              now, out);
      }
    }
  }
  fail_expired(now, out);
  release_backed_off(now);
  drain(now, out);
  std::vector<std::string> expired;
  for (const auto& id : pending_) {
    if (entries_.at(id).hold_until <= now) expired.push_back(id);
  }
  if (!expired.empty()) {
    const std::string text = hold_failure_text();
    std::erase_if(pending_, [&](const std::string& id) { return entries_.at(id).hold_until <= now; });
    for (const auto& id : expired) fail(id, text, out);
  }
  forget_old_evicted();
}

void DispatchState::forget_old_evicted() {
  while (evicted_.size() > kMaxEvictedRemembered) {
    const auto oldest = evicted_.begin();
    auto worker = workers_.find(oldest->second);
    if (worker != workers_.end() && !worker->second.live && worker->second.evicted_as == oldest->first) {
      workers_.erase(worker);
    }
    evicted_.erase(oldest);
  }
}

// Every request has a bounded life, wherever it is: a client that gave up long ago does not
// keep its request going round the servers.
void DispatchState::fail_expired(TimePoint now, Actions& out) {
  std::vector<std::string> overdue;
  for (const auto& [id, entry] : entries_) {
    if (entry.expires <= now) overdue.push_back(id);
  }
  const std::string limit = std::to_string(settings_.request_timeout.count()) + " ms";
  for (const auto& id : overdue) {
    Entry& entry = entries_.at(id);
    std::string description;
    if (!entry.worker.empty()) {
      // Held by a live worker (it heartbeats) that lost or sits on it: not sent again, it may
      // still be applied there.
      workers_.at(entry.worker).inflight.erase(id);
      description = "no reply from " + entry.worker + " within " + limit;
    } else {
      std::erase(pending_, id);
      std::erase_if(backing_off_, [&](const auto& item) { return item.second == id; });
      description = "no reply within " + limit + " (sent to " + std::to_string(entry.sends) +
                    " server(s), none answered)";
    }
    ++expired_;
    fail(id, std::move(description), out);
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
    s.workers.push_back({name, worker.live, worker.inflight.size(), worker.paused, worker.pause_reason});
  }
  s.pending = pending_.size() + backing_off_.size();
  s.requests = requests_;
  s.replies = replies_;
  s.failed = failed_;
  s.resent = resent_;
  s.expired = expired_;
  return s;
}

void DispatchState::evict(Worker& worker, const std::string& reason, TimePoint now, Actions& out) {
  const std::size_t held = worker.inflight.size();
  requeue({worker.inflight.begin(), worker.inflight.end()}, now);
  by_identity_.erase(worker.identity);
  worker.identity.clear();
  worker.live = false;
  worker.inflight.clear();
  worker.evicted_as = ++evictions_;
  evicted_.emplace(worker.evicted_as, worker.name);
  out.events.push_back({WorkerEvent::Kind::evicted, worker.name, reason, held, 0});
}

void DispatchState::requeue(std::vector<std::string> ids, TimePoint now) {
  std::sort(ids.begin(), ids.end(), [&](const std::string& a, const std::string& b) {
    return entries_.at(a).order < entries_.at(b).order;
  });
  // Back to the front of the queue, oldest first, so they go out again before newer requests;
  // a request that has already gone round waits its back-off first.
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    Entry& entry = entries_.at(*it);
    entry.worker.clear();
    const TimePoint due = now + resend_backoff(entry.sends);
    entry.hold_until = due + settings_.hold;
    if (due <= now) {
      pending_.push_front(*it);
    } else {
      backing_off_.emplace(due, *it);
    }
  }
}

void DispatchState::release_backed_off(TimePoint now) {
  std::vector<std::string> due;
  while (!backing_off_.empty() && backing_off_.begin()->first <= now) {
    due.push_back(backing_off_.begin()->second);
    backing_off_.erase(backing_off_.begin());
  }
  std::sort(due.begin(), due.end(), [&](const std::string& a, const std::string& b) {
    return entries_.at(a).order < entries_.at(b).order;
  });
  for (auto it = due.rbegin(); it != due.rend(); ++it) pending_.push_front(*it);
}

// The first resend goes out at once (its server died: the usual case); a request that has
// lost more servers than that waits a quarter heartbeat, then twice as long each time, up to
// the silence limit, so a request that topples servers cannot keep the cluster churning.
Millis DispatchState::resend_backoff(int sends) const {
  if (sends <= 1) return Millis(0);
  Millis wait = std::max(Millis(1), settings_.heartbeat / 4);
  for (int i = 2; i < sends && wait < silence_limit(); ++i) wait *= 2;
  return std::min(wait, silence_limit());
}

void DispatchState::drain(TimePoint now, Actions& out) {
  while (!pending_.empty()) {
    Worker* worker = pick(now);
    if (worker == nullptr) return;
    const std::string id = pending_.front();
    pending_.pop_front();
    Entry& entry = entries_.at(id);
    entry.worker = worker->name;
    entry.hold_until = TimePoint::max();
    const bool resent = entry.sends++ > 0;
    worker->inflight.insert(id);
    if (resent) ++resent_;
    out.dispatches.push_back({worker->identity, worker->name, id, entry.request.body, resent});
  }
}

// Round-robin over live workers with room, in name order, starting after the last one used.
DispatchState::Worker* DispatchState::pick(TimePoint now) {
  if (workers_.empty()) return nullptr;
  auto it = workers_.upper_bound(cursor_);
  for (std::size_t i = 0; i < workers_.size(); ++i, ++it) {
    if (it == workers_.end()) it = workers_.begin();
    if (has_room(it->second, now)) {
      cursor_ = it->first;
      return &it->second;
    }
  }
  return nullptr;
}

bool DispatchState::has_room(const Worker& worker, TimePoint now) const {
  return worker.live && !worker.paused && worker.blocked_until <= now &&
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
  std::size_t paused = 0;
  std::string example;
  for (const auto& [identity, name] : by_identity_) {
    const Worker& worker = workers_.at(name);
    if (!worker.paused) continue;
    if (paused++ == 0) example = name + ": " + worker.pause_reason;
  }
  if (paused == by_identity_.size())
    return "no server available: every live server paused for " + waited + " (" + example + ")";
  return "no server available: all " + std::to_string(by_identity_.size()) +
         " live servers busy for " + waited;
}

}  // namespace bib::broker
