// coordination: physical clock synchronisation and coordinator election for the servers
// (docs/architecture.md; docs/time.md). A service plugin on the server's direct port (5561):
//
//   {"service": "clock", "data": {}}                    -> {"time": 1714000000.25}
//   {"service": "election", "data": {"rank": 1}}        -> {"election": "OK"}   (we outrank 1)
//   {"service": "clock_adjust", "data": {"delta": 0.5}} -> {"status": "OK"}     (Berkeley correction)
//   {"service": "coordinator", "data": {}}              -> {"coordinator": "server-3", "election": "following", ...}
//
// The coordinator is elected by rank (bully, bully.hpp) and announced on topic `servers`:
//   [servers][{"service": "election", "data": {"coordinator": "server-3", "rank": 3, "timestamp": .., "clock": ..}}]
// It re-announces every announce_ms and runs a Berkeley round every sync_interval_ms
// (sync_math.hpp). Every other server asks it for the time every ask_every requests it
// handles, and probes it when it has been silent too long; no answer starts an election.
// Every socket is on the host loop: peers through PeerLink, `servers` through a Subscriber.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bib/sdk.hpp"
#include "bib/subscriber.hpp"
#include "bully.hpp"
#include "coordination_options.hpp"
#include "peer_link.hpp"
#include "sync_math.hpp"

namespace bib::coordination {

class Coordination final : public ServicePlugin {
 public:
  void configure(Context& ctx) override;
  void start() override;
  void stop() override;
  std::vector<std::string> services() const override { return {"clock", "election", "clock_adjust", "coordinator"}; }
  Outcome handle(const Request& request) override;
  // coordinator (name or nil), election (phase), clock_offset, sync_rounds, last_sync (or nil).
  void describe(Map& status) const override;

  const Bully& bully() const { return *bully_; }
  const CoordinationOptions& options() const { return options_; }

 private:
  // Services (coordination.cpp).
  Value election_reply(const Value& data);
  Value adjust_reply(const Value& data);
  Value coordinator_reply() const;

  // Election (election.cpp).
  void start_election(const std::string& reason);
  void on_election_reply(std::uint64_t election, const std::string& peer, const PeerLink::Response& response);
  void on_election_timeout(std::uint64_t election);
  void on_wait_timeout(std::uint64_t election);
  void become_coordinator();
  void end_term();
  void announce();
  void on_subscriber_readable();
  void on_announcement(const Envelope& message);
  void coordinator_lost(std::string name, const std::string& why);  // by value: often the Bully's own copy
  void on_peers_changed();

  // Clock synchronisation (clock_sync.cpp).
  void berkeley_round();
  void on_clock_sample(std::uint64_t round, const std::string& peer, const PeerLink::Response& response);
  void finish_round();
  void on_check();
  void ask_coordinator(const std::string& why);
  void on_coordinator_time(const std::string& coordinator, const PeerLink::Response& response);

  // Peers.
  std::optional<int> my_rank() const;
  std::optional<Peer> find_peer(const std::string& name) const;
  PeerLink& link(const Peer& peer);
  void cancel(std::optional<TimerId>& timer);

  Context* ctx_ = nullptr;
  DiscoveryPlugin* discovery_ = nullptr;
  CoordinationOptions options_;
  std::optional<Bully> bully_;
  std::map<std::string, std::unique_ptr<PeerLink>> links_;  // by peer name
  std::optional<Subscriber> subscriber_;
  bool running_ = false;

  std::optional<TimerId> election_timer_;  // electing: no OK by then -> we win
  std::optional<TimerId> wait_timer_;      // waiting: no announcement by then -> elect again
  std::optional<TimerId> announce_timer_;  // coordinator: re-announce
  std::optional<TimerId> sync_timer_;      // coordinator: Berkeley rounds
  std::optional<TimerId> check_timer_;     // follower: requests handled, coordinator silence
  std::uint64_t election_ = 0;             // replies and timers of older elections are ignored

  struct Round {
    std::uint64_t number = 0;
    std::vector<ClockSample> samples;      // the coordinator first, offset 0
    std::map<std::string, double> rtt_s;   // per sampled peer
    std::size_t outstanding = 0;
    std::size_t asked = 0;
  };
  std::optional<Round> round_;
  std::uint64_t rounds_started_ = 0;
  std::uint64_t sync_rounds_ = 0;          // Berkeley rounds run or corrections received
  std::optional<double> last_sync_;        // physical time of the last correction applied

  std::uint64_t asked_at_ = 0;             // requests_handled() at the last time ask
  bool asking_ = false;                    // a `clock` to the coordinator is in flight
  std::chrono::steady_clock::time_point heard_from_coordinator_{};
};

}  // namespace bib::coordination
