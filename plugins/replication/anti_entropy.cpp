#include "anti_entropy.hpp"

#include <algorithm>
#include <utility>

#include "replication_messages.hpp"

namespace bib::replication {

AntiEntropy::AntiEntropy(Context& ctx, const ReplicationOptions& options, PageLimits limits, Transport& transport,
                         EventIngest& ingest, Hooks hooks)
    : ctx_(ctx), options_(options), limits_(limits), transport_(transport), ingest_(ingest), hooks_(std::move(hooks)) {}

void AntiEntropy::start(Replica& replica) {
  replica_ = &replica;
  round_timer_ = ctx_.loop().start_timer(
      options_.anti_entropy,
      [this] {
        for (auto& [name, pull] : pulls_) start_pull(name, pull);
      },
      true);
}

void AntiEntropy::stop() {
  round_timer_.reset();
  pulls_.clear();
  replica_ = nullptr;
}

AntiEntropy::Pull* AntiEntropy::find(const std::string& peer) {
  auto it = pulls_.find(peer);
  return it == pulls_.end() ? nullptr : &it->second;
}

void AntiEntropy::add_peer(const std::string& name) {
  auto [it, added] = pulls_.try_emplace(name);
  if (added) {
    Metrics& metrics = ctx_.metrics();
    const MetricLabels labels{{"peer", name}};
    it->second.pulls = &metrics.counter("bib_anti_entropy_pulls_total", "Anti-entropy pulls started from the peer.", labels);
    it->second.pulled_events =
        &metrics.counter("bib_anti_entropy_pulled_events_total", "Events the peer's sync replies brought.", labels);
    it->second.timeouts = &metrics.counter("bib_anti_entropy_timeouts_total",
                                           "Sync requests the peer did not answer within anti_entropy_ms.", labels);
  }
  start_pull(name, it->second);
}

void AntiEntropy::remove_peer(const std::string& name) { pulls_.erase(name); }

void AntiEntropy::abandon(const std::string& peer) {
  if (Pull* pull = find(peer)) end_pull(peer, *pull);
}

bool AntiEntropy::every_first_round_done() const {
  return std::all_of(pulls_.begin(), pulls_.end(), [](const auto& entry) { return entry.second.first_round_done; });
}

void AntiEntropy::want(const VersionVector& missing) {
  if (replica_ == nullptr) return;
  bool ask_all = false;
  for (const auto& [origin, seq] : missing) {
    if (seq == 0 || seq <= seq_in(replica_->version_vector(), origin)) continue;
    if (Pull* pull = find(origin)) {
      start_pull(origin, *pull);
    } else {
      ask_all = true;
    }
  }
  if (ask_all)
    for (auto& [name, pull] : pulls_) start_pull(name, pull);
}

void AntiEntropy::start_pull(const std::string& peer, Pull& pull) {
  if (pull.active || replica_ == nullptr) return;
  pull.active = true;
  pull.pulls->inc();
  ++pull.session;
  pull.cursor.clear();
  pull.received = 0;
  request_page(peer, pull);
}

void AntiEntropy::request_page(const std::string& peer, Pull& pull) {
  transport_.send(peer, to_envelope(SyncMessage{ctx_.node_name(), replica_->version_vector(), pull.cursor}));
  pull.timer = ctx_.loop().start_timer(options_.anti_entropy,
                                       [this, peer, session = pull.session] { on_page_timeout(peer, session); });
}

void AntiEntropy::on_page_timeout(const std::string& peer, std::uint64_t session) {
  Pull* pull = find(peer);
  if (pull == nullptr || pull->session != session) return;
  pull->timer.reset();
  pull->timeouts->inc();
  ctx_.log().debug("replication: {} did not answer sync within {} ms; asking again", peer,
                   options_.anti_entropy.count());
  // An idle link gets a fresh connection so that unanswered requests do not pile up for a
  // hung peer; with a batch in flight the batch's retries already do that.
  if (!hooks_.push_in_flight(peer)) transport_.reconnect(peer);
  end_pull(peer, *pull);
  if (Pull* still = find(peer)) start_pull(peer, *still);
}

void AntiEntropy::end_pull(const std::string& peer, Pull& pull) {
  pull.timer.reset();
  if (pull.active) pull.pulled_events->inc(static_cast<double>(pull.received));
  if (pull.active && pull.received > 0) {
    ctx_.log().info("replication: pulled {} event(s) from {}", pull.received, peer);
  }
  pull.active = false;
  ++pull.session;  // late answers to this session change nothing
  if (!pull.first_round_done) {
    pull.first_round_done = true;
    hooks_.first_round_ended();
  }
}

void AntiEntropy::on_sync(const Inbound& inbound) {
  if (replica_ == nullptr) return;
  const SyncMessage request = parse_sync(inbound.message.data);
  transport_.reply(inbound.route, request.from, to_envelope(answer_sync(*replica_, request, limits_)));
  Pull* pull = find(request.from);
  if (pull == nullptr) return;
  pull->peer_vv = request.vv;
  // The peer has, for some origin, more contiguous events than we do: pull them.
  if (!covers(replica_->version_vector(), request.vv)) start_pull(request.from, *pull);
}

void AntiEntropy::on_sync_reply(const std::string& peer, const Value& data) {
  SyncReplyMessage reply = parse_sync_reply(data);
  Pull* pull = find(peer);
  if (pull == nullptr) return;
  pull->peer_vv = reply.vv;
  const bool current = pull->active;
  const std::uint64_t session = pull->session;
  if (current) pull->timer.reset();
  // Ingest the page; ask for the next once all of it is durable (the disk sets the pace).
  const bool more = reply.more;
  ingest_.batch(
      reply.events, "sync_reply from " + peer,
      [pull, current](const EventId& id) {
        if (!current) return;
        std::uint64_t& cursor = pull->cursor[id.first];
        cursor = std::max(cursor, id.second);
        ++pull->received;
      },
      [this, peer](const EventId& id, bool ok, const std::string& error) {
        if (!ok) ctx_.log().warn("replication: event {} pulled from {} cannot be applied: {}", to_string(id), peer, error);
      },
      [this, peer, session, more, current] {
        if (current) page_ingested(peer, session, more);
      });
}

void AntiEntropy::page_ingested(const std::string& peer, std::uint64_t session, bool more) {
  Pull* pull = find(peer);
  if (pull == nullptr || !pull->active || pull->session != session || replica_ == nullptr) return;
  if (more) {
    request_page(peer, *pull);
  } else {
    end_pull(peer, *pull);
  }
}

void AntiEntropy::describe(const std::string& peer, Map& out) const {
  auto it = pulls_.find(peer);
  if (it == pulls_.end()) return;
  out["pulling"] = it->second.active;
  out["vv"] = to_value(it->second.peer_vv);
}

}  // namespace bib::replication
