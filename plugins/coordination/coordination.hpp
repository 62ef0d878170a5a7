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

#include <optional>
#include <string>
#include <vector>

#include "bib/sdk.hpp"
#include "bully.hpp"
#include "clock_sync.hpp"
#include "coordination_options.hpp"
#include "election.hpp"
#include "peers.hpp"

namespace bib::coordination {

// The plugin: its options, the services, and the objects that do the work: Peers (ranks and
// links), ClockSync (Berkeley and Cristian), Election (bully and announcements).
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
  Value coordinator_reply() const;
  // The election's series in ctx.metrics() (docs/operations.md, "Metrics"), while running.
  void register_metrics();
  double coordinator_rank() const;  // NaN while none is known

  Context* ctx_ = nullptr;
  DiscoveryPlugin* discovery_ = nullptr;
  CoordinationOptions options_;
  std::optional<Bully> bully_;
  std::optional<Peers> peers_;
  // Declared before the election, which refers to it, so that it is destroyed after it.
  std::optional<ClockSync> clock_sync_;
  std::optional<Election> election_;
  bool running_ = false;
  std::vector<MetricRegistration> metrics_;  // last: they read the members above
};

}  // namespace bib::coordination
