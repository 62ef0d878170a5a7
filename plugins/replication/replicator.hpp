// The replication work of one server (docs/replication.md), shared by replication-async and
// replication-quorum. Everything runs on the host's loop; the host's Replica (ctx.replica())
// holds the events. The Replicator follows discovery, routes messages and keeps the quorum
// rule; two parts do the moving, around one EventIngest:
//
//   Pusher        replicate(e) -> e queued in every peer's outbox -> `replicate` batches, one
//                 in flight per peer, retried with back-off until the peer's `replicate_ack`
//   AntiEntropy   `sync` {vv} -> `sync_reply` {events beyond vv, more} -> ingest -> again
//   EventIngest   a peer's batch or page into the Replica; a batch is acknowledged once durable
//
//   async: a write is answered at once; quorum: once floor(N/2)+1 servers hold it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "anti_entropy.hpp"
#include "bib/context.hpp"
#include "bib/discovery.hpp"
#include "bib/event_loop.hpp"
#include "bib/lifeline.hpp"
#include "bib/replica.hpp"
#include "bib/replication.hpp"
#include "event_ingest.hpp"
#include "majority_watch.hpp"
#include "pusher.hpp"
#include "quorum_tracker.hpp"
#include "replication_messages.hpp"
#include "replication_options.hpp"
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
  void want(const VersionVector& missing) { anti_entropy_.want(missing); }
  // fn runs once, when a first anti-entropy round with every peer has ended (answered to the
  // last page and durable, or given up as unreachable after anti_entropy_ms). Membership counts
  // as known at start() when discovery already has a rank (discovery-static), when it lists a
  // peer, or anti_entropy_ms after start() (discovery-reference registers after start()).
  void when_caught_up(std::function<void()> fn);
  // quorum: fn(false, why) once a majority of the cluster is out of reach (MajorityWatch), and
  // fn(true, "") when it is in reach again. async: never (a server alone accepts writes).
  void on_availability(MajorityWatch::Notify fn);
  // The peers as discovery lists them now (start() and discovery's on_change call it).
  void set_peers(const std::vector<Peer>& peers);
  void describe(Map& status) const;

  // N for the quorum rule: max(option cluster_size, 1 + every peer seen since start).
  std::size_t cluster_size() const;

 private:
  void on_message(Inbound inbound);
  void on_replicate(const Inbound& inbound);
  void check_caught_up();
  void add_peer(const std::string& name, const std::string& endpoint);
  void remove_peer(const std::string& name);

  Context& ctx_;
  ReplicationOptions options_;
  Mode mode_;
  Transport& transport_;
  std::map<std::string, std::string> endpoints_;  // peer name -> its replication endpoint
  std::set<std::string> seen_;                    // every peer discovery listed since start
  QuorumTracker quorum_;
  MajorityWatch majority_;  // quorum only
  RefusalLog refusals_;  // malformed messages and events from peers, once per interval
  EventIngest ingest_;
  Pusher pusher_;
  AntiEntropy anti_entropy_;
  bool membership_known_ = false;
  Timer membership_timer_;
  bool caught_up_ = false;
  std::vector<std::function<void()>> caught_up_callbacks_;
  bool running_ = false;
  Lifeline lifeline_;  // renewed by stop(): discovery's on_change does nothing
};

}  // namespace bib::replication
