// The bully election by rank (docs/architecture.md), as a state machine free of sockets and timers:
// the plugin sends the messages and runs the timers it asks for.
//
//   following --start()--> electing --no OK in time--> coordinator (announce on `servers`)
//                              |
//                              +--an OK--> waiting --announcement--> following
//                                             |
//                                             +--no announcement in time--> start again
//
// A server that cannot reach the coordinator (or at start) sends `election {rank}` to every
// higher-ranked peer; a peer that outranks the caller answers {election: "OK"} and runs its own
// election. A lower-ranked coordinator heard on `servers` is challenged (a higher server that
// comes back takes over); a coordinator that hears a higher one steps down.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bib/discovery.hpp"

namespace bib::coordination {

enum class Phase {
  following,    // we follow coordinator(), or know none yet
  electing,     // `election` sent to every higher rank, waiting for an OK
  waiting,      // a higher rank answered OK: waiting for its announcement
  coordinator,  // we are the coordinator
};
const char* to_string(Phase phase) noexcept;

// Peers ranked above us, lowest rank first: who gets our `election`.
std::vector<Peer> higher_ranked(const std::vector<Peer>& peers, int my_rank);

// An `election {rank: caller_rank}` is answered OK when we outrank the caller.
inline bool answers_ok(int my_rank, int caller_rank) { return my_rank > caller_rank; }

class Bully {
 public:
  explicit Bully(std::string self) : self_(std::move(self)) {}

  Phase phase() const noexcept { return phase_; }
  const std::optional<std::string>& coordinator() const noexcept { return coordinator_; }
  bool is_coordinator() const noexcept { return phase_ == Phase::coordinator; }
  bool campaigning() const noexcept { return phase_ == Phase::electing || phase_ == Phase::waiting; }
  // Since start-up, for the metrics: elections begun, and won (at once or by timeout).
  std::uint64_t elections_started() const noexcept { return elections_started_; }
  std::uint64_t elections_won() const noexcept { return elections_won_; }

  struct Start {
    bool started = false;     // false: an election already runs
    bool won = false;         // nobody outranks us: we are coordinator at once
    std::vector<Peer> ask;    // send `election` to these, then time out
  };
  // Begin an election unless one runs.
  Start start(int my_rank, const std::vector<Peer>& peers);

  // An OK for the running election: stop campaigning and wait for the winner. True when the
  // phase changed (the first OK).
  bool on_ok();
  // The election timer ran out: with no OK we win. True when we became coordinator.
  bool on_election_timeout();
  // The wait for the winner's announcement ran out: true when an election must start again.
  bool on_wait_timeout();

  enum class Heard {
    own,              // our own announcement, echoed by the proxy
    same,             // the coordinator we already follow
    new_coordinator,  // now following it; any election we ran, or our own term, is over
    challenge,        // a lower rank claims it while we follow: start an election to take over
    reassert,         // we are coordinator and outrank it: announce ourselves again now
    ignored,          // a lower rank while we campaign: our election settles it
  };
  // An announcement on `servers` of `name`, with its rank when known (unknown counts as higher).
  Heard on_announcement(const std::string& name, std::optional<int> rank, int my_rank);

  // `name` stopped answering or left discovery. True when it was our coordinator and we were
  // following it: an election is due.
  bool lose_coordinator(const std::string& name);

 private:
  void win();

  std::string self_;
  Phase phase_ = Phase::following;
  std::optional<std::string> coordinator_;
  std::uint64_t elections_started_ = 0;
  std::uint64_t elections_won_ = 0;
};

}  // namespace bib::coordination
