// The broker's state machine (docs/architecture.md, Paranoid Pirate), without sockets or clocks of
// its own: the worker registry with liveness, the rotation over live workers, which requests
// each worker holds, the hold queue, and every deadline. The plugin feeds it what arrives and
// the time, and carries out the Actions it returns; tests drive it with a fake clock.
//
// Invariants:
//   - every request the broker accepted is in exactly one place: held by one live worker, in
//     the pending queue, or waiting out a resend back-off; it leaves only by being answered
//     once (a reply or a failure), at the latest request_timeout after it arrived;
//   - an evicted worker holds nothing: its requests go back to the front of the queue, in
//     arrival order, and are sent again unchanged (same id, same body); the first resend of a
//     request goes out at once, each further one waits twice as long as the one before;
//   - a reply counts only from the worker that holds that id now; anything else is stale;
//   - only a READY registers, and only a newer one: a server's connections are ordered by
//     (incarnation, generation), so a late READY from a connection the server has already
//     replaced is refused instead of evicting the live one; a newer connection of the same
//     server run takes over the requests that server says it is still answering;
//   - memory is bounded by the live workers: of the evicted ones (which hold nothing) only the
//     kMaxEvictedRemembered most recent are remembered, so READYs under ever new names cannot
//     grow the registry (nor the `broker` reply that lists it) without end.
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
  Millis request_timeout{20000};   // a request's whole life: unanswered this long after it
                                   // arrived, it gets `erro` wherever it is; 0 = never
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

// READY from a server: who it is and which connection this is. A server names its process run
// (incarnation, a number that grows from one run to the next) and counts its connections within
// the run (generation); it lists the requests it is still answering from earlier connections.
// incarnation 0: a server that does not say (an older worker): every READY of it is the newest.
struct Registration {
  std::string name;
  std::uint64_t incarnation = 0;
  std::uint64_t generation = 0;
  std::vector<std::string> holding;
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
  enum class Kind { joined, rejoined, reconnected, evicted, stale_ready };
  Kind kind;
  std::string name;
  std::string reason;          // evicted, stale_ready: why
  std::size_t requeued = 0;    // evicted, reconnected: how many requests go to other servers
  std::size_t kept = 0;        // reconnected, rejoined: requests it took back on the new connection
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
  bool paused = false;
  std::string pause_reason;  // while paused
};

struct Snapshot {
  std::vector<WorkerInfo> workers;  // every live worker and the most recently evicted, by name
  std::size_t pending = 0;          // requests waiting for a server
  std::uint64_t requests = 0;       // client requests accepted
  std::uint64_t replies = 0;        // server replies delivered to clients
  std::uint64_t failed = 0;         // requests answered with `erro` by the broker
  std::uint64_t resent = 0;         // dispatches of a request a dead worker held
  std::uint64_t expired = 0;        // requests failed for their age (part of `failed`)
};

class DispatchState {
 public:
  // Evicted workers remembered (for `broker`, and so that a server of the same run takes back
  // its requests when it registers again); the longest gone are forgotten beyond this.
  static constexpr std::size_t kMaxEvictedRemembered = 1000;

  // id_prefix makes tickets unique across broker restarts: "<node>-<incarnation>".
  DispatchState(DispatchSettings settings, std::string id_prefix);

  const DispatchSettings& settings() const { return settings_; }

  // A fresh ticket, "<id_prefix>-<counter>"; assign it before the first dispatch.
  std::string issue_id();

  // READY from `identity`. False when it is stale (an older connection of a server registered
  // under a newer one): nothing changes, the caller tells that connection to register again.
  // The same server run on a new connection keeps the requests it lists in `holding` and gives
  // back the rest; a new run of a live name (it restarted before it was evicted) replaces it,
  // and everything the old run held is sent again.
  bool on_ready(const std::string& identity, const Registration& registration, TimePoint now,
                Actions& out);
  // Any message from `identity` counts as a heartbeat. False when it is not a live worker.
  bool on_traffic(const std::string& identity, TimePoint now);
  // REPLY(id) from `identity` (also counts as traffic).
  ReplyOutcome on_reply(const std::string& identity, const std::string& id, TimePoint now,
                        Actions& out);
  // DISCONNECT from `identity`, or its connection is gone: evict at once rather than waiting
  // for its silence.
  void on_disconnect(const std::string& identity, const std::string& reason, TimePoint now,
                     Actions& out);

