// The replication work of one server (docs/replication.md), shared by replication-async and
// replication-quorum: per-peer outboxes pushed over a Transport, anti-entropy pulls, and, in
// quorum mode, the majority rule before a write is answered. Everything runs on the host's
// loop; the host's Replica (ctx.replica()) holds the events.
//
//   replicate(e)   async: answer now; quorum: answer when floor(N/2)+1 servers hold e
//                  -> e queued in every peer's outbox -> `replicate` batches, one in flight per
//                  peer, retried with back-off until the peer's `replicate_ack`
//   anti-entropy   at start, when a peer appears, every anti_entropy_ms, on want():
//                  `sync` {vv} -> `sync_reply` {events beyond vv, more} -> ingest -> again while more
//   a peer's replicate / sync on our port: ingest, acknowledge once durable / answer a page
#pragma once

#include <cstdint>
#include <map>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bib/context.hpp"
#include "bib/discovery.hpp"
#include "bib/replica.hpp"
#include "bib/replication.hpp"
#include "peer_outbox.hpp"
#include "quorum_tracker.hpp"
#include "replication_messages.hpp"
#include "replication_options.hpp"
#include "sync_pager.hpp"
#include "transport.hpp"

namespace bib::replication {

class Replicator {
 public:
  using Done = ReplicationPlugin::Done;

  Replicator(Context& ctx, ReplicationOptions options, Mode mode, Transport& transport);
  ~Replicator();
  Replicator(const Replicator&) = delete;
  Replicator& operator=(const Replicator&) = delete;

  // Opens the transport, follows discovery, starts anti-entropy. Needs ctx.replica().
  void start();
  // Answers pending quorum writes with an error, cancels timers, closes the transport.
  void stop();

  void replicate(const Event& event, Done done);
  void want(const VersionVector& missing);
  // fn runs once, when a first anti-entropy round with every peer has ended (answered to the
  // last page and durable, or given up as unreachable after anti_entropy_ms). Membership counts
  // as known at start() when discovery already has a rank (discovery-static), when it lists a
  // peer, or anti_entropy_ms after start() (discovery-reference registers after start()).
  void when_caught_up(std::function<void()> fn);
  // The peers as discovery lists them now (start() and discovery's on_change call it).
  void set_peers(const std::vector<Peer>& peers);
  void describe(Map& status) const;

  // N for the quorum rule: max(option cluster_size, 1 + every peer seen since start).
  std::size_t cluster_size() const;

 private:
  void ingest(const Event& event, Replica::Done done);
  void ingest_batch(const std::vector<Value>& events, const std::string& source,
                    const std::function<void(const EventId&)>& on_readable,
                    std::function<void(const EventId&, bool, const std::string&)> on_durable,
                    std::function<void()> all_durable);
  // One anti-entropy conversation with a peer: sync, sync_reply, ... until more is false.
  struct Pull {
    bool active = false;
    std::uint64_t session = 0;
    VersionVector cursor;           // highest seq per origin received in this session
    std::optional<TimerId> timer;   // gives up on an unanswered request
    std::uint64_t received = 0;     // events ingested in this session, for the log
  };
  struct Link {
    Link(Peer p, std::string e, OutboxLimits limits, const ReplicationOptions& o)
        : peer(std::move(p)), endpoint(std::move(e)), outbox(limits), backoff(o.retry, o.max_retry) {}
    Peer peer;
    std::string endpoint;
    PeerOutbox outbox;
    Backoff backoff;
    std::optional<TimerId> retry;
    std::uint64_t attempts = 0;  // sends of the batch in flight
    bool suspect = false;        // missed an acknowledgement; any message from it clears this
    double last_ack = 0;         // physical clock, 0 = never
    double last_heard = 0;
    VersionVector peer_vv;       // from its last sync or sync_reply
    Pull pull;
    bool first_round_done = false;
  };

  void on_message(Inbound inbound);
  void on_replicate(const Inbound& inbound);
  void on_sync(const Inbound& inbound);
  void on_ack(Link& link, const Value& data);
  void on_sync_reply(Link& link, const Value& data);
  void heard_from(Link& link);

  void schedule_send();
  void send_next_batch(Link& link);
  void transmit(Link& link);
  void on_retry_due(const std::string& peer);
  void cancel_retry(Link& link);

  void start_pull(Link& link);
  void request_page(Link& link);
  void end_pull(Link& link);
  void pull_page_ingested(const std::string& peer, std::uint64_t session, bool more);

  void check_caught_up();
  void remove_link(const std::string& name);
  Link* find(const std::string& name);
  std::weak_ptr<bool> token() const { return alive_; }

  Context& ctx_;
  ReplicationOptions options_;
  Mode mode_;
  Transport& transport_;
  OutboxLimits outbox_limits_;
  PageLimits page_limits_;
  Replica* replica_ = nullptr;
  std::map<std::string, Link> links_;
  std::set<std::string> seen_;  // every peer discovery listed since start
  QuorumTracker quorum_;
  std::optional<TimerId> anti_entropy_timer_;
  bool membership_known_ = false;
  std::optional<TimerId> membership_timer_;
  bool caught_up_ = false;
  std::vector<std::function<void()>> caught_up_callbacks_;
  bool send_scheduled_ = false;
  bool running_ = false;
  // Callbacks the host or discovery may run after stop() (ingest durability, on_change) hold
  // a weak copy and do nothing once it has expired.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace bib::replication
