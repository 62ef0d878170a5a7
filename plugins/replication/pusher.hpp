// Push (docs/replication.md, "push"): every local write queued in each peer's outbox and sent
// in `replicate` batches, one in flight per peer, retried with back-off until the peer's
// `replicate_ack`. A peer that answers anything after missing an acknowledgement gets its
// batch again at once.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "bib/context.hpp"
#include "bib/event_loop.hpp"
#include "bib/lifeline.hpp"
#include "peer_outbox.hpp"
#include "replication_options.hpp"
#include "transport.hpp"

namespace bib::replication {

class Pusher {
 public:
  // Runs after a retry opened a fresh connection to `peer`: whatever was queued on the old
  // one is gone, an anti-entropy request included.
  using Reconnected = std::function<void(const std::string& peer)>;

  Pusher(Context& ctx, const ReplicationOptions& options, OutboxLimits limits, Transport& transport,
         Reconnected reconnected);

  void add_peer(const std::string& name);
  void remove_peer(const std::string& name);
  // Every peer dropped, a send still posted dropped too.
  void clear();

  // Queues the event for every peer; the batches go out once the current loop iteration's
  // writes are all queued.
  void push(const Event& event);
  // A peer's replicate_ack. Returns the events it now durably holds.
  std::vector<EventId> on_ack(const std::string& peer, const Value& data);
  // Any message from the peer.
  void heard_from(const std::string& peer);

  bool in_flight(const std::string& peer) const;
  // The peer's push figures, into its entry of the status.
  void describe(const std::string& peer, Map& out) const;
  // How long the peer's batch in flight has waited for its acknowledgement (0 when none).
  double unacked_seconds(const std::string& peer) const;

 private:
  struct Link {
    Link(OutboxLimits limits, const ReplicationOptions& o) : outbox(limits), backoff(o.retry, o.max_retry) {}
    PeerOutbox outbox;
    Backoff backoff;
    Timer retry;
    std::uint64_t attempts = 0;  // sends of the batch in flight
    bool suspect = false;        // missed an acknowledgement; any message from it clears this
    double last_ack = 0;         // physical clock, 0 = never
    double last_heard = 0;
    std::chrono::steady_clock::time_point batch_sent;  // when the batch in flight first went out
    Counter* retries = nullptr;
    std::vector<MetricRegistration> gauges;  // last: they read the members above
  };

  void schedule_send();
  void send_next_batch(const std::string& peer, Link& link);
  void transmit(const std::string& peer, Link& link);
  void on_retry_due(const std::string& peer);
  Link* find(const std::string& peer);
  // The peer's series in ctx.metrics() (docs/operations.md, "Metrics").
  void register_metrics(const std::string& peer, Link& link);

  Context& ctx_;
  const ReplicationOptions& options_;
  OutboxLimits limits_;
  Transport& transport_;
  Reconnected reconnected_;
  std::map<std::string, Link> links_;
  bool send_scheduled_ = false;
  Lifeline lifeline_;  // renewed by clear(): a posted send does nothing
};

}  // namespace bib::replication
