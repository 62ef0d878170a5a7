#include "election.hpp"

#include <algorithm>

#include "bib/messaging.hpp"
#include "bib/reply.hpp"

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

void Election::listen() {
  running_ = true;
  SubscriberOptions subscriber_options;
  subscriber_options.max_message_bytes = ctx_.max_message_bytes();
  subscriber_options.lamport = &ctx_.lamport();
  // The proxy's subscriber port is a client port: CURVE there when host.client_security says so.
  subscriber_options.prepare = [this](zmq::socket_t& socket) {
    ctx_.link_security().connect_to_client_port(socket, kProxyKeyName);
  };
  subscriber_.emplace(options_.subscribe, std::move(subscriber_options), &ctx_.zmq_context());
  subscriber_->subscribe(std::string(kServersTopic));
  subscriber_watch_ = ctx_.loop().watch_socket(subscriber_->socket(), [this] { on_subscriber_readable(); });
  ctx_.log().info("coordination: following topic '{}' at {}", kServersTopic, options_.subscribe);
}

void Election::stop() {
  running_ = false;
  for (auto* timer : {&election_timer_, &wait_timer_, &announce_timer_}) timer->reset();
  subscriber_watch_.reset();
  subscriber_.reset();
}

// `election {rank}` from a lower rank: OK, then our own election (classic bully). A coordinator
// only announces itself again: any higher server alive would already have challenged it.
Value Election::election_reply(const Value& data) {
  const std::int64_t caller = data.get_int("rank");
  if (!peers_.sender(data, "election")) return error_reply("refused: elections are taken from members only");
  const auto mine = peers_.my_rank();
  if (!mine) return error_reply("rank not known yet");
  if (!answers_ok(*mine, static_cast<int>(caller))) {
    return error_reply("rank " + std::to_string(caller) + " is not below ours (" + std::to_string(*mine) + ")");
  }
  ctx_.loop().post([this, caller] {
    if (!running_) return;
    if (bully_.is_coordinator())
      announce();
    else
      start("election from rank " + std::to_string(caller));
  });
  return Map{{"election", "OK"}};
}

void Election::describe(Map& status) const {
  const auto& coordinator = bully_.coordinator();
  status.insert_or_assign("coordinator", coordinator ? Value(*coordinator) : Value());
  status.insert_or_assign("election", to_string(bully_.phase()));
  status.insert_or_assign("elections_started", static_cast<std::int64_t>(bully_.elections_started()));
  status.insert_or_assign("elections_won", static_cast<std::int64_t>(bully_.elections_won()));
}

void Election::start(const std::string& reason) {
  const auto rank = peers_.my_rank();
  if (!rank) {
    ctx_.log().info("election: not started ({}): our rank is not known yet", reason);
    return;
  }
  const bool was_coordinator = bully_.is_coordinator();
  const Bully::Start start = bully_.start(*rank, peers_.list());
  if (!start.started) {
    ctx_.log().debug("election: one already runs ({})", reason);
    return;
  }
  const std::uint64_t election = ++election_;
  if (start.won) {
    ctx_.log().info("election: {} (rank {}) outranks every peer ({})", ctx_.node_name(), *rank, reason);
    if (!was_coordinator) become_coordinator();
    else announce();
    return;
  }
  if (was_coordinator) end_term();
  ctx_.log().info("election: started by {} (rank {}) ({}); asking {}", ctx_.node_name(), *rank, reason,
                   names_of(start.ask));
  for (const Peer& peer : start.ask) {
    peers_.link(peer).request("election", Map{{"rank", *rank}}, options_.election_timeout,
                       [this, election, name = peer.name](const PeerLink::Response& response) {
                         on_election_reply(election, name, response);
                       });
  }
  election_timer_.reset();
  election_timer_ = ctx_.loop().start_timer(options_.election_timeout, [this, election] { on_election_timeout(election); });
}

void Election::on_election_reply(std::uint64_t election, const std::string& peer, const PeerLink::Response& response) {
  if (election != election_) return;  // an older election's reply
  const Value* answer = response.reply ? response.reply->data.find("election") : nullptr;
  if (answer == nullptr || !answer->is_string() || answer->as_string() != "OK") {
    ctx_.log().info("election: no OK from {}: {}", peer,
                     response.reply ? response.reply->data.to_string() : response.problem);
    return;
  }
  if (!bully_.on_ok()) return;
  election_timer_.reset();
  ctx_.log().info("election: {} answered OK; waiting up to {} ms for the winner's announcement", peer,
                   options_.announcement_wait().count());
  wait_timer_ = ctx_.loop().start_timer(options_.announcement_wait(), [this, election] { on_wait_timeout(election); });
}

void Election::on_election_timeout(std::uint64_t election) {
  election_timer_.reset();
  if (election != election_ || !bully_.on_election_timeout()) return;
  ctx_.log().info("election: no higher rank answered OK within {} ms", options_.election_timeout.count());
  become_coordinator();
}

void Election::on_wait_timeout(std::uint64_t election) {
  wait_timer_.reset();
  if (election != election_ || !bully_.on_wait_timeout()) return;
  ctx_.log().warn("election: no coordinator announced within {} ms of an OK; electing again",
                   options_.announcement_wait().count());
  start("no announcement after an OK");
}

