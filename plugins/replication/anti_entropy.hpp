// Anti-entropy (docs/replication.md, "anti-entropy"): a pull from a peer, page by page:
//   `sync` {vv, cursor} -> `sync_reply` {events beyond vv, more} -> ingest -> again while more
// started at start, when a peer appears, every anti_entropy_ms, when a client waits for events
// (want) and when a peer's own `sync` shows it holds what we lack. Also answers peers' `sync`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "bib/context.hpp"
#include "bib/event_loop.hpp"
#include "bib/replica.hpp"
#include "event_ingest.hpp"
#include "replication_options.hpp"
#include "sync_pager.hpp"
#include "transport.hpp"

namespace bib::replication {

class AntiEntropy {
 public:
  struct Hooks {
    // True while a pushed batch to the peer is in flight: its retries renew the connection.
    std::function<bool(const std::string& peer)> push_in_flight;
    // A peer's first pull since it appeared has ended (answered to its last page, or given up).
    std::function<void()> first_round_ended;
  };

  AntiEntropy(Context& ctx, const ReplicationOptions& options, PageLimits limits, Transport& transport,
              EventIngest& ingest, Hooks hooks);

  // Pulls from every peer every anti_entropy_ms from now on.
  void start(Replica& replica);
  void stop();

  // A peer that (re)appears: exchange what either side lacks.
  void add_peer(const std::string& name);
  void remove_peer(const std::string& name);
  // The connection to the peer was renewed: the pull on it is lost.
  void abandon(const std::string& peer);

  // A client waits for these events: ask their origin now (it surely holds them); an origin
  // that is not a peer (gone, or unknown) may be covered by anyone: ask every peer.
  void want(const VersionVector& missing);
  // A peer's `sync` on our port: answer one page, and pull from it when it holds what we lack.
  void on_sync(const Inbound& inbound);
  void on_sync_reply(const std::string& peer, const Value& data);

  bool every_first_round_done() const;
  // The peer's pull state, into its entry of the status.
  void describe(const std::string& peer, Map& out) const;

 private:
  // One pull conversation with a peer: sync, sync_reply, ... until more is false.
  struct Pull {
    bool active = false;
    std::uint64_t session = 0;
    VersionVector cursor;        // highest seq per origin received in this session
    Timer timer;                 // gives up on an unanswered request
    std::uint64_t received = 0;  // events ingested in this session, for the log
    VersionVector peer_vv;       // from its last sync or sync_reply
    bool first_round_done = false;
    // In ctx.metrics(), labelled with the peer (docs/operations.md, "Metrics").
    Counter* pulls = nullptr;
    Counter* pulled_events = nullptr;
    Counter* timeouts = nullptr;
  };

  void start_pull(const std::string& peer, Pull& pull);
  void request_page(const std::string& peer, Pull& pull);
  void end_pull(const std::string& peer, Pull& pull);
  void on_page_timeout(const std::string& peer, std::uint64_t session);
  void page_ingested(const std::string& peer, std::uint64_t session, bool more);
  Pull* find(const std::string& peer);

  Context& ctx_;
  const ReplicationOptions& options_;
  PageLimits limits_;
  Transport& transport_;
  EventIngest& ingest_;
  Hooks hooks_;
  Replica* replica_ = nullptr;
  std::map<std::string, Pull> pulls_;
  Timer round_timer_;
};

}  // namespace bib::replication
