#include "pusher.hpp"

#include <utility>

#include "replication_messages.hpp"

namespace bib::replication {

Pusher::Pusher(Context& ctx, const ReplicationOptions& options, OutboxLimits limits, Transport& transport,
               Reconnected reconnected)
    : ctx_(ctx), options_(options), limits_(limits), transport_(transport), reconnected_(std::move(reconnected)) {}

void Pusher::add_peer(const std::string& name) {
  auto [it, added] = links_.try_emplace(name, limits_, options_);
  if (added) register_metrics(name, it->second);
}

void Pusher::register_metrics(const std::string& peer, Link& link) {
  Metrics& metrics = ctx_.metrics();
  const MetricLabels labels{{"peer", peer}};
  link.retries = &metrics.counter("bib_replication_retries_total",
                                  "Batches sent again because the peer did not acknowledge them in time.", labels);
  link.gauges.push_back(metrics.gauge_fn("bib_replication_outbox_events", "Events queued for the peer, not sent yet.",
                                         labels, [&link] { return static_cast<double>(link.outbox.queued()); }));
  link.gauges.push_back(metrics.gauge_fn("bib_replication_unacked_events",
                                         "Events sent to the peer (the batch in flight) and not acknowledged yet.",
                                         labels,
                                         [&link] { return static_cast<double>(link.outbox.in_flight().size()); }));
  link.gauges.push_back(metrics.gauge_fn("bib_replication_unacked_age_seconds",
                                         "How long the batch in flight has waited for its acknowledgement; 0 when none.",
                                         labels, [this, peer] { return unacked_seconds(peer); }));
  link.gauges.push_back(metrics.gauge_fn("bib_replication_peer_suspect",
                                         "1 while the peer has missed an acknowledgement and has not been heard since.",
                                         labels, [&link] { return link.suspect ? 1.0 : 0.0; }));
  link.gauges.push_back(metrics.counter_fn("bib_replication_dropped_events_total",
                                           "Events dropped from a full outbox (anti-entropy brings them to the peer).",
                                           labels, [&link] { return static_cast<double>(link.outbox.dropped()); }));
}

double Pusher::unacked_seconds(const std::string& peer) const {
  auto it = links_.find(peer);
  if (it == links_.end() || !it->second.outbox.has_in_flight()) return 0;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - it->second.batch_sent).count();
}

void Pusher::remove_peer(const std::string& name) { links_.erase(name); }

void Pusher::clear() {
  links_.clear();
  send_scheduled_ = false;
  lifeline_.renew();
}

Pusher::Link* Pusher::find(const std::string& peer) {
  auto it = links_.find(peer);
  return it == links_.end() ? nullptr : &it->second;
}

bool Pusher::in_flight(const std::string& peer) const {
  auto it = links_.find(peer);
  return it != links_.end() && it->second.outbox.has_in_flight();
}

void Pusher::push(const Event& event) {
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
}

// Events of one loop iteration go out together: the host calls replicate() for each write of
// its flush batch, and the send runs once after them.
void Pusher::schedule_send() {
  if (send_scheduled_) return;
  send_scheduled_ = true;
  ctx_.loop().post(lifeline_.guard([this] {
    send_scheduled_ = false;
    for (auto& [name, link] : links_) send_next_batch(name, link);
  }));
}

void Pusher::send_next_batch(const std::string& peer, Link& link) {
  if (link.outbox.has_in_flight()) return;
  if (link.outbox.take_batch().empty()) return;
  link.attempts = 0;
  link.batch_sent = std::chrono::steady_clock::now();
  transmit(peer, link);
}

void Pusher::transmit(const std::string& peer, Link& link) {
  ReplicateMessage message{ctx_.node_name(), link.outbox.batch_number(), {}};
  for (const PeerOutbox::Entry& entry : link.outbox.in_flight()) message.events.push_back(entry.event);
  ++link.attempts;
  transport_.send(peer, to_envelope(message));
  link.retry = ctx_.loop().start_timer(link.backoff.delay(), [this, peer] { on_retry_due(peer); });
}

void Pusher::on_retry_due(const std::string& peer) {
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
  link->retries->inc();
  // A fresh connection drops whatever still waits in the old one's queue (a down peer must
  // not collect one copy of the batch per retry).
  transport_.reconnect(peer);
  reconnected_(peer);
  if (Link* still = find(peer)) transmit(peer, *still);
}

std::vector<EventId> Pusher::on_ack(const std::string& peer, const Value& data) {
  const AckMessage ack = parse_ack(data);
  Link* link = find(peer);
  if (link == nullptr) return {};
  std::vector<EventId> held = ack.acked;
  for (const FailedEvent& failed : ack.failed) {
    ctx_.log().warn("replication: {} cannot apply event {}: {}", peer, to_string(failed.id), failed.reason);
    held.push_back(failed.id);
  }
  const auto result = link->outbox.acknowledge(ack.batch, held);
  for (const EventId& id : result.unanswered) {
    ctx_.log().warn("replication: {} answered batch {} without event {}; anti-entropy will retry it", peer, ack.batch,
                    to_string(id));
  }
  if (result.completed) {
    link->retry.reset();
    link->backoff.reset();
    link->last_ack = ctx_.clock().now();
    if (link->suspect) ctx_.log().info("replication: {} acknowledges again", peer);
    link->suspect = false;
    send_next_batch(peer, *link);
  }
  return ack.acked;
}

// Any message from a peer that missed an acknowledgement means it is back: resend at once
// rather than at the end of a back-off of up to max_retry_ms.
void Pusher::heard_from(const std::string& peer) {
  Link* link = find(peer);
  if (link == nullptr) return;
  link->last_heard = ctx_.clock().now();
  if (!link->suspect) return;
  link->suspect = false;
  link->backoff.reset();
  if (link->outbox.has_in_flight()) {
    ctx_.log().info("replication: {} is reachable again; resending batch {} now", peer, link->outbox.batch_number());
    transmit(peer, *link);
  }
}

void Pusher::describe(const std::string& peer, Map& out) const {
  auto it = links_.find(peer);
  if (it == links_.end()) return;
  const Link& link = it->second;
  out["queued"] = link.outbox.queued();
  out["in_flight"] = link.outbox.in_flight().size();
  out["batch"] = link.outbox.batch_number();
  out["attempts"] = link.attempts;
  out["retry_ms"] = link.outbox.has_in_flight() ? link.backoff.delay().count() : 0;
  out["suspect"] = link.suspect;
  out["dropped"] = link.outbox.dropped();
  out["last_ack"] = link.last_ack == 0 ? Value() : Value(link.last_ack);
  out["last_heard"] = link.last_heard == 0 ? Value() : Value(link.last_heard);
}

}  // namespace bib::replication
