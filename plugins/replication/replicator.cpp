#include "replicator.hpp"

#include <algorithm>
#include <utility>

#include "bib/net.hpp"

namespace bib::replication {

namespace {

// Room left in every message for the envelope, `from`, version vectors and the stamp.
std::size_t event_budget(std::int64_t max_message_bytes) {
  const auto max = static_cast<std::size_t>(std::max<std::int64_t>(max_message_bytes, 4096));
  return max - std::min<std::size_t>(max / 4, 64 * 1024);
}

std::uint64_t seq_in(const VersionVector& vv, const std::string& origin) {
  auto it = vv.find(origin);
  return it == vv.end() ? 0 : it->second;
}

// A received event: identity, or a sentence saying why it is unreadable.
struct Parsed {
  std::optional<Event> event;
  std::string problem;
};

Parsed parse_event(const Value& value) {
  try {
    return Parsed{event_from_value(value), ""};
  } catch (const FieldError& e) {
    return Parsed{std::nullopt, e.what()};
  }
}

}  // namespace

Replicator::Replicator(Context& ctx, ReplicationOptions options, Mode mode, Transport& transport)
    : ctx_(ctx),
      options_(std::move(options)),
      mode_(mode),
      transport_(transport),
      outbox_limits_{options_.batch, event_budget(ctx.max_message_bytes()), options_.outbox_limit},
      page_limits_{options_.batch, event_budget(ctx.max_message_bytes())},
      quorum_(ctx.loop(), options_.quorum_timeout, [this] { return cluster_size(); }) {}

Replicator::~Replicator() {
  if (running_) stop();
}

// --- lifetime -------------------------------------------------------------------------------

void Replicator::start() {
  replica_ = ctx_.replica();
  if (replica_ == nullptr) throw std::runtime_error("replication: the host lends no replica (ctx.replica() is null)");
  transport_.open([this](Inbound inbound) { on_message(std::move(inbound)); });
  running_ = true;
  anti_entropy_timer_ = ctx_.loop().add_timer(
      options_.anti_entropy,
      [this] {
        for (auto& [name, link] : links_) start_pull(link);
      },
      true);

  DiscoveryPlugin* discovery = ctx_.discovery();
  membership_known_ = discovery == nullptr || discovery->rank().has_value();
  if (!membership_known_) {
    membership_timer_ = ctx_.loop().add_timer(options_.anti_entropy, [this] {
      membership_timer_.reset();
      membership_known_ = true;
      check_caught_up();
    });
  }
  if (discovery == nullptr) {
    ctx_.log().warn("replication: no discovery plugin is loaded: this server has no peers to replicate to");
  } else {
    discovery->on_change([this, alive = token(), discovery] {
      if (!alive.expired() && running_) set_peers(discovery->peers());
    });
    set_peers(discovery->peers());
  }
  ctx_.log().info("replication-{}: listening on {}; {} peer(s); batch {}, retry {}..{} ms, anti-entropy every {} ms{}",
                  to_string(mode_), options_.listen, links_.size(), options_.batch, options_.retry.count(),
                  options_.max_retry.count(), options_.anti_entropy.count(),
                  mode_ == Mode::quorum ? ", quorum " + std::to_string(QuorumTracker::majority(cluster_size())) +
                                              " of " + std::to_string(cluster_size()) + " within " +
                                              std::to_string(options_.quorum_timeout.count()) + " ms"
                                        : std::string());
}

void Replicator::stop() {
  if (!running_) return;
  running_ = false;
  alive_ = std::make_shared<bool>(true);  // callbacks made before now see theirs expire
  if (anti_entropy_timer_) ctx_.loop().cancel_timer(*anti_entropy_timer_);
  anti_entropy_timer_.reset();
  if (membership_timer_) ctx_.loop().cancel_timer(*membership_timer_);
  membership_timer_.reset();
  caught_up_callbacks_.clear();
  while (!links_.empty()) remove_link(links_.begin()->first);
  quorum_.fail_all("server stopping: write not confirmed by a quorum");
  transport_.close();
}

// --- membership -----------------------------------------------------------------------------

std::size_t Replicator::cluster_size() const { return std::max(options_.cluster_size, 1 + seen_.size()); }

void Replicator::set_peers(const std::vector<Peer>& peers) {
  std::set<std::string> listed;
  for (const Peer& peer : peers) {
    if (peer.name == ctx_.node_name() || peer.address.empty()) continue;
    listed.insert(peer.name);
    const std::string endpoint = tcp_endpoint(peer.address, options_.peer_port);
    Link* link = find(peer.name);
    if (link != nullptr && link->endpoint == endpoint) continue;
    if (link != nullptr) remove_link(peer.name);  // moved: start afresh at the new address
    auto [it, added] = links_.try_emplace(peer.name, peer, endpoint, outbox_limits_, options_);
    (void)added;
    seen_.insert(peer.name);
    transport_.connect(peer.name, endpoint);
    ctx_.log().info("replication: peer {} (rank {}) at {}", peer.name, peer.rank, endpoint);
    start_pull(it->second);  // a peer that (re)appears: exchange what either side lacks
  }
  std::vector<std::string> gone;
  for (const auto& [name, link] : links_)
    if (!listed.count(name)) gone.push_back(name);
  for (const std::string& name : gone) {
    ctx_.log().info("replication: peer {} left discovery; its outbox is dropped, anti-entropy catches it up if it returns",
                    name);
    remove_link(name);
  }
  if (!links_.empty()) membership_known_ = true;
  check_caught_up();
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
  if (caught_up_ || !running_ || !membership_known_) return;
  for (const auto& [name, link] : links_)
    if (!link.first_round_done) return;
  caught_up_ = true;
  if (membership_timer_) ctx_.loop().cancel_timer(*membership_timer_);
  membership_timer_.reset();
  ctx_.log().info("replication: caught up with {} peer(s)", links_.size());
  auto callbacks = std::move(caught_up_callbacks_);
  caught_up_callbacks_.clear();
  for (auto& fn : callbacks) fn();
}

void Replicator::remove_link(const std::string& name) {
  Link* link = find(name);
  if (link == nullptr) return;
  cancel_retry(*link);
  if (link->pull.timer) ctx_.loop().cancel_timer(*link->pull.timer);
  transport_.disconnect(name);
  links_.erase(name);
}

Replicator::Link* Replicator::find(const std::string& name) {
  auto it = links_.find(name);
  return it == links_.end() ? nullptr : &it->second;
}

// --- push -----------------------------------------------------------------------------------

void Replicator::replicate(const Event& event, Done done) {
  const EventId id = id_of(event);
  Value value = to_value(event);
  const std::size_t bytes = encoded_size(value);
  for (auto& [name, link] : links_) {
    const std::size_t dropped = link.outbox.push(id, value, bytes);
    if (dropped > 0) {
      ctx_.log().warn("replication: outbox for {} is full ({} events): dropped {} queued event(s); {} will pull them "
                      "through anti-entropy",
                      name, options_.outbox_limit, dropped, name);
    }
  }
  schedule_send();
  if (mode_ == Mode::async) {
    done(true, "");  // the local append is durable already: answer now
  } else {
    quorum_.track(id, ctx_.node_name(), std::move(done));
  }
}

// Events of one loop iteration go out together: the host calls replicate() for each write of
// its flush batch, and the send runs once after them.
void Replicator::schedule_send() {
  if (send_scheduled_ || !running_) return;
  send_scheduled_ = true;
  ctx_.loop().post([this, alive = token()] {
    if (alive.expired()) return;
    send_scheduled_ = false;
    for (auto& [name, link] : links_) send_next_batch(link);
  });
}

void Replicator::send_next_batch(Link& link) {
  if (link.outbox.has_in_flight()) return;
  if (link.outbox.take_batch().empty()) return;
  link.attempts = 0;
  transmit(link);
}

void Replicator::transmit(Link& link) {
  ReplicateMessage message{ctx_.node_name(), link.outbox.batch_number(), {}};
  for (const PeerOutbox::Entry& entry : link.outbox.in_flight()) message.events.push_back(entry.event);
  ++link.attempts;
  transport_.send(link.peer.name, to_envelope(message));
  cancel_retry(link);
  const std::string name = link.peer.name;
  link.retry = ctx_.loop().add_timer(link.backoff.delay(), [this, name] { on_retry_due(name); });
}

void Replicator::cancel_retry(Link& link) {
  if (link.retry) ctx_.loop().cancel_timer(*link.retry);
  link.retry.reset();
}

void Replicator::on_retry_due(const std::string& peer) {
  Link* link = find(peer);
  if (link == nullptr) return;
  link->retry.reset();
  if (!link->outbox.has_in_flight()) return;
  if (!link->suspect) {
    ctx_.log().warn("replication: {} did not acknowledge batch {} ({} events) within {} ms; retrying with back-off up "
                    "to {} ms",
                    peer, link->outbox.batch_number(), link->outbox.in_flight().size(), link->backoff.delay().count(),
                    options_.max_retry.count());
    link->suspect = true;
  }
  link->backoff.grow();
  // A fresh connection drops whatever still waits in the old one's queue (a down peer must
  // not collect one copy of the batch per retry); the pull on it is lost with it.
  transport_.reconnect(peer);
  end_pull(*link);
  transmit(*link);
}

void Replicator::on_ack(Link& link, const Value& data) {
  const AckMessage ack = parse_ack(data);
  std::vector<EventId> held = ack.acked;
  if (mode_ == Mode::quorum)
    for (const EventId& id : ack.acked) quorum_.held_by(id, link.peer.name);
  for (const FailedEvent& failed : ack.failed) {
    ctx_.log().warn("replication: {} cannot apply event {}: {}", link.peer.name, to_string(failed.id), failed.reason);
    held.push_back(failed.id);
  }
  const auto result = link.outbox.acknowledge(ack.batch, held);
  for (const EventId& id : result.unanswered) {
    ctx_.log().warn("replication: {} answered batch {} without event {}; anti-entropy will retry it", link.peer.name,
                    ack.batch, to_string(id));
  }
  if (!result.completed) return;
  cancel_retry(link);
  link.backoff.reset();
  link.last_ack = ctx_.clock().now();
  if (link.suspect) ctx_.log().info("replication: {} acknowledges again", link.peer.name);
  link.suspect = false;
  send_next_batch(link);
}

// Any message from a peer that missed an acknowledgement means it is back: resend at once
// rather than at the end of a back-off of up to max_retry_ms.
void Replicator::heard_from(Link& link) {
  link.last_heard = ctx_.clock().now();
  if (!link.suspect) return;
  link.suspect = false;
  link.backoff.reset();
  if (link.outbox.has_in_flight()) {
    ctx_.log().info("replication: {} is reachable again; resending batch {} now", link.peer.name,
                    link.outbox.batch_number());
    transmit(link);
  }
}

// The Replica reports failures through done; a third-party one that throws is treated alike.
void Replicator::ingest(const Event& event, Replica::Done done) {
  try {
    replica_->ingest(event, done);
  } catch (const std::exception& e) {
    done(false, e.what());
  }
}

// Pushed batches and pulled pages alike: every readable event is ingested (unreadable ones are
// logged, naming `source`, and skipped); on_durable(id, ok, error) runs for each once it is
// durable here or refused, then all_durable() once every one has, also when there were none.
// Nothing runs after stop().
void Replicator::ingest_batch(const std::vector<Value>& events, const std::string& source,
                              const std::function<void(const EventId&)>& on_readable,
                              std::function<void(const EventId&, bool, const std::string&)> on_durable,
                              std::function<void()> all_durable) {
  struct Countdown {
    std::size_t waiting = 1;  // released after the loop below, so all_durable never runs early
    std::function<void(const EventId&, bool, const std::string&)> each;
    std::function<void()> all;
    void release() {
      if (--waiting == 0) all();
    }
  };
  auto countdown = std::make_shared<Countdown>(Countdown{1, std::move(on_durable), std::move(all_durable)});
  for (const Value& value : events) {
    Parsed parsed = parse_event(value);
    if (!parsed.event) {
      ctx_.log().warn("replication: unreadable event in {}: {}", source, parsed.problem);
      continue;
    }
    const EventId id = id_of(*parsed.event);
    on_readable(id);
    ++countdown->waiting;
    ingest(*parsed.event, [alive = token(), countdown, id](bool ok, const std::string& error) {
      if (alive.expired()) return;
      countdown->each(id, ok, error);
      countdown->release();
    });
  }
  countdown->release();
}

// A peer's batch: ingest every event, acknowledge once all are durable here.
void Replicator::on_replicate(const Inbound& inbound) {
  ReplicateMessage message = parse_replicate(inbound.message.data);
  auto ack = std::make_shared<AckMessage>(AckMessage{ctx_.node_name(), message.batch, {}, {}});
  const std::string from = message.from;
  ingest_batch(
      message.events, "batch " + std::to_string(message.batch) + " from " + from, [](const EventId&) {},
      [this, ack, from](const EventId& id, bool ok, const std::string& error) {
        if (ok) {
          ack->acked.push_back(id);
        } else {
          ctx_.log().warn("replication: event {} from {} cannot be applied: {}", to_string(id), from, error);
          ack->failed.push_back(FailedEvent{id, error});
        }
      },
      [this, ack, from, route = inbound.route] { transport_.reply(route, from, to_envelope(*ack)); });
}

// --- anti-entropy -----------------------------------------------------------------------------

// A client waits for these events: ask their origin now (it surely holds them); an origin
// that is not a peer (gone, or unknown) may be covered by anyone: ask every peer.
void Replicator::want(const VersionVector& missing) {
  bool ask_all = false;
  for (const auto& [origin, seq] : missing) {
    if (seq == 0 || seq <= seq_in(replica_->version_vector(), origin)) continue;
    if (Link* link = find(origin)) {
      start_pull(*link);
    } else {
      ask_all = true;
    }
  }
  if (ask_all)
    for (auto& [name, link] : links_) start_pull(link);
}

void Replicator::start_pull(Link& link) {
  if (link.pull.active || !running_) return;
  link.pull.active = true;
  ++link.pull.session;
  link.pull.cursor.clear();
  link.pull.received = 0;
  request_page(link);
}

void Replicator::request_page(Link& link) {
  transport_.send(link.peer.name, to_envelope(SyncMessage{ctx_.node_name(), replica_->version_vector(), link.pull.cursor}));
  if (link.pull.timer) ctx_.loop().cancel_timer(*link.pull.timer);
  const std::string name = link.peer.name;
  const std::uint64_t session = link.pull.session;
  link.pull.timer = ctx_.loop().add_timer(options_.anti_entropy, [this, name, session] {
    Link* current = find(name);
    if (current == nullptr || current->pull.session != session) return;
    current->pull.timer.reset();
    ctx_.log().debug("replication: {} did not answer sync within {} ms; asking again", name,
                     options_.anti_entropy.count());
    // An idle link gets a fresh connection so that unanswered requests do not pile up for a
    // hung peer; with a batch in flight the batch's retries already do that.
    if (!current->outbox.has_in_flight()) transport_.reconnect(name);
    end_pull(*current);
    start_pull(*current);
  });
}

void Replicator::end_pull(Link& link) {
  if (link.pull.timer) ctx_.loop().cancel_timer(*link.pull.timer);
  link.pull.timer.reset();
  if (link.pull.active && link.pull.received > 0) {
    ctx_.log().info("replication: pulled {} event(s) from {}", link.pull.received, link.peer.name);
  }
  link.pull.active = false;
  ++link.pull.session;  // late answers to this session change nothing
  if (!link.first_round_done) {
    link.first_round_done = true;
    check_caught_up();
  }
}

// A peer asks what we hold beyond its version vector: one page; and if it holds what we
// lack, pull from it too.
void Replicator::on_sync(const Inbound& inbound) {
  const SyncMessage request = parse_sync(inbound.message.data);
  transport_.reply(inbound.route, request.from, to_envelope(answer_sync(*replica_, request, page_limits_)));
  Link* link = find(request.from);
  if (link == nullptr) return;
  link->peer_vv = request.vv;
  // The peer has, for some origin, more contiguous events than we do: pull them.
  if (!covers(replica_->version_vector(), request.vv)) start_pull(*link);
}

void Replicator::on_sync_reply(Link& link, const Value& data) {
  SyncReplyMessage reply = parse_sync_reply(data);
  link.peer_vv = reply.vv;
  const bool current = link.pull.active;
  const std::uint64_t session = link.pull.session;
  if (current && link.pull.timer) {
    ctx_.loop().cancel_timer(*link.pull.timer);
    link.pull.timer.reset();
  }
  // Ingest the page; ask for the next once all of it is durable (the disk sets the pace).
  const std::string name = link.peer.name;
  const bool more = reply.more;
  ingest_batch(
      reply.events, "sync_reply from " + name,
      [&link, current](const EventId& id) {
        if (!current) return;
        std::uint64_t& cursor = link.pull.cursor[id.first];
        cursor = std::max(cursor, id.second);
        ++link.pull.received;
      },
      [this, name](const EventId& id, bool ok, const std::string& error) {
        if (!ok) ctx_.log().warn("replication: event {} pulled from {} cannot be applied: {}", to_string(id), name, error);
      },
      [this, name, session, more, current] {
        if (current) pull_page_ingested(name, session, more);
      });
}

void Replicator::pull_page_ingested(const std::string& peer, std::uint64_t session, bool more) {
  Link* link = find(peer);
  if (link == nullptr || !link->pull.active || link->pull.session != session || !running_) return;
  if (more) {
    request_page(*link);
  } else {
    end_pull(*link);
  }
}

// --- dispatch ---------------------------------------------------------------------------------

void Replicator::on_message(Inbound inbound) {
  const std::string& service = inbound.message.service;
  try {
    const std::string from = inbound.message.data.opt_string("from").value_or("");
    if (from == ctx_.node_name()) {
      ctx_.log().warn("replication: received my own {} back: a peer address points at this server", service);
      return;
    }
    if (!inbound.route.empty()) {  // a peer's request on our port
      if (service == kReplicate) {
        on_replicate(inbound);
      } else if (service == kSync) {
        on_sync(inbound);
      } else {
        ctx_.log().warn("replication: unknown request '{}' from {}", service, from.empty() ? "?" : from);
        return;
      }
      if (Link* link = find(from)) heard_from(*link);
      return;
    }
    Link* link = find(inbound.peer);
    if (link == nullptr) return;  // a peer dropped meanwhile
    if (service == kReplicateAck) {
      on_ack(*link, inbound.message.data);
    } else if (service == kSyncReply) {
      on_sync_reply(*link, inbound.message.data);
    } else {
      ctx_.log().warn("replication: unknown answer '{}' from {}", service, inbound.peer);
      return;
    }
    if (Link* still = find(inbound.peer)) heard_from(*still);
  } catch (const FieldError& e) {
    ctx_.log().warn("replication: malformed {} ignored: {}", service, e.what());
  }
}

// --- status -----------------------------------------------------------------------------------

void Replicator::describe(Map& status) const {
  Array peers;
  for (const auto& [name, link] : links_) {
    peers.push_back(Map{{"name", name},
                        {"endpoint", link.endpoint},
                        {"queued", link.outbox.queued()},
                        {"in_flight", link.outbox.in_flight().size()},
                        {"batch", link.outbox.batch_number()},
                        {"attempts", link.attempts},
                        {"retry_ms", link.outbox.has_in_flight() ? link.backoff.delay().count() : 0},
                        {"suspect", link.suspect},
                        {"dropped", link.outbox.dropped()},
                        {"last_ack", link.last_ack == 0 ? Value() : Value(link.last_ack)},
                        {"last_heard", link.last_heard == 0 ? Value() : Value(link.last_heard)},
                        {"pulling", link.pull.active},
                        {"vv", to_value(link.peer_vv)}});
  }
  Map replication{{"mode", to_string(mode_)},
                  {"listen", options_.listen},
                  {"cluster_size", cluster_size()},
                  {"peers", std::move(peers)}};
  if (mode_ == Mode::quorum) {
    replication.emplace("quorum", Map{{"needed", QuorumTracker::majority(cluster_size())},
                                      {"timeout_ms", options_.quorum_timeout.count()},
                                      {"pending", quorum_.pending()},
                                      {"confirmed", quorum_.confirmed()},
                                      {"failed", quorum_.failed()}});
  }
  status["replication"] = std::move(replication);
}

}  // namespace bib::replication
