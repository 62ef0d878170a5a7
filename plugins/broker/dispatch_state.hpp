// The broker's state machine (docs/architecture.md, Paranoid Pirate), without sockets or clocks of
// its own: the worker registry with liveness, the rotation over live workers, which requests
// each worker holds, the hold queue, and every deadline. The plugin feeds it what arrives and
// the time, and carries out the Actions it returns; tests drive it with a fake clock.
//
// Invariants:
//   - every request the broker accepted is in exactly one place: held by one live worker, or
//     in the pending queue; it leaves only by being answered once (a reply or a failure);
//   - an evicted worker holds nothing: its requests go back to the front of the queue, in
//     arrival order, and are sent again unchanged (same id, same body);
//   - a reply counts only from the worker that holds that id now; anything else is stale.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace bib::broker {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;
using Millis = std::chrono::milliseconds;

struct DispatchSettings {
  Millis heartbeat{1000};          // interval both ways
  int liveness = 3;                // heartbeat intervals of silence before a worker is evicted
  Millis hold{3000};               // how long a request waits for a server before `erro`
  Millis request_timeout{30000};   // a held request unanswered this long gets `erro`; 0 = never
  std::size_t max_inflight = 100;  // requests one worker may hold at once; 0 = no limit
  std::size_t max_pending = 10000; // requests waiting for a server; beyond that `erro` at once
};

// A client request as the broker keeps it until it is answered.
struct Request {
  std::string id;                  // broker ticket: the REQUEST frame id, unique per broker run
  std::vector<std::string> route;  // the client's frames before the body on the frontend
  std::string service;             // the request's service, for the error reply
  std::string body;                // encoded envelope, data.request_id already set
};

// Send REQUEST(id, body) to a worker.
struct Dispatch {
  std::string identity;  // worker's ROUTER identity on the backend
  std::string worker;    // worker's name, for logs
  std::string id;
  std::string body;
  bool resent = false;   // true when another worker held it before
};

// Answer the client of `request` with {status: "erro", description}.
struct Failure {
  Request request;
  std::string description;
};

struct WorkerEvent {
  enum class Kind { joined, rejoined, evicted };
  Kind kind;
  std::string name;
  std::string reason;          // why it was evicted ("" otherwise)
  std::size_t requeued = 0;    // evicted: how many requests it held
};

// What the caller must do, in this order: log events, send dispatches, answer failures.
struct Actions {
  std::vector<WorkerEvent> events;
  std::vector<Dispatch> dispatches;
  std::vector<Failure> failures;
};

enum class ReplyVerdict {
  deliver,         // forward the reply to `request.route`
  stale,           // known worker, but it does not hold that id (late, duplicate, timed out)
  unknown_worker,  // not a live worker: tell it to register again
};

struct ReplyOutcome {
  ReplyVerdict verdict;
  Request request;  // when verdict == deliver
};

struct WorkerInfo {
  std::string name;
  bool live = false;
  std::size_t inflight = 0;
};

struct Snapshot {
  std::vector<WorkerInfo> workers;  // every worker ever seen, by name
  std::size_t pending = 0;          // requests waiting for a server
  std::uint64_t requests = 0;       // client requests accepted
  std::uint64_t replies = 0;        // server replies delivered to clients
  std::uint64_t failed = 0;         // requests answered with `erro` by the broker
  std::uint64_t resent = 0;         // dispatches of a request a dead worker held
};

class DispatchState {
 public:
  // id_prefix makes tickets unique across broker restarts: "<node>-<incarnation>".
  DispatchState(DispatchSettings settings, std::string id_prefix);

  const DispatchSettings& settings() const { return settings_; }

  // A fresh ticket, "<id_prefix>-<counter>"; assign it before the first dispatch.
  std::string issue_id();

  // READY(name) from `identity`. A name that was live under another identity (the server
  // restarted before it was evicted) is evicted first; its requests are sent again.
  void on_ready(const std::string& identity, const std::string& name, TimePoint now, Actions& out);
  // Any message from `identity` counts as a heartbeat. False when it is not a live worker.
  bool on_traffic(const std::string& identity, TimePoint now);
  // REPLY(id) from `identity` (also counts as traffic).
  ReplyOutcome on_reply(const std::string& identity, const std::string& id, TimePoint now,
                        Actions& out);
  // DISCONNECT from `identity`, or its connection is gone: evict at once rather than waiting
  // for its silence.
  void on_disconnect(const std::string& identity, const std::string& reason, TimePoint now,
                     Actions& out);

  // A client request with its id already issued.
  void submit(Request request, TimePoint now, Actions& out);

  // Housekeeping, called often (a fraction of the heartbeat): evicts silent workers, fails
  // requests past their deadline, sends queued requests where there is room.
  void tick(TimePoint now, Actions& out);

  std::vector<std::string> live_identities() const;
  // A live worker's name, or "" when the identity is not a live worker.
  std::string worker_name(const std::string& identity) const;
  Snapshot snapshot() const;

 private:
  struct Worker {
    std::string name;
    std::string identity;  // "" while evicted
    bool live = false;
    TimePoint expiry{};    // evicted when now reaches it
    std::set<std::string> inflight;
  };
  struct Entry {
    Request request;
    std::uint64_t order = 0;  // arrival order, to resend in it
    std::string worker;       // name of the holder; "" while pending
    bool resent = false;
    TimePoint deadline = TimePoint::max();
  };

  void evict(Worker& worker, const std::string& reason, TimePoint now, Actions& out);
  void drain(TimePoint now, Actions& out);
  Worker* pick();
  bool has_room(const Worker& worker) const;
  void fail(const std::string& id, std::string description, Actions& out);
  std::string hold_failure_text() const;
  Millis silence_limit() const { return settings_.heartbeat * settings_.liveness; }

  DispatchSettings settings_;
  std::string id_prefix_;
  std::uint64_t next_ticket_ = 1;
  std::uint64_t next_order_ = 1;
  std::map<std::string, Worker> workers_;         // by name
  std::map<std::string, std::string> by_identity_;  // live identity -> name
  std::map<std::string, Entry> entries_;          // every unanswered request, by id
  std::deque<std::string> pending_;               // ids waiting for a worker, oldest first
  std::string cursor_;                            // name of the last worker dispatched to
  std::uint64_t requests_ = 0;
  std::uint64_t replies_ = 0;
  std::uint64_t failed_ = 0;
  std::uint64_t resent_ = 0;
};

}  // namespace bib::broker
