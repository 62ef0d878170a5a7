// The coordination plugin's options, checked (docs/time.md):
//   [[plugins]]
//   name = "coordination"
//   subscribe = "tcp://127.0.0.1:5558"   # the proxy's XPUB: announcements on topic `servers`
//   peer_port = 5561                     # peers' direct port: tcp://<peer address>:<peer_port>
//   drift_s = 0.0                        # artificial clock drift at start, |drift_s| <= 1 (or a string: "${BIB_DRIFT:-0}")
//   election_timeout_ms = 1000           # no OK from a higher rank this long: we win
//   announce_ms = 3000                   # the coordinator re-announces itself this often
//   sync_interval_ms = 5000              # Berkeley round period (coordinator)
//   outlier_s = 2.0                      # offsets this far from the median stay out of the average
//   request_timeout_ms = 1000            # a `clock` or `clock_adjust` unanswered this long failed
//   ask_every = 10                       # ask the coordinator's time every N requests handled
//   ask_check_ms = 100                   # how often requests_handled() is looked at
#pragma once

#include <chrono>
#include <string>

#include "bib/value.hpp"

namespace bib::coordination {

struct CoordinationOptions {
  std::string subscribe = "tcp://127.0.0.1:5558";
  int peer_port = 5561;
  double drift_s = 0.0;
  std::chrono::milliseconds election_timeout{1000};
  std::chrono::milliseconds announce{3000};
  std::chrono::milliseconds sync_interval{5000};
  double outlier_s = 2.0;
  std::chrono::milliseconds request_timeout{1000};
  int ask_every = 10;
  std::chrono::milliseconds ask_check{100};

  // Derived: how long a follower waits for the winner's announcement after an OK, and how long
  // the coordinator may stay silent before a follower probes it with `clock`.
  std::chrono::milliseconds announcement_wait() const { return 3 * election_timeout; }
  std::chrono::milliseconds coordinator_silence() const { return 2 * announce; }
};

inline constexpr double kMaxDriftSeconds = 1.0;

// Throws std::invalid_argument naming the option: unknown key, wrong type, value out of range
// ("option 'drift_s' must be between -1 and 1 seconds, got 1.5").
CoordinationOptions parse_coordination_options(const Value& config);

}  // namespace bib::coordination
