// Physical clock synchronisation (docs/time.md): Berkeley rounds while this server coordinates,
// and, while it follows, Cristian's ask of the coordinator's time every ask_every requests it
// handles (or when the coordinator has been silent too long). A coordinator that does not
// answer is reported lost; with no coordinator known an election is asked for.
//
//   {"service": "clock_adjust", "data": {"delta": 0.5, "coordinator": "server-3", "round": 7}}
//     -> {"status": "OK"}   (a Berkeley correction, from the coordinator)
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bib/context.hpp"
#include "bully.hpp"
#include "coordination_options.hpp"
#include "peers.hpp"
#include "sync_math.hpp"

namespace bib::coordination {

class ClockSync {
 public:
  using CoordinatorLost = std::function<void(const std::string& name, const std::string& why)>;
  using ElectionNeeded = std::function<void(const std::string& reason)>;

  ClockSync(Context& ctx, const CoordinationOptions& options, Peers& peers, const Bully& bully,
            CoordinatorLost coordinator_lost, ElectionNeeded election_needed);
  ~ClockSync() { stop(); }
  ClockSync(const ClockSync&) = delete;
  ClockSync& operator=(const ClockSync&) = delete;

  void start();  // the follower's periodic check
  void stop();

  void lead();        // we coordinate: Berkeley rounds every sync_interval
  void step_down();   // no longer: rounds stop, one in flight is abandoned
  void follow();      // a new coordinator: count requests and silence from now
  void heard_from_coordinator() { heard_from_coordinator_ = std::chrono::steady_clock::now(); }

  Value adjust_reply(const Value& data);
  // clock_offset, sync_rounds, last_sync (or nil).
  void describe(Map& status) const;

 private:
  void berkeley_round();
  void on_clock_sample(std::uint64_t round, const std::string& peer, const PeerLink::Response& response);
  void finish_round();
  void on_check();
  void ask_coordinator(const std::string& why);
  void on_coordinator_time(const std::string& coordinator, const PeerLink::Response& response);

  Context& ctx_;
  const CoordinationOptions& options_;
  Peers& peers_;
  const Bully& bully_;
  CoordinatorLost coordinator_lost_;
  ElectionNeeded election_needed_;
  bool running_ = false;

  Timer sync_timer_;   // coordinator: Berkeley rounds
  Timer check_timer_;  // follower: requests handled, coordinator silence

  struct Round {
    std::uint64_t number = 0;
    std::vector<ClockSample> samples;     // the coordinator first, offset 0
    std::map<std::string, double> rtt_s;  // per sampled peer
    std::size_t outstanding = 0;
    std::size_t asked = 0;
  };
  std::optional<Round> round_;
  std::uint64_t rounds_started_ = 0;
  std::uint64_t sync_rounds_ = 0;    // Berkeley rounds run or corrections received
  std::optional<double> last_sync_;  // physical time of the last correction applied

  std::uint64_t asked_at_ = 0;  // requests_handled() at the last time ask
  bool asking_ = false;         // a `clock` to the coordinator is in flight
  std::chrono::steady_clock::time_point heard_from_coordinator_{};
};

}  // namespace bib::coordination
