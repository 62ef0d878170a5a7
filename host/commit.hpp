// The one place where an event is committed (docs/architecture.md). Every step, in this order:
//
//   local write (commit):
//     0. dedup    a (service, request_id) seen before is answered with its first reply
//                 (answer_retry, called by the dispatcher before the plugin's handle())
//     1. apply    plugin.apply(event, local) changes memory and builds the reply; if it
//                 throws nothing is committed and the seq stays free (no gaps)
//     2. append   persistence.append(event), when a persistence plugin is loaded
//     3. flush    persistence.flush() once per loop iteration, at_iteration_end: every write
//                 of one iteration shares one flush, and no reply leaves before it
//     4. replicate replication.replicate(event, done), when a replication plugin is loaded;
//                 done may run now (async) or later (quorum)
//     5. reply    done(reply); retries of the same request_id get this same reply
//
//   start-up (replay): persistence.replay(fn), every event to its service's
//     apply(event, replay), each (origin, seq) at most once; the local seq goes on after the
//     highest replayed seq of this node. Before any plugin starts and before serving.
//   peer event (ingest): apply(event, replicated) -> append -> flush, idempotent, no
//     replication, no reply; the replication plugin's done runs after the flush.
//
// The Committer is also the node's bib::Replica (sdk/include/bib/replica.hpp): what
// replication plugins and service plugins read (version vector, the applied events through an
// EventLog: recent ones in memory, the rest in the persistence plugin, digest) and the ingest
// path they feed.
//
// A failed append or flush answers `erro` (the event is in memory but maybe not on disk);
// a failed replication answers `erro` with the plugin's reason. Either way that is the
// request's first reply, which its retries get too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bib/clock.hpp"
#include "bib/event_loop.hpp"
#include "bib/logger.hpp"
#include "bib/metrics.hpp"
#include "bib/persistence.hpp"
#include "bib/replica.hpp"
#include "bib/replication.hpp"
#include "bib/result.hpp"
#include "bib/service.hpp"
#include "event_log.hpp"
#include "event_store.hpp"
#include "request_log.hpp"
#include "service_table.hpp"

namespace bib::host {

class Committer final : public bib::Replica {
 public:
  // The reply data for the client (apply()'s result), or the reason the write failed.
  using Done = std::function<void(bib::Result<bib::Value> reply_data)>;

  struct Deps {
    std::string node_name;
    bib::LamportClock& lamport;
    bib::PhysicalClock& clock;
    bib::EventLoop& loop;          // the flush runs at the end of the current iteration
    const ServiceTable& services;  // replay and ingest find the plugin by event.service
    spdlog::logger& log;
    bib::PersistencePlugin* persistence = nullptr;  // none: nothing is durable
    bib::ReplicationPlugin* replication = nullptr;  // none: reply after the flush
    std::size_t remembered_requests = 100000;       // request ids kept for dedup
    std::size_t recent_events = EventLog::kDefaultRecent;  // kept in memory besides the store
    std::uint64_t checkpoint_every = 100000;  // events applied between checkpoints; 0: only at stop
    bib::Metrics* metrics = nullptr;          // none: commit and flush times are not measured
  };

  explicit Committer(Deps deps);

  // Step 0: when the request's request_id is known, answers done with the first reply (now,
  // or when that write finishes) and returns true; the caller must then not handle it.
  bool answer_retry(const bib::Request& request, const Done& done);
  // Steps 1-5 for a Write that plugin returned for request.
  void commit(bib::ServicePlugin& plugin, const bib::Request& request, bib::Write write, Done done);

  // Start-up: from the persistence plugin's latest checkpoint and the events stored after it
  // when it can be used, else the whole log (commit_checkpoint.cpp). Returns how many events
  // were applied. Throws (std::exception) when the log or a plugin's apply fails: start-up
  // must stop.
  std::size_t replay();
  bool started_from_checkpoint() const noexcept { return from_checkpoint_; }
  std::uint64_t events_since_checkpoint() const noexcept { return since_checkpoint_; }
  // Saves a checkpoint now, when one can be taken: a persistence plugin that keeps them, every
  // event flushed, no failed write since start, and every plugin with applied events able to
  // save its state. Logs why not otherwise. `why` is for the log ("at stop", "periodic").
  void checkpoint(const char* why);
  // A peer's event: applied and persisted once; false when (origin, seq) was already
  // applied. Throws when no plugin answers event.service or apply throws (not applied).
  bool ingest(const bib::Event& event);

