// Physical clock synchronisation (docs/architecture.md; docs/time.md): Berkeley rounds when we
// coordinate, and the follower's every-N-requests ask of the coordinator's time (Cristian).
#include <cmath>

#include <spdlog/fmt/fmt.h>

#include "clock_sync.hpp"

#include "bib/messaging.hpp"
#include "bib/reply.hpp"

namespace bib::coordination {

namespace {

std::optional<double> reply_time(const PeerLink::Response& response) {
  if (!response.reply) return std::nullopt;
  const Value* time = response.reply->data.find("time");
  if (time == nullptr || !time->is_number() || !std::isfinite(time->as_double())) return std::nullopt;
  return time->as_double();
}

std::string why_no_time(const PeerLink::Response& response) {
  return response.reply ? "no time in " + response.reply->data.to_string() : response.problem;
}

}  // namespace

ClockSync::ClockSync(Context& ctx, const CoordinationOptions& options, Peers& peers, const Bully& bully,
                     CoordinatorLost coordinator_lost, ElectionNeeded election_needed)
    : ctx_(ctx),
      options_(options),
      peers_(peers),
      bully_(bully),
      coordinator_lost_(std::move(coordinator_lost)),
      election_needed_(std::move(election_needed)) {}

void ClockSync::start() {
  running_ = true;
  asked_at_ = ctx_.requests_handled();
  heard_from_coordinator_ = std::chrono::steady_clock::now();
  check_timer_ = ctx_.loop().start_timer(options_.ask_check, [this] { on_check(); }, true);
}

void ClockSync::stop() {
  running_ = false;
  sync_timer_.reset();
  check_timer_.reset();
  round_.reset();
}

void ClockSync::lead() {
  sync_timer_.reset();
  sync_timer_ = ctx_.loop().start_timer(options_.sync_interval, [this] { berkeley_round(); }, true);
}

void ClockSync::step_down() {
  sync_timer_.reset();
  round_.reset();
}

void ClockSync::follow() {
  heard_from_coordinator();
  asked_at_ = ctx_.requests_handled();
}

// A Berkeley correction from the coordinator: add delta to our physical clock.
Value ClockSync::adjust_reply(const Value& data) {
  const double delta = data.get_double("delta");
  if (!std::isfinite(delta)) return error_reply("field 'delta' must be a finite number");
  const auto sender = peers_.sender(data, "clock correction");
  if (!sender) return error_reply("refused: clock corrections are taken from members only");
  const std::string& from = sender->name;
  if (bully_.coordinator() != from) {
    peers_.refuse("clock correction from a server that is not our coordinator",
                  "'" + from + "'; we follow " + bully_.coordinator().value_or("no coordinator"));
    return error_reply("refused: " + from + " is not the coordinator this server follows");
  }
  const double before = ctx_.clock().offset();
  ctx_.clock().adjust(delta);
  ++sync_rounds_;
  last_sync_ = ctx_.clock().now();
  ctx_.log().info("clock: Berkeley correction {:+.6f} s from {}: offset {:+.6f} s -> {:+.6f} s", delta, from, before,
                  ctx_.clock().offset());
  return Map{{"status", "OK"}};
}

void ClockSync::describe(Map& status) const {
  status.insert_or_assign("clock_offset", ctx_.clock().offset());
  status.insert_or_assign("sync_rounds", sync_rounds_);
  status.insert_or_assign("last_sync", last_sync_ ? Value(*last_sync_) : Value());
}

// Coordinator, every sync_interval: poll every peer's `clock`; finish_round() once each has
// answered or timed out (request_timeout bounds a round).
void ClockSync::berkeley_round() {
  if (round_) {
    ctx_.log().warn("berkeley round {}: still waiting for clocks; next round skipped", round_->number);
    return;
  }
  const std::vector<Peer> peers = peers_.list();
  round_ = Round{};
  round_->number = ++rounds_started_;
  round_->samples.push_back(ClockSample{ctx_.node_name(), 0.0});
  round_->outstanding = round_->asked = peers.size();
  if (peers.empty()) {
    finish_round();
    return;
  }
  const std::uint64_t number = round_->number;
  for (const Peer& peer : peers) {
    peers_.link(peer).request("clock", Map{}, options_.request_timeout,
                       [this, number, name = peer.name](const PeerLink::Response& response) {
                         on_clock_sample(number, name, response);
                       });
  }
}

void ClockSync::on_clock_sample(std::uint64_t round, const std::string& peer, const PeerLink::Response& response) {
  if (!round_ || round_->number != round) return;  // abandoned: we stepped down
  if (auto time = reply_time(response)) {
    round_->samples.push_back(ClockSample{peer, estimate_offset(*time, response.rtt_s, ctx_.clock().now())});
    round_->rtt_s[peer] = response.rtt_s;
  } else {
    ctx_.log().info("berkeley round {}: {} not sampled: {}", round, peer, why_no_time(response));
  }
  if (--round_->outstanding == 0) finish_round();
}

// Everyone moves to the average of the trusted offsets: we adjust our own clock and send each
// sampled peer its correction. The log shows each server's distance from the agreed time
// before (measured) and after (zero by construction, within the sample's rtt/2).
void ClockSync::finish_round() {
  Round done = std::move(*round_);
  round_.reset();
  const BerkeleyRound result = berkeley_average(done.samples, options_.outlier_s);

  std::string detail;
  for (const Correction& c : result.corrections) {
    const auto rtt = done.rtt_s.find(c.server);
    const double error_ms = rtt == done.rtt_s.end() ? 0.0 : rtt->second / 2 * 1000;
    detail += fmt::format("; {} {:+.6f} s -> +0.000000 s (correction {:+.6f} s, error ±{:.1f} ms{})", c.server,
                          c.offset_before - result.average, c.correction, error_ms,
                          c.outlier ? ", outlier: not averaged" : "");
  }
  ctx_.log().info("berkeley round {}: median {:+.6f} s, average {:+.6f} s of {} of {} servers (asked {}){}",
                   done.number, result.median, result.average, result.averaged, done.samples.size(), done.asked + 1,
                   detail);

  for (const Correction& c : result.corrections) {
    if (c.server == ctx_.node_name()) {
      const double before = ctx_.clock().offset();
      ctx_.clock().adjust(c.correction);
      ctx_.log().info("clock: Berkeley correction {:+.6f} s (own round {}): offset {:+.6f} s -> {:+.6f} s",
                       c.correction, done.number, before, ctx_.clock().offset());
      continue;
    }
    const auto peer = peers_.find(c.server);
    if (!peer) continue;  // left discovery meanwhile
    peers_.link(*peer).request("clock_adjust",
                        Map{{"delta", c.correction}, {"coordinator", ctx_.node_name()},
                            {"round", static_cast<std::int64_t>(done.number)}},
                        options_.request_timeout, [this, server = c.server](const PeerLink::Response& response) {
                          if (!response.reply)
                            ctx_.log().info("berkeley: correction for {} not confirmed: {}", server, response.problem);
                        });
  }
  ++sync_rounds_;
  last_sync_ = ctx_.clock().now();
}

// Every ask_check: a follower asks the coordinator's time when it handled ask_every more
// requests since the last ask, or probes it when it has been silent on `servers` too long.
void ClockSync::on_check() {
  const std::uint64_t handled = ctx_.requests_handled();
  if (bully_.is_coordinator()) {
    asked_at_ = handled;
    return;
  }
  if (bully_.phase() != Phase::following || !peers_.my_rank()) return;  // a new rank comes with on_change
  if (!bully_.coordinator()) {
    election_needed_("no coordinator known");
    return;
  }
  if (asking_) return;
  if (handled - asked_at_ >= static_cast<std::uint64_t>(options_.ask_every)) {
    ask_coordinator(std::to_string(handled - asked_at_) + " requests handled since the last ask");
  } else if (std::chrono::steady_clock::now() - heard_from_coordinator_ > options_.coordinator_silence()) {
    ask_coordinator("silent on '" + std::string(kServersTopic) + "' for over " +
                    std::to_string(options_.coordinator_silence().count()) + " ms");
  }
}

void ClockSync::ask_coordinator(const std::string& why) {
  const std::string name = *bully_.coordinator();
  const auto peer = peers_.find(name);
  if (!peer) {
    coordinator_lost_(name, "not among discovery's peers");
    return;
  }
  asked_at_ = ctx_.requests_handled();
  asking_ = true;
  ctx_.log().debug("clock: asking coordinator {} for the time ({})", name, why);
  peers_.link(*peer).request("clock", Map{}, options_.request_timeout,
                      [this, name](const PeerLink::Response& response) { on_coordinator_time(name, response); });
}

// Cristian's estimate of the coordinator's clock; we step to it only beyond its rtt/2 error.
void ClockSync::on_coordinator_time(const std::string& coordinator, const PeerLink::Response& response) {
  asking_ = false;
  if (!running_) return;
  const auto time = reply_time(response);
  if (!time) {
    coordinator_lost_(coordinator, why_no_time(response));
    return;
  }
  if (bully_.coordinator() == coordinator) heard_from_coordinator_ = std::chrono::steady_clock::now();
  const CristianStep step = cristian_step(*time, response.rtt_s, ctx_.clock().now());
  if (!step.adjust) {
    ctx_.log().info("clock: coordinator {} is {:+.6f} s from us (rtt {:.3f} ms): within rtt/2, kept", coordinator,
                     step.difference, response.rtt_s * 1000);
    return;
  }
  const double before = ctx_.clock().offset();
  ctx_.clock().adjust(step.difference);
  last_sync_ = ctx_.clock().now();
  ctx_.log().info("clock: coordinator {} is {:+.6f} s from us (rtt {:.3f} ms): offset {:+.6f} s -> {:+.6f} s",
                   coordinator, step.difference, response.rtt_s * 1000, before, ctx_.clock().offset());
}

}  // namespace bib::coordination
