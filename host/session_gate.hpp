// Session guarantees (docs/architecture.md): a request whose data.after names events this node
// has not applied yet waits for them, at most max_wait, before it is served.
//
//   {"service": "publish", "data": {..., "after": {"server-1": 12, "server-2": 4}}}
//   this node's version vector {"server-1": 12, "server-2": 3}  -> waits for server-2#4
//
// Our client library sends `after` (the highest seq per origin it has seen in replies'
// `seen`), so a client that created a channel on one server and publishes through another
// never gets "unknown channel": read-your-writes and monotonic reads. While a request waits,
// the replication plugin is asked to pull the missing events now (ReplicationPlugin::want).
// After max_wait the request is served anyway (eventual consistency, with a warning, once per
// interval: a client, hostile or stuck with an origin gone for good, may send thousands): a
// server whose events are gone for good must not stall its clients forever.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "bib/event_loop.hpp"
#include "bib/lifeline.hpp"
#include "bib/logger.hpp"
#include "bib/refusal_log.hpp"
#include "bib/replica.hpp"

namespace bib::host {

class SessionGate {
 public:
  using Want = std::function<void(const bib::VersionVector& missing)>;

  SessionGate(bib::Replica& replica, bib::EventLoop& loop, std::chrono::milliseconds max_wait, spdlog::logger& log,
              Want want);
  SessionGate(const SessionGate&) = delete;
  SessionGate& operator=(const SessionGate&) = delete;

  // Runs go(true) now when every event of `after` is applied here; otherwise go(true) as
  // soon as they are, or go(false) after max_wait.
  void wait_for(const bib::VersionVector& after, std::function<void(bool caught_up)> go);
  // How many requests are waiting.
  std::size_t waiting() const noexcept { return parked_.size(); }

 private:
  struct Parked {
    bib::VersionVector after;
    std::function<void(bool)> go;
    bib::Timer timer;  // gives up after max_wait
  };

  void recheck();
  void release(std::uint64_t id, bool caught_up);

  bib::Replica& replica_;
  bib::EventLoop& loop_;
  std::chrono::milliseconds max_wait_;
  spdlog::logger& log_;
  bib::RefusalLog late_;  // "served ... still missing", once per interval
  Want want_;
  std::map<std::uint64_t, Parked> parked_;
  std::uint64_t next_id_ = 1;
  bool recheck_posted_ = false;
  // The replica's listener outlives this gate: it is guarded.
  bib::Lifeline lifeline_;
};

}  // namespace bib::host
