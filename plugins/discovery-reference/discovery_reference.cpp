// Discovery through the reference server (docs/architecture.md, docs/protocol.md): registers this node
// with `rank`, then sends `heartbeat` and `list` every heartbeat_ms, and keeps its rank and
// peers (the live list minus itself). The conversation itself is in Membership.
//
// Never blocks the host loop: a DEALER sends [""][body] (the reference sees a REQ client),
// each request has a timer, and a request unanswered within request_timeout_ms closes the
// socket and opens a fresh one (the Guide's Lazy Pirate): whatever was queued for a dead or
// hung reference is dropped, and the new socket reconnects by itself when the reference
// comes back. Rank and peers stay as last known while the reference is away.
//
// Options: see discovery_options.hpp and docs/reference.md.
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <zmq_addon.hpp>

#include "bib/net.hpp"
#include "bib/plugin_export.hpp"
#include "bib/reply.hpp"
#include "bib/sdk.hpp"
#include "discovery_options.hpp"
#include "membership.hpp"

namespace bib::discovery {
namespace {

constexpr int kBatch = 64;

// heartbeat and list go out every heartbeat_ms: their wire lines are at trace (as the
// broker's heartbeats), unless a reply says `erro`; rank and errors stay at info.
spdlog::level::level_enum wire_level(const Envelope& message) {
  const bool periodic = message.service == "heartbeat" || message.service == "list";
  return periodic && !is_error_reply(message.data) ? spdlog::level::trace : spdlog::level::info;
}

class ReferenceDiscovery final : public DiscoveryPlugin {
 public:
  void configure(Context& ctx) override {
    ctx_ = &ctx;
    options_ = parse_reference_discovery_options(ctx.config());
    membership_.emplace(ctx.node_name(), options_.address);
  }

  void start() override {
    open_socket();
    ctx_->log().info("discovery: registering '{}' with the reference server {}", membership_->self(), options_.reference);
    send(membership_->rank_request());
    tick_timer_ = ctx_->loop().start_timer(options_.heartbeat, [this] { tick(); }, true);
  }

  void stop() override {
    tick_timer_.reset();
    close_socket();
  }

  std::optional<int> rank() const override { return membership_ ? membership_->rank() : std::nullopt; }
  std::vector<Peer> peers() const override { return membership_ ? membership_->peers() : std::vector<Peer>{}; }
  void on_change(std::function<void()> fn) override { callbacks_.push_back(std::move(fn)); }

 private:
  void open_socket() {
    socket_.emplace(network_socket(ctx_->zmq_context(), zmq::socket_type::dealer, ctx_->max_message_bytes()));
    ctx_->link_security().connect_to_member(*socket_, kReferenceKeyName);
    socket_->connect(options_.reference);
    socket_watch_ = ctx_->loop().watch_socket(*socket_, [this] { on_readable(); });
  }

  void close_socket() {
    pending_.clear();
    socket_watch_.reset();
    socket_.reset();
  }

  void tick() {
    for (Envelope& request : membership_->due_requests()) send(std::move(request));
  }

  // One request per service in flight: a tick does not pile a second one behind it.
  void send(Envelope request) {
    if (!socket_ || pending_.count(request.service)) return;
    stamp(request.data, ctx_->lamport(), ctx_->clock());
    const std::string bytes = encode_envelope(request);
    try {
      socket_->send(zmq::message_t(), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
      socket_->send(zmq::buffer(bytes), zmq::send_flags::dontwait);
    } catch (const zmq::error_t& e) {
      ctx_->log().warn("discovery: {} not sent: {}", request.service, e.what());
      return;
    }
    ctx_->wire_log().log(wire_level(request), "send reference {}", request.to_string());
    const std::string service = request.service;
    pending_[service] = ctx_->loop().start_timer(options_.request_timeout, [this, service] { on_timeout(service); });
  }

  void on_timeout(const std::string& service) {
    pending_.erase(service);
    if (!lost_) {
      ctx_->log().warn("discovery: reference {} did not answer '{}' within {} ms; reconnecting, retrying every {} ms",
                       options_.reference, service, options_.request_timeout.count(), options_.heartbeat.count());
      lost_ = true;
    } else {
      ctx_->log().debug("discovery: reference {} still silent ('{}')", options_.reference, service);
    }
    close_socket();
    open_socket();
  }

  void on_readable() {
    for (int i = 0; i < kBatch && socket_; ++i) {
      std::vector<zmq::message_t> frames;
      if (!zmq::recv_multipart(*socket_, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
      const zmq::message_t& body = frames.back();  // after the empty delimiter
      auto reply = decode_envelope(body.to_string_view(), DecodeLimits{static_cast<std::size_t>(ctx_->max_message_bytes())});
      if (!reply) {
        ctx_->wire_log().info("recv reference ({} bytes, undecodable: {})", body.size(), reply.error().message);
        continue;
      }
      observe(reply.value().data, ctx_->lamport());
      ctx_->wire_log().log(wire_level(reply.value()), "recv reference {}", reply.value().to_string());
      handle(reply.value());
    }
  }

  void handle(const Envelope& reply) {
    pending_.erase(reply.service);
    if (lost_) {
      ctx_->log().info("discovery: reference {} answers again", options_.reference);
      lost_ = false;
    }

    const auto rank_before = membership_->rank();
    const auto outcome = membership_->on_reply(reply);
    // A refused heartbeat is expected after a reference restart: one info line below says it.
    if (!outcome.problem.empty() && outcome.problem != last_problem_ && !outcome.register_again) {
      ctx_->log().warn("discovery: {}", outcome.problem);
    }
    last_problem_ = outcome.problem;

    if (outcome.registered_now) {
      ctx_->log().info("discovery: registered as '{}' with rank {}", membership_->self(), *membership_->rank());
    } else if (membership_->rank() != rank_before) {
      ctx_->log().info("discovery: rank is now {}", *membership_->rank());
    }
    if (reply.service == "list" && outcome.changed) {
      ctx_->log().info("discovery: peers: {}", membership_->describe_peers());
    }
    if (outcome.changed) notify();
    if (outcome.registered_now) send(membership_->list_request());
    if (outcome.register_again) {
      ctx_->log().info("discovery: {} (reference restarted?): registering again", outcome.problem);
      send(membership_->rank_request());
    }
  }

  void notify() {
    const auto callbacks = callbacks_;  // a callback may add another
    for (const auto& fn : callbacks) fn();
  }

  Context* ctx_ = nullptr;
  ReferenceDiscoveryOptions options_;
  std::optional<Membership> membership_;
  std::optional<zmq::socket_t> socket_;
  SocketWatch socket_watch_;              // after socket_: removed from the loop before it closes
  std::map<std::string, Timer> pending_;  // service -> its timeout timer
  Timer tick_timer_;
  std::vector<std::function<void()>> callbacks_;
  bool lost_ = false;
  std::string last_problem_;
};

}  // namespace
}  // namespace bib::discovery

BIB_PLUGIN_NAMED("discovery-reference", bib::PluginKind::discovery, "1.0.0", bib::discovery::ReferenceDiscovery)
