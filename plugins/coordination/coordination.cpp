// Lifetime, the four services and the peer helpers; the election is in election.cpp, the clock
// synchronisation in clock_sync.cpp.
#include "coordination.hpp"

#include <cmath>
#include <stdexcept>

#include "bib/discovery.hpp"
#include "bib/messaging.hpp"
#include "bib/net.hpp"
#include "bib/reply.hpp"

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
}

void Coordination::start() {
  running_ = true;
  ctx_->clock().set_offset(options_.drift_s);
  if (options_.drift_s != 0) {
    ctx_->log().info("clock: artificial drift {:+.3f} s (option drift_s); physical clock now {:.3f}", options_.drift_s,
                     ctx_->clock().now());
  }

  subscriber_.emplace(options_.subscribe, SubscriberOptions{ctx_->max_message_bytes(), &ctx_->lamport()},
                      &ctx_->zmq_context());
  subscriber_->subscribe(std::string(kServersTopic));
  ctx_->loop().add_socket(subscriber_->socket(), [this] { on_subscriber_readable(); });
  ctx_->log().info("coordination: following topic '{}' at {}", kServersTopic, options_.subscribe);

  discovery_->on_change([this] {
    if (running_) on_peers_changed();
  });
  asked_at_ = ctx_->requests_handled();
  heard_from_coordinator_ = std::chrono::steady_clock::now();
  check_timer_ = ctx_->loop().add_timer(options_.ask_check, [this] { on_check(); }, true);
  start_election("start-up");
}

void Coordination::stop() {
  running_ = false;
  for (auto* timer : {&election_timer_, &wait_timer_, &announce_timer_, &sync_timer_, &check_timer_}) cancel(*timer);
  round_.reset();
  links_.clear();
  if (subscriber_) {
    ctx_->loop().remove_socket(subscriber_->socket());
    subscriber_.reset();
  }
}

Outcome Coordination::handle(const Request& request) {
  if (request.service == "clock") return Reply{Map{{"time", ctx_->clock().now()}}};
  if (request.service == "election") return Reply{election_reply(request.data)};
  if (request.service == "clock_adjust") return Reply{adjust_reply(request.data)};
  return Reply{coordinator_reply()};
}

// `election {rank}` from a lower rank: OK, then our own election (classic bully). A coordinator
// only announces itself again: any higher server alive would already have challenged it.
Value Coordination::election_reply(const Value& data) {
  const std::int64_t caller = data.get_int("rank");
  const auto mine = my_rank();
  if (!mine) return error_reply("rank not known yet");
  if (!answers_ok(*mine, static_cast<int>(caller))) {
    return error_reply("rank " + std::to_string(caller) + " is not below ours (" + std::to_string(*mine) + ")");
  }
  ctx_->loop().post([this, caller] {
    if (!running_) return;
    if (bully_->is_coordinator())
      announce();
    else
      start_election("election from rank " + std::to_string(caller));
  });
  return Map{{"election", "OK"}};
}

// A Berkeley correction from the coordinator: add delta to our physical clock.
Value Coordination::adjust_reply(const Value& data) {
  const double delta = data.get_double("delta");
  if (!std::isfinite(delta)) return error_reply("field 'delta' must be a finite number");
  const std::string from = data.opt_string("coordinator").value_or("?");
  const double before = ctx_->clock().offset();
  ctx_->clock().adjust(delta);
  ++sync_rounds_;
  last_sync_ = ctx_->clock().now();
  ctx_->log().info("clock: Berkeley correction {:+.6f} s from {}: offset {:+.6f} s -> {:+.6f} s", delta, from, before,
                   ctx_->clock().offset());
  return Map{{"status", "OK"}};
}

Value Coordination::coordinator_reply() const {
  Map reply{{"name", ctx_->node_name()}};
  if (auto rank = my_rank()) reply["rank"] = *rank;
  describe(reply);
  return reply;
}

void Coordination::describe(Map& status) const {
  if (!bully_) return;  // not configured
  const auto& coordinator = bully_->coordinator();
  status.insert_or_assign("coordinator", coordinator ? Value(*coordinator) : Value());
  status.insert_or_assign("election", to_string(bully_->phase()));
  status.insert_or_assign("clock_offset", ctx_->clock().offset());
  status.insert_or_assign("sync_rounds", sync_rounds_);
  status.insert_or_assign("last_sync", last_sync_ ? Value(*last_sync_) : Value());
}

std::optional<int> Coordination::my_rank() const { return discovery_->rank(); }

std::optional<Peer> Coordination::find_peer(const std::string& name) const {
  for (Peer& peer : discovery_->peers())
    if (peer.name == name) return peer;
  return std::nullopt;
}

PeerLink& Coordination::link(const Peer& peer) {
  const std::string endpoint = tcp_endpoint(peer.address, options_.peer_port);
  auto& slot = links_[peer.name];
  if (!slot)
    slot = std::make_unique<PeerLink>(*ctx_, peer.name, endpoint);
  else
    slot->retarget(endpoint);
  return *slot;
}

void Coordination::cancel(std::optional<TimerId>& timer) {
  if (timer) ctx_->loop().cancel_timer(*timer);
  timer.reset();
}

}  // namespace bib::coordination
