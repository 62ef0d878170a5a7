// The bully election driven on the host loop: `election` requests to higher ranks, the
// timers bully.hpp asks for, announcements on topic `servers`.
#include <algorithm>

#include "bib/messaging.hpp"
#include "coordination.hpp"

namespace bib::coordination {

namespace {

constexpr int kBatch = 64;  // announcements read per readiness callback

std::string names_of(const std::vector<Peer>& peers) {
  std::string text;
  for (const Peer& peer : peers) {
    if (!text.empty()) text += ", ";
    text += peer.name + " (rank " + std::to_string(peer.rank) + ")";
  }
  return text;
}

}  // namespace

void Coordination::start_election(const std::string& reason) {
  const auto rank = my_rank();
  if (!rank) {
    ctx_->log().info("election: not started ({}): our rank is not known yet", reason);
    return;
  }
  const bool was_coordinator = bully_->is_coordinator();
  const Bully::Start start = bully_->start(*rank, discovery_->peers());
  if (!start.started) {
    ctx_->log().debug("election: one already runs ({})", reason);
    return;
  }
  const std::uint64_t election = ++election_;
  if (start.won) {
    ctx_->log().info("election: {} (rank {}) outranks every peer ({})", ctx_->node_name(), *rank, reason);
    if (!was_coordinator) become_coordinator();
    else announce();
    return;
  }
  if (was_coordinator) end_term();
  ctx_->log().info("election: started by {} (rank {}) ({}); asking {}", ctx_->node_name(), *rank, reason,
                   names_of(start.ask));
  for (const Peer& peer : start.ask) {
    link(peer).request("election", Map{{"rank", *rank}}, options_.election_timeout,
                       [this, election, name = peer.name](const PeerLink::Response& response) {
                         on_election_reply(election, name, response);
                       });
  }
  cancel(election_timer_);
  election_timer_ = ctx_->loop().add_timer(options_.election_timeout, [this, election] { on_election_timeout(election); });
}

void Coordination::on_election_reply(std::uint64_t election, const std::string& peer, const PeerLink::Response& response) {
  if (election != election_) return;  // an older election's reply
  const Value* answer = response.reply ? response.reply->data.find("election") : nullptr;
  if (answer == nullptr || !answer->is_string() || answer->as_string() != "OK") {
    ctx_->log().info("election: no OK from {}: {}", peer,
                     response.reply ? response.reply->data.to_string() : response.problem);
    return;
  }
  if (!bully_->on_ok()) return;
  cancel(election_timer_);
  ctx_->log().info("election: {} answered OK; waiting up to {} ms for the winner's announcement", peer,
                   options_.announcement_wait().count());
  wait_timer_ = ctx_->loop().add_timer(options_.announcement_wait(), [this, election] { on_wait_timeout(election); });
}

void Coordination::on_election_timeout(std::uint64_t election) {
  election_timer_.reset();
  if (election != election_ || !bully_->on_election_timeout()) return;
  ctx_->log().info("election: no higher rank answered OK within {} ms", options_.election_timeout.count());
  become_coordinator();
}

void Coordination::on_wait_timeout(std::uint64_t election) {
  wait_timer_.reset();
  if (election != election_ || !bully_->on_wait_timeout()) return;
  ctx_->log().warn("election: no coordinator announced within {} ms of an OK; electing again",
                   options_.announcement_wait().count());
  start_election("no announcement after an OK");
}

void Coordination::become_coordinator() {
  cancel(election_timer_);
  cancel(wait_timer_);
  ctx_->log().info("election: {} (rank {}) is the coordinator", ctx_->node_name(), my_rank().value_or(0));
  announce();
  cancel(announce_timer_);
  announce_timer_ = ctx_->loop().add_timer(options_.announce, [this] { announce(); }, true);
  cancel(sync_timer_);
  sync_timer_ = ctx_->loop().add_timer(options_.sync_interval, [this] { berkeley_round(); }, true);
}

// No longer coordinator: stop announcing and syncing; a round in flight is abandoned.
void Coordination::end_term() {
  cancel(announce_timer_);
  cancel(sync_timer_);
  round_.reset();
}

void Coordination::announce() {
  Value data = Map{{"coordinator", ctx_->node_name()}};
  if (auto rank = my_rank()) data["rank"] = *rank;
  stamp(data, ctx_->lamport(), ctx_->clock());
  ctx_->publish(kServersTopic, Envelope{"election", std::move(data)});  // the host logs the wire line
}

void Coordination::on_subscriber_readable() {
  for (int i = 0; i < kBatch && subscriber_; ++i) {
    auto message = subscriber_->receive(std::chrono::milliseconds(0));
    if (!message) return;
    ctx_->wire_log().info("recv sub {} {}", message->topic, message->envelope.to_string());
    on_announcement(message->envelope);
  }
}

void Coordination::on_announcement(const Envelope& message) {
  const Value* coordinator = message.data.find("coordinator");
  if (message.service != "election" || coordinator == nullptr || !coordinator->is_string()) {
    ctx_->log().debug("coordination: ignored on '{}': {}", kServersTopic, message.to_string());
    return;
  }
  const std::string& name = coordinator->as_string();
  std::optional<int> rank;
  if (auto peer = find_peer(name)) rank = peer->rank;
  else if (auto announced = message.data.opt_int("rank")) rank = static_cast<int>(*announced);

  const bool was_coordinator = bully_->is_coordinator();
  switch (bully_->on_announcement(name, rank, my_rank().value_or(0))) {
    case Bully::Heard::own:
    case Bully::Heard::ignored:
      return;
    case Bully::Heard::same:
      heard_from_coordinator_ = std::chrono::steady_clock::now();
      return;
    case Bully::Heard::new_coordinator:
      cancel(election_timer_);
      cancel(wait_timer_);
      if (was_coordinator) end_term();
      heard_from_coordinator_ = std::chrono::steady_clock::now();
      asked_at_ = ctx_->requests_handled();
      ctx_->log().info("election: following coordinator {} (rank {})", name, rank ? std::to_string(*rank) : "?");
      return;
    case Bully::Heard::challenge:
      ctx_->log().info("election: {} (rank {}) announced itself but we outrank it: taking over", name, *rank);
      start_election("a lower rank announced itself");
      return;
    case Bully::Heard::reassert:
      ctx_->log().info("election: {} (rank {}) announced itself while we coordinate: announcing again", name, *rank);
      announce();
      return;
  }
}

void Coordination::coordinator_lost(std::string name, const std::string& why) {
  if (!bully_->lose_coordinator(name)) return;
  ctx_->log().warn("election: coordinator {} lost: {}", name, why);
  start_election("coordinator " + name + " lost");
}

void Coordination::on_peers_changed() {
  const auto& coordinator = bully_->coordinator();
  if (coordinator && *coordinator != ctx_->node_name() && !find_peer(*coordinator)) {
    coordinator_lost(*coordinator, "no longer among discovery's peers");
  } else if (!coordinator && bully_->phase() == Phase::following) {
    start_election("peers changed and no coordinator is known");
  }
}

}  // namespace bib::coordination
