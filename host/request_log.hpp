// Request id -> first reply, so that a retried write is answered, not applied twice
// (docs/architecture.md). A client (or the broker, on its retries) sets data.request_id:
//   {"service": "login", "data": {"user": "ana", "request_id": "c1-17", ...}}
// The second time "c1-17" arrives, the host answers the reply of the first, unchanged but
// for clock and timestamp, and never calls the service plugin.
//
// Bounded: the last `capacity` finished ids, oldest forgotten first (FIFO). An id whose write
// is still in flight (waiting for its flush or for replication) is never forgotten; a retry
// arriving meanwhile waits for, and gets, that same reply.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "bib/result.hpp"
#include "bib/state_bytes.hpp"
#include "bib/value.hpp"

namespace bib::host {

class RequestLog {
 public:
  using Reply = bib::Result<bib::Value>;
  using Waiter = std::function<void(Reply)>;

  explicit RequestLog(std::size_t capacity = 100000) : capacity_(capacity == 0 ? 1 : capacity) {}

  // When id is known, answers waiter (now, or when its first write finishes) and returns
  // true. An empty id is never known.
  bool answer(const std::string& id, const Waiter& waiter);
  // The write of id has started: retries wait for it.
  void begin(const std::string& id);
  // The first reply of id: answers the waiting retries and keeps it.
  void finish(const std::string& id, const Reply& reply);
  // A reply known without a client waiting (events replayed or from peers).
  void record(const std::string& id, bib::Value reply);

  // For the host's checkpoint: the finished ids with their replies, oldest first, and the ids
  // in flight as answered {"status": "OK"} (their events are applied and stored by then).
  // load() adds what save() wrote as finished; it throws std::runtime_error on other bytes.
  void save(bib::StateWriter& out) const;
  void load(bib::StateReader& in);

  std::size_t size() const noexcept { return replies_.size(); }
  std::size_t in_flight() const noexcept { return waiting_.size(); }

 private:
  void keep(const std::string& id, const Reply& reply);

  std::size_t capacity_;
  std::unordered_map<std::string, Reply> replies_;
  std::deque<std::string> order_;  // finished ids, oldest first
  std::unordered_map<std::string, std::vector<Waiter>> waiting_;
};

}  // namespace bib::host