  // A REQUEST to `identity` could not be queued (its connection is full): the request goes
  // back to the front of the queue and that worker gets no more until its next heartbeat.
  void on_unsent(const std::string& identity, const std::string& id, TimePoint now, Actions& out);

  // PAUSE (paused) or RESUME from `identity` (also counts as traffic). A paused worker keeps
  // what it holds and stays live, but gets no new request until it resumes; a new run of the
  // server starts unpaused, a new connection of the same run stays as it was. False when it is
  // not a live worker.
  bool on_pause(const std::string& identity, bool paused, std::string reason, TimePoint now, Actions& out);

  // A client request with its id already issued.
  void submit(Request request, TimePoint now, Actions& out);

  // Housekeeping, called often (a fraction of the heartbeat): evicts silent workers (unless
  // `may_evict_silent` is false: the caller has unread messages that may be their heartbeats),
  // fails requests past their deadlines, releases resends whose back-off is over, sends queued
  // requests where there is room, forgets the evicted workers beyond kMaxEvictedRemembered.
  void tick(TimePoint now, Actions& out, bool may_evict_silent = true);

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
    TimePoint blocked_until{};  // its connection was full: no dispatches before this
    bool paused = false;        // PAUSE: no new requests until RESUME
    std::string pause_reason;
    std::uint64_t incarnation = 0;  // of the newest registration seen
    std::uint64_t generation = 0;
    std::set<std::string> inflight;
    std::uint64_t evicted_as = 0;  // its key in evicted_ while evicted; 0 while live
  };
  struct Entry {
    Request request;
    std::uint64_t order = 0;  // arrival order, to resend in it
    std::string worker;       // name of the holder; "" while queued or backing off
    int sends = 0;            // how many times it was dispatched
    TimePoint hold_until = TimePoint::max();  // while queued: `erro` when no server took it
    TimePoint expires = TimePoint::max();     // its whole life: arrival + request_timeout
  };

  bool stale(const Worker& worker, const Registration& registration) const;
  // The same server run on a new connection: it keeps `holding`, the rest is sent again.
  void reconnect(Worker& worker, const std::string& identity, const Registration& registration,
                 TimePoint now, Actions& out);
  void evict(Worker& worker, const std::string& reason, TimePoint now, Actions& out);
  void forget_old_evicted();
  // Held requests whose worker lost them: to the queue, oldest first, after their back-off.
  void requeue(std::vector<std::string> ids, TimePoint now);
  void release_backed_off(TimePoint now);
  void fail_expired(TimePoint now, Actions& out);
  void drain(TimePoint now, Actions& out);
  Worker* pick(TimePoint now);
  bool has_room(const Worker& worker, TimePoint now) const;
  void fail(const std::string& id, std::string description, Actions& out);
  std::string hold_failure_text() const;
  Millis silence_limit() const { return settings_.heartbeat * settings_.liveness; }
  Millis resend_backoff(int sends) const;

  DispatchSettings settings_;
  std::string id_prefix_;
  std::uint64_t next_ticket_ = 1;
  std::uint64_t next_order_ = 1;
  std::map<std::string, Worker> workers_;         // by name
  std::map<std::uint64_t, std::string> evicted_;  // evicted workers' names, longest gone first
  std::uint64_t evictions_ = 0;
  std::map<std::string, std::string> by_identity_;  // live identity -> name
  std::map<std::string, Entry> entries_;          // every unanswered request, by id
  std::deque<std::string> pending_;               // ids waiting for a worker, oldest first
  std::multimap<TimePoint, std::string> backing_off_;  // ids to resend once their time comes
  std::string cursor_;                            // name of the last worker dispatched to
  std::uint64_t requests_ = 0;
  std::uint64_t replies_ = 0;
  std::uint64_t failed_ = 0;
  std::uint64_t resent_ = 0;
  std::uint64_t expired_ = 0;
};

}  // namespace bib::broker