  // bib::Replica
  const std::string& node_name() const override { return deps_.node_name; }
  bib::VersionVector version_vector() const override { return store_.version_vector(); }
  std::uint64_t highest(std::string_view origin) const override { return store_.highest(std::string(origin)); }
  std::vector<bib::Event> events_after(std::string_view origin, std::uint64_t after,
                                       std::size_t limit) const override {
    return log_.after(origin, after, limit);
  }
  std::optional<bib::Event> event(std::string_view origin, std::uint64_t seq) const override {
    return log_.find(origin, seq);
  }
  // ingest() above, then durable(true) after the flush (at once when already applied,
  // after this iteration's flush); durable(false, reason) when it cannot be applied or stored.
  void ingest(const bib::Event& event, bib::Replica::Done durable) override;
  void on_applied(std::function<void(const bib::Event&)> fn) override { applied_listeners_.push_back(std::move(fn)); }
  std::uint64_t event_count() const override { return store_.count(); }
  std::string digest() const override { return log_.digest(); }

  // The seq the next local event gets (events are numbered from 1, without gaps).
  std::uint64_t next_seq() const noexcept { return next_seq_; }
  const EventStore& store() const noexcept { return store_; }
  const RequestLog& requests() const noexcept { return requests_; }
  const EventLog& events() const noexcept { return log_; }

 private:
  // An event between apply and reply. done is empty for a peer's event (no reply).
  struct InFlight {
    bib::Event event;
    bib::Value reply;
    Done done;
    bib::Replica::Done durable;  // a peer's event: told when it is on disk (or is not)
  };

  bib::ServicePlugin& owner_of(const bib::Event& event) const;
  // Applied by replay or ingest (not local): mark, advance the seq, remember the reply.
  void applied_elsewhere(const bib::Event& event, const bib::Value& reply);
  // Every applied event, whatever its path: kept for peers, listeners told.
  void remember(const bib::Event& event);
  bool ingest_with(const bib::Event& event, bib::Replica::Done durable);
  // Checkpoints (commit_checkpoint.cpp).
  void replay_all();
  bool restore_checkpoint(std::string_view sealed);  // false: not used, nothing changed
  std::optional<std::string> checkpoint_payload(std::string& why_not) const;
  // The service plugins by config name, each once.
  std::map<std::string, bib::ServicePlugin*> plugins_by_name() const;
  void persist(InFlight item);        // step 2, then queue for step 3
  void flush_pending();               // step 3, at_iteration_end
  void replicate_and_reply(InFlight item);  // steps 4 and 5

  Deps deps_;
  std::uint64_t next_seq_ = 1;
  EventStore store_;
  EventLog log_;
  RequestLog requests_;
  std::vector<std::function<void(const bib::Event&)>> applied_listeners_;
  std::vector<InFlight> unflushed_;
  bool flush_scheduled_ = false;

  std::set<std::string, std::less<>> event_services_;  // services with applied events
  std::uint64_t since_checkpoint_ = 0;                  // events applied since the last one
  std::string checkpoints_off_;                         // why none may be taken any more
  bool from_checkpoint_ = false;

  // From Deps::metrics, or null.
  bib::Histogram* commit_seconds_ = nullptr;  // a local write, from handle() to its reply
  bib::Histogram* flush_seconds_ = nullptr;   // one persistence flush
  std::vector<bib::MetricRegistration> gauges_;  // last: they read the members above
};

// data.request_id, or "" when absent or not a string.
std::string request_id_of(const bib::Value& data);
// What the request log is keyed by: service and request_id ("" when there is no id).
std::string dedup_key(const std::string& service, const std::string& request_id);

}  // namespace bib::host
