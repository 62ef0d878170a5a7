// The quorum rule (docs/replication.md): a local write is answered once a majority of the
// cluster, floor(N/2)+1 servers with this one included, durably holds it; after the timeout
// it is answered with an error that says how far it got. The event is not withdrawn either
// way: it stays in the outboxes and converges through anti-entropy.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "bib/event_loop.hpp"
#include "bib/replication.hpp"
#include "replication_messages.hpp"

namespace bib::replication {

class QuorumTracker {
 public:
  using Done = ReplicationPlugin::Done;

  // cluster_size() is asked at each decision (N may grow as discovery shows more servers).
  QuorumTracker(EventLoop& loop, std::chrono::milliseconds timeout, std::function<std::size_t()> cluster_size);
  QuorumTracker(const QuorumTracker&) = delete;
  QuorumTracker& operator=(const QuorumTracker&) = delete;

  static std::size_t majority(std::size_t servers) { return servers / 2 + 1; }
  // "write not confirmed by a quorum: 1 of 3 servers hold it, 2 needed after 3000 ms"
  static std::string failure(std::size_t holders, std::size_t servers, std::chrono::milliseconds waited);

  // A local write that `self` already holds. done runs at once when that is a majority.
  void track(const EventId& id, const std::string& self, Done done);
  // `server` durably holds id (its replicate_ack said so). Unknown ids are ignored.
  void held_by(const EventId& id, const std::string& server);
  // Answers every pending write with done(false, reason) (shutdown).
  void fail_all(const std::string& reason);

  std::size_t pending() const { return pending_.size(); }
  std::uint64_t confirmed() const { return confirmed_; }
  std::uint64_t failed() const { return failed_; }
  std::chrono::milliseconds timeout() const { return timeout_; }

 private:
  struct Pending {
    std::set<std::string> holders;
    Done done;
    Timer timer;  // gives up after timeout_
  };
  void expire(const EventId& id);

  EventLoop& loop_;
  std::chrono::milliseconds timeout_;
  std::function<std::size_t()> cluster_size_;
  std::map<EventId, Pending> pending_;
  std::uint64_t confirmed_ = 0;
  std::uint64_t failed_ = 0;
};

}  // namespace bib::replication
