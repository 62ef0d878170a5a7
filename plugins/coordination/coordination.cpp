// Lifetime, the four services and the status of the coordination plugin; the election is in
// election.cpp, the clock synchronisation in clock_sync.cpp.
#include "coordination.hpp"

#include <cmath>
#include <stdexcept>

namespace bib::coordination {

void Coordination::configure(Context& ctx) {
  ctx_ = &ctx;
  options_ = parse_coordination_options(ctx.config());
  discovery_ = ctx.discovery();
  if (discovery_ == nullptr) {
    throw std::invalid_argument(
        "coordination needs a discovery plugin for ranks and peers: add [[plugins]] name = \"discovery-reference\" "
        "or \"discovery-static\"");
  }
  bully_.emplace(ctx.node_name());
  peers_.emplace(ctx, *discovery_, options_.peer_port);
  clock_sync_.emplace(
      ctx, options_, *peers_, *bully_,
      [this](const std::string& name, const std::string& why) { election_->coordinator_lost(name, why); },
      [this](const std::string& reason) { election_->start(reason); });
  election_.emplace(ctx, options_, *peers_, *bully_, *clock_sync_);
}

void Coordination::start() {
  running_ = true;
  ctx_->clock().set_offset(options_.drift_s);
  if (options_.drift_s != 0) {
    ctx_->log().info("clock: artificial drift {:+.3f} s (option drift_s); physical clock now {:.3f}", options_.drift_s,
                     ctx_->clock().now());
  }
  election_->listen();
  discovery_->on_change([this] {
    if (running_) election_->on_peers_changed();
  });
  clock_sync_->start();
  register_metrics();
  election_->start("start-up");
}

void Coordination::register_metrics() {
  Metrics& metrics = ctx_->metrics();
  metrics_.push_back(metrics.counter_fn("bib_elections_started_total", "Bully elections this server began.", {},
                                        [this] { return static_cast<double>(bully_->elections_started()); }));
  metrics_.push_back(metrics.counter_fn("bib_elections_won_total", "Elections this server won (it became coordinator).",
                                        {}, [this] { return static_cast<double>(bully_->elections_won()); }));
  metrics_.push_back(metrics.gauge_fn("bib_is_coordinator", "1 while this server is the coordinator.", {},
                                      [this] { return bully_->is_coordinator() ? 1.0 : 0.0; }));
  metrics_.push_back(metrics.gauge_fn("bib_coordinator_rank",
                                      "Rank of the coordinator this server follows (NaN while it knows none).", {},
                                      [this] { return coordinator_rank(); }));
}

double Coordination::coordinator_rank() const {
  const std::optional<std::string>& name = bully_->coordinator();
  if (!name) return std::nan("");
  if (*name == ctx_->node_name()) {
    const std::optional<int> mine = discovery_->rank();
    return mine ? *mine : std::nan("");
  }
  for (const Peer& peer : discovery_->peers())
    if (peer.name == *name) return peer.rank;
  return std::nan("");
}

void Coordination::stop() {
  running_ = false;
  metrics_.clear();
  election_->stop();
  clock_sync_->stop();
  peers_->close_all();
}

Outcome Coordination::handle(const Request& request) {
  if (request.service == "clock") return Reply{Map{{"time", ctx_->clock().now()}}};
  if (request.service == "election") return Reply{election_->election_reply(request.data)};
  if (request.service == "clock_adjust") return Reply{clock_sync_->adjust_reply(request.data)};
  return Reply{coordinator_reply()};
}

Value Coordination::coordinator_reply() const {
  Map reply{{"name", ctx_->node_name()}};
  if (auto rank = peers_->my_rank()) reply["rank"] = *rank;
  describe(reply);
  return reply;
}

void Coordination::describe(Map& status) const {
  if (!bully_) return;  // not configured
  election_->describe(status);
  clock_sync_->describe(status);
}

}  // namespace bib::coordination
