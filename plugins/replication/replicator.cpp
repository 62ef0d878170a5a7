#include "replicator.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "bib/net.hpp"

namespace bib::replication {

namespace {

// Room left in every message for the envelope, `from`, version vectors and the stamp.
std::size_t event_budget(std::int64_t max_message_bytes) {
  const auto max = static_cast<std::size_t>(std::max<std::int64_t>(max_message_bytes, 4096));
  return max - std::min<std::size_t>(max / 4, 64 * 1024);
}

}  // namespace

Replicator::Replicator(Context& ctx, ReplicationOptions options, Mode mode, Transport& transport)
    : ctx_(ctx),
      options_(std::move(options)),
      mode_(mode),
      transport_(transport),
      quorum_(ctx.loop(), options_.quorum_timeout, [this] { return cluster_size(); }),
      // A peer answers a sync every anti_entropy_ms when nothing else flows: two silent rounds
      // and a second of slack before it counts as out of reach.
      majority_(ctx.loop(), 2 * options_.anti_entropy + std::chrono::milliseconds(1000),
                [this] { return cluster_size(); }),
      refusals_(ctx.log(), ctx.loop()),
      ingest_(refusals_),
      pusher_(ctx, options_, OutboxLimits{options_.batch, event_budget(ctx.max_message_bytes()), options_.outbox_limit},
              transport, [this](const std::string& peer) { anti_entropy_.abandon(peer); }),
      anti_entropy_(ctx, options_, PageLimits{options_.batch, event_budget(ctx.max_message_bytes())}, transport,
                    ingest_,
                    AntiEntropy::Hooks{[this](const std::string& peer) { return pusher_.in_flight(peer); },
                                       [this] { check_caught_up(); }}) {}

Replicator::~Replicator() {
  if (running_) stop();
}

// --- lifetime -------------------------------------------------------------------------------

void Replicator::start() {
  Replica* replica = ctx_.replica();
  if (replica == nullptr) throw std::runtime_error("replication: the host lends no replica (ctx.replica() is null)");
  ingest_.start(*replica);
  transport_.open([this](Inbound inbound) { on_message(std::move(inbound)); });
  running_ = true;
  anti_entropy_.start(*replica);
  if (mode_ == Mode::quorum) majority_.start();

  DiscoveryPlugin* discovery = ctx_.discovery();
  membership_known_ = discovery == nullptr || discovery->rank().has_value();
  if (!membership_known_) {
    membership_timer_ = ctx_.loop().start_timer(options_.anti_entropy, [this] {
      membership_timer_.reset();
      membership_known_ = true;
      check_caught_up();
    });
  }
  if (discovery == nullptr) {
    ctx_.log().warn("replication: no discovery plugin is loaded: this server has no peers to replicate to");
  } else {
    discovery->on_change(lifeline_.guard([this, discovery] { set_peers(discovery->peers()); }));
    set_peers(discovery->peers());
  }
  ctx_.log().info("replication-{}: listening on {}; {} peer(s); batch {}, retry {}..{} ms, anti-entropy every {} ms{}",
                  to_string(mode_), options_.listen, endpoints_.size(), options_.batch, options_.retry.count(),
                  options_.max_retry.count(), options_.anti_entropy.count(),
                  mode_ == Mode::quorum ? ", quorum " + std::to_string(QuorumTracker::majority(cluster_size())) +
                                              " of " + std::to_string(cluster_size()) + " within " +
                                              std::to_string(options_.quorum_timeout.count()) + " ms"
                                        : std::string());
}

void Replicator::stop() {
  if (!running_) return;
  running_ = false;
  lifeline_.renew();
  ingest_.stop();
  membership_timer_.reset();
  caught_up_callbacks_.clear();
  while (!endpoints_.empty()) remove_peer(endpoints_.begin()->first);
  pusher_.clear();
  anti_entropy_.stop();
  majority_.stop();
  quorum_.fail_all("server stopping: write not confirmed by a quorum");
  transport_.close();
  refusals_.flush();
}

// --- membership -----------------------------------------------------------------------------

std::size_t Replicator::cluster_size() const { return std::max(options_.cluster_size, 1 + seen_.size()); }

void Replicator::set_peers(const std::vector<Peer>& peers) {
  if (!running_) return;
  std::set<std::string> listed;
  for (const Peer& peer : peers) {
    if (peer.name == ctx_.node_name() || peer.address.empty()) continue;
    listed.insert(peer.name);
    const std::string endpoint = tcp_endpoint(peer.address, options_.peer_port);
    auto known = endpoints_.find(peer.name);
    if (known != endpoints_.end() && known->second == endpoint) continue;
    if (known != endpoints_.end()) remove_peer(peer.name);  // moved: start afresh at the new address
    ctx_.log().info("replication: peer {} (rank {}) at {}", peer.name, peer.rank, endpoint);
    add_peer(peer.name, endpoint);
  }
  std::vector<std::string> gone;
  for (const auto& [name, endpoint] : endpoints_)
    if (!listed.count(name)) gone.push_back(name);
  for (const std::string& name : gone) {
    ctx_.log().info("replication: peer {} left discovery; its outbox is dropped, anti-entropy catches it up if it returns",
                    name);
    remove_peer(name);
  }
  if (!endpoints_.empty()) membership_known_ = true;
  check_caught_up();
}

void Replicator::add_peer(const std::string& name, const std::string& endpoint) {
  endpoints_[name] = endpoint;
  seen_.insert(name);
  transport_.connect(name, endpoint);
  pusher_.add_peer(name);
  anti_entropy_.add_peer(name);  // a peer that (re)appears: exchange what either side lacks
  majority_.add_peer(name);
}

// name may be the key itself (stop() passes endpoints_.begin()->first): erased last.
void Replicator::remove_peer(const std::string& name) {
  auto it = endpoints_.find(name);
  if (it == endpoints_.end()) return;
  pusher_.remove_peer(name);
  anti_entropy_.remove_peer(name);
  majority_.remove_peer(name);
  transport_.disconnect(name);
  endpoints_.erase(it);
}

void Replicator::on_availability(MajorityWatch::Notify fn) {
  if (mode_ != Mode::quorum) return;
  majority_.on_change([this, fn = std::move(fn)](bool available, const std::string& why) {
    if (available) {
      ctx_.log().info("replication: a majority is in reach again ({})", majority_.summary());
    } else {
      ctx_.log().warn("replication: {}: writes cannot be confirmed here", why);
    }
    fn(available, why);
  });
}

void Replicator::when_caught_up(std::function<void()> fn) {
  if (caught_up_) {
    fn();
    return;
  }
  caught_up_callbacks_.push_back(std::move(fn));
  check_caught_up();
}

void Replicator::check_caught_up() {
  if (caught_up_ || !running_ || !membership_known_ || !anti_entropy_.every_first_round_done()) return;
  caught_up_ = true;
  membership_timer_.reset();
  ctx_.log().info("replication: caught up with {} peer(s)", endpoints_.size());
  auto callbacks = std::move(caught_up_callbacks_);
  caught_up_callbacks_.clear();
  for (auto& fn : callbacks) fn();
}

// --- writes -----------------------------------------------------------------------------------

void Replicator::replicate(const Event& event, Done done) {
  if (running_) pusher_.push(event);
  if (mode_ == Mode::async) {
    done(true, "");  // the local append is durable already: answer now
  } else {
    quorum_.track(id_of(event), ctx_.node_name(), std::move(done));
  }
}

// A peer's batch: ingest every event, acknowledge once all are durable here.
void Replicator::on_replicate(const Inbound& inbound) {
  ReplicateMessage message = parse_replicate(inbound.message.data);
  auto ack = std::make_shared<AckMessage>(AckMessage{ctx_.node_name(), message.batch, {}, {}});
  const std::string from = message.from;
  // A server pushes only the events it accepted itself (anti-entropy relays the others, on
  // connections this server opened): an event of another origin in a push is forged.
  Array own;
  for (Value& event : message.events) {
    const Value* origin_field = event.find("origin");
    if (origin_field == nullptr || !origin_field->is_string() || origin_field->as_string() == from) {
      own.push_back(std::move(event));  // read, and refused if unreadable, one at a time by the ingest
      continue;
    }
    const std::string& origin = origin_field->as_string();
    const Value* seq = event.find("seq");
    const EventId id{origin, seq != nullptr && seq->is_int() ? static_cast<std::uint64_t>(seq->as_int()) : 0};
    refusals_.refuse("pushed event of another origin", to_string(id) + " pushed by " + from);
    ack->failed.push_back(FailedEvent{id, "origin '" + origin + "' does not match the sender '" + from + "'"});
  }
  ingest_.batch(
      own, "batch " + std::to_string(message.batch) + " from " + from, [](const EventId&) {},
      [this, ack, from](const EventId& id, bool ok, const std::string& error) {
        if (ok) {
          ack->acked.push_back(id);
        } else {
          refusals_.refuse("replicated event that cannot be applied",
                           to_string(id) + " from " + from + ": " + error);
          ack->failed.push_back(FailedEvent{id, error});
        }
      },
      [this, ack, from, route = inbound.route] { transport_.reply(route, from, to_envelope(*ack)); });
}

// --- dispatch ---------------------------------------------------------------------------------

void Replicator::on_message(Inbound inbound) {
  const std::string& service = inbound.message.service;
  try {
    const std::string from = inbound.message.data.opt_string("from").value_or("");
    if (from == ctx_.node_name()) {
      refusals_.refuse("replication message from this server itself",
                       service + ": a peer address points at this server, or a peer names itself as us");
      return;
    }
    if (!inbound.route.empty()) {  // a peer's request on our port
      // Only servers discovery lists may push or pull (docs/security.md); one that joined a
      // moment ago is listed soon, and its retries get through then. No answer: a non-member
      // learns nothing.
      if (!endpoints_.count(from)) {
        refusals_.refuse("replication request from a non-member",
                         "'" + service + "' from '" + from + "', not among discovery's peers");
        return;
      }
      if (service == kReplicate) {
        on_replicate(inbound);
      } else if (service == kSync) {
        anti_entropy_.on_sync(inbound);
      } else {
        refusals_.refuse("unknown replication request", "'" + service + "' from " + (from.empty() ? "?" : from));
        return;
      }
      pusher_.heard_from(from);
      majority_.heard_from(from);
      return;
    }
    if (!endpoints_.count(inbound.peer)) return;  // a peer dropped meanwhile
    if (from != inbound.peer) {
      refusals_.refuse("replication answer naming another sender",
                       "'" + service + "' on the connection to " + inbound.peer + " names '" + from + "'");
      return;
    }
    majority_.heard_from(inbound.peer);
    if (service == kReplicateAck) {
      const std::vector<EventId> held = pusher_.on_ack(inbound.peer, inbound.message.data);
      if (mode_ == Mode::quorum)
        for (const EventId& id : held) quorum_.held_by(id, inbound.peer);
    } else if (service == kSyncReply) {
      anti_entropy_.on_sync_reply(inbound.peer, inbound.message.data);
    } else {
      refusals_.refuse("unknown replication answer", "'" + service + "' from " + inbound.peer);
      return;
    }
    pusher_.heard_from(inbound.peer);
  } catch (const FieldError& e) {
    refusals_.refuse("malformed replication message", service + " ignored: " + e.what());
  }
}

// --- status -----------------------------------------------------------------------------------

void Replicator::describe(Map& status) const {
  Array peers;
  for (const auto& [name, endpoint] : endpoints_) {
    Map peer{{"name", name}, {"endpoint", endpoint}};
    pusher_.describe(name, peer);
    anti_entropy_.describe(name, peer);
    peers.push_back(std::move(peer));
  }
  Map replication{{"mode", to_string(mode_)},
                  {"listen", options_.listen},
                  {"cluster_size", cluster_size()},
                  {"peers", std::move(peers)}};
  if (mode_ == Mode::quorum) {
    replication.emplace("quorum", Map{{"needed", QuorumTracker::majority(cluster_size())},
                                      {"timeout_ms", options_.quorum_timeout.count()},
                                      {"pending", quorum_.pending()},
                                      {"reachable", majority_.reachable()},
                                      {"majority_in_reach", majority_.available()},
                                      {"confirmed", quorum_.confirmed()},
                                      {"failed", quorum_.failed()}});
  }
  status["replication"] = std::move(replication);
}

}  // namespace bib::replication
