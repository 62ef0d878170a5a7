// The bully election on the host loop (docs/time.md): `election` requests to higher ranks, the
// timers bully.hpp asks for, and announcements on topic `servers`:
//   [servers][{"service": "election", "data": {"coordinator": "server-3", "rank": 3, "timestamp": .., "clock": ..}}]
// The coordinator re-announces every announce_ms. Winning starts the clock synchronisation's
// rounds, losing the term stops them, a new coordinator is followed.
//
//   {"service": "election", "data": {"rank": 1}}  -> {"election": "OK"}   (we outrank 1)
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "bib/context.hpp"
#include "bib/subscriber.hpp"
#include "bully.hpp"
#include "clock_sync.hpp"
#include "coordination_options.hpp"
#include "peers.hpp"

namespace bib::coordination {

class Election {
 public:
  Election(Context& ctx, const CoordinationOptions& options, Peers& peers, Bully& bully, ClockSync& clock_sync)
      : ctx_(ctx), options_(options), peers_(peers), bully_(bully), clock_sync_(clock_sync) {}
  ~Election() { stop(); }
  Election(const Election&) = delete;
  Election& operator=(const Election&) = delete;

  void listen();  // subscribe to `servers`
  void stop();

  void start(const std::string& reason);
  Value election_reply(const Value& data);
  void coordinator_lost(const std::string& name, const std::string& why);
  void on_peers_changed();
  // coordinator (name or nil), election (phase).
  void describe(Map& status) const;

 private:
  void on_election_reply(std::uint64_t election, const std::string& peer, const PeerLink::Response& response);
  void on_election_timeout(std::uint64_t election);
  void on_wait_timeout(std::uint64_t election);
  void become_coordinator();
  void end_term();
  void announce();
  void on_subscriber_readable();
  void on_announcement(const Envelope& message);
  // A change of coordinator is taken only from a server that answers us directly (a `clock`
  // request): through a partition the proxy may still bring announcements of a server this one
  // cannot reach, and following it would lose it at the next probe and elect again, over and
  // over. While a probe of it is under way, its further announcements wait for the answer.
  void verify_then_apply(const Peer& announcer, std::optional<int> rank);
  void apply_announcement(const std::string& name, std::optional<int> rank);

  Context& ctx_;
  const CoordinationOptions& options_;
  Peers& peers_;
  Bully& bully_;
  ClockSync& clock_sync_;
  std::optional<Subscriber> subscriber_;
  SocketWatch subscriber_watch_;  // after subscriber_: removed from the loop before it closes
  bool running_ = false;

  Timer election_timer_;  // electing: no OK by then -> we win
  Timer wait_timer_;      // waiting: no announcement by then -> elect again
  Timer announce_timer_;  // coordinator: re-announce
  std::uint64_t election_ = 0;             // replies and timers of older elections are ignored
  std::set<std::string> verifying_;        // announcers probed right now
};

}  // namespace bib::coordination