void Election::become_coordinator() {
  election_timer_.reset();
  wait_timer_.reset();
  ctx_.log().info("election: {} (rank {}) is the coordinator", ctx_.node_name(), peers_.my_rank().value_or(0));
  announce();
  announce_timer_.reset();
  announce_timer_ = ctx_.loop().start_timer(options_.announce, [this] { announce(); }, true);
  clock_sync_.lead();
}

// No longer coordinator: stop announcing and syncing; a round in flight is abandoned.
void Election::end_term() {
  announce_timer_.reset();
  clock_sync_.step_down();
}

void Election::announce() {
  Value data = Map{{"coordinator", ctx_.node_name()}};
  if (auto rank = peers_.my_rank()) data["rank"] = *rank;
  stamp(data, ctx_.lamport(), ctx_.clock());
  ctx_.publish(kServersTopic, publication("election", "election", kServersTopic, std::move(data.as_map())));  // the host logs the wire line
}

void Election::on_subscriber_readable() {
  for (int i = 0; i < kBatch && subscriber_; ++i) {
    auto message = subscriber_->receive(std::chrono::milliseconds(0));
    if (!message) return;
    ctx_.wire_log().info("recv sub {} {}", message->topic, message->envelope.to_string());
    on_announcement(message->envelope);
  }
}

void Election::on_announcement(const Envelope& message) {
  const Value* coordinator = message.data.find("coordinator");
  if (message.service != "election" || coordinator == nullptr || !coordinator->is_string()) {
    ctx_.log().debug("coordination: ignored on '{}': {}", kServersTopic, message.to_string());
    return;
  }
  const std::string& name = coordinator->as_string();
  // Only a member discovery lists, at its rank, can be followed (docs/security.md); one that
  // joined a moment ago is listed soon and announces itself again.
  std::optional<int> rank;
  std::optional<Peer> peer;
  if (name == ctx_.node_name()) {
    rank = peers_.my_rank();
  } else if ((peer = peers_.find(name))) {
    rank = peer->rank;
    const auto announced = message.data.opt_int("rank");
    if (announced && *announced != peer->rank) {
      peers_.refuse("coordinator announcement with a forged rank",
                    "'" + name + "' claims rank " + std::to_string(*announced) + "; discovery lists rank " +
                        std::to_string(peer->rank));
      return;
    }
  } else {
    peers_.refuse("coordinator announcement from a non-member", "'" + name + "' is not among discovery's peers");
    return;
  }
  if (peer && bully_.coordinator() != name) {
    verify_then_apply(*peer, rank);
    return;
  }
  apply_announcement(name, rank);
}

void Election::verify_then_apply(const Peer& announcer, std::optional<int> rank) {
  if (!verifying_.insert(announcer.name).second) return;
  peers_.link(announcer).request(
      "clock", Map{}, options_.election_timeout,
      [this, name = announcer.name, rank](const PeerLink::Response& response) {
        verifying_.erase(name);
        if (!running_) return;
        if (!response.reply) {
          peers_.refuse("coordinator announcement from a server this one cannot reach",
                        "'" + name + "' announced itself through the proxy but does not answer directly (" +
                            response.problem + "): not followed");
          return;
        }
        apply_announcement(name, rank);
      });
}

void Election::apply_announcement(const std::string& name, std::optional<int> rank) {
  const bool was_coordinator = bully_.is_coordinator();
  switch (bully_.on_announcement(name, rank, peers_.my_rank().value_or(0))) {
    case Bully::Heard::own:
    case Bully::Heard::ignored:
      return;
    case Bully::Heard::same:
      clock_sync_.heard_from_coordinator();
      return;
    case Bully::Heard::new_coordinator:
      election_timer_.reset();
      wait_timer_.reset();
      if (was_coordinator) end_term();
      clock_sync_.follow();
      ctx_.log().info("election: following coordinator {} (rank {})", name, rank ? std::to_string(*rank) : "?");
      return;
    case Bully::Heard::challenge:
      ctx_.log().info("election: {} (rank {}) announced itself but we outrank it: taking over", name, *rank);
      start("a lower rank announced itself");
      return;
    case Bully::Heard::reassert:
      ctx_.log().info("election: {} (rank {}) announced itself while we coordinate: announcing again", name, *rank);
      announce();
      return;
  }
}

void Election::coordinator_lost(const std::string& lost, const std::string& why) {
  const std::string name = lost;  // often the Bully's own copy, which lose_coordinator() clears
  if (!bully_.lose_coordinator(name)) return;
  ctx_.log().warn("election: coordinator {} lost: {}", name, why);
  start("coordinator " + name + " lost");
}

void Election::on_peers_changed() {
  const auto& coordinator = bully_.coordinator();
  if (coordinator && *coordinator != ctx_.node_name() && !peers_.find(*coordinator)) {
    coordinator_lost(*coordinator, "no longer among discovery's peers");
  } else if (!coordinator && bully_.phase() == Phase::following) {
    start("peers changed and no coordinator is known");
  }
}

}  // namespace bib::coordination
