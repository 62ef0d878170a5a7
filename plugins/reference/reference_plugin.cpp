// The reference server (docs/architecture.md, docs/protocol.md): a ROUTER at option `endpoint` answering
// rank, list and heartbeat. Plain REQ clients work: a request is [identity][""][body] (or
// [identity][body] from a DEALER without delimiter) and the reply goes back with the same
// routing frames. The protocol itself lives in ReferenceService; this file is the socket.
//
// Options: see reference_options.hpp and docs/reference.md.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <zmq_addon.hpp>

#include "bib/net.hpp"
#include "bib/plugin_export.hpp"
#include "bib/refusal_log.hpp"
#include "bib/reply.hpp"
#include "bib/sdk.hpp"
#include "rank_store.hpp"
#include "reference_options.hpp"
#include "reference_service.hpp"
#include "registry.hpp"

namespace bib::reference {
namespace {

// Requests handled per readiness callback; the loop's poll is level-triggered, so the rest
// is read on the next iteration and timers still run in between.
constexpr int kBatch = 64;
// [identity][""][body] from REQ, [identity][body] from a DEALER, a few more routing frames
// behind ROUTER-DEALER chains; a message with more is refused.
constexpr std::size_t kMaxRouteFrames = 8;

std::string source_ip(zmq::message_t& frame) {
  try {
    const char* ip = frame.gets("Peer-Address");
    return ip != nullptr ? ip : "";
  } catch (const zmq::error_t&) {
    return "";  // not a TCP peer (inproc, ipc)
  }
}

// The periodic liveness traffic (heartbeat and list, every heartbeat_ms from every server)
// goes to the wire log at trace, as the broker's heartbeats do, so that `wire_log = "info"`
// shows registrations and errors without a line per server per second. An `erro` reply
// (e.g. an unknown server's heartbeat) stays at info.
spdlog::level::level_enum wire_level(const Envelope& message) {
  const bool periodic = message.service == "heartbeat" || message.service == "list";
  return periodic && !is_error_reply(message.data) ? spdlog::level::trace : spdlog::level::info;
}

class ReferencePlugin final : public ComponentPlugin {
 public:
  void configure(Context& ctx) override {
    ctx_ = &ctx;
    options_ = parse_reference_options(ctx.config());
    registry_.emplace(options_.heartbeat_timeout);
    if (!options_.state_file.empty()) {
      store_.emplace(options_.state_file);
      const auto ranks = store_->load();  // a malformed file refuses the configuration
      registry_->restore(ranks);
      ctx.log().info("state file {}: {} ranks restored", options_.state_file, ranks.size());
    }
    service_.emplace(*registry_, store_ ? &*store_ : nullptr, ctx.log());
    refusals_.emplace(ctx.log(), ctx.loop());
  }

  void start() override {
    socket_.emplace(network_socket(ctx_->zmq_context(), zmq::socket_type::router, ctx_->max_message_bytes()));
    ctx_->link_security().listen_for_members(*socket_);
    socket_->bind(options_.endpoint);
    socket_watch_ = ctx_->loop().watch_socket(*socket_, [this] { on_readable(); });
    // Only for the log line "server left the list"; `list` itself always checks freshness.
    const auto check = std::max(registry_->heartbeat_timeout() / 4, std::chrono::milliseconds(50));
    stale_timer_ = ctx_->loop().start_timer(check, [this] { report_stale(); }, true);
    servers_gauge_ = ctx_->metrics().gauge_fn(
        "bib_reference_servers", "Servers registered and live (what list answers).", {},
        [this] { return static_cast<double>(registry_->live(std::chrono::steady_clock::now()).size()); });
    ctx_->log().info("reference server on {} (heartbeat timeout {} ms{})", options_.endpoint,
                     registry_->heartbeat_timeout().count(),
                     store_ ? ", state file " + store_->path() : std::string(", no state file"));
  }

  void stop() override {
    servers_gauge_.reset();
    stale_timer_.reset();
    socket_watch_.reset();
    socket_.reset();
    if (refusals_) refusals_->flush();
  }

 private:
  void on_readable() {
    for (int i = 0; i < kBatch && socket_; ++i) {
      std::vector<zmq::message_t> frames;
      if (!zmq::recv_multipart(*socket_, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
      handle(frames);
    }
  }

  void handle(std::vector<zmq::message_t>& frames) {
    const std::string from = source_ip(frames.back());
    const std::string peer = from.empty() ? std::string("client") : from;
    std::vector<zmq::message_t> route;  // every frame before the body, sent back with the reply
    if (frames.size() < 2 || frames.size() > kMaxRouteFrames + 1) {
      const std::string problem = std::to_string(frames.size() - 1) +
                                  " frames after the identity, expected [\"\"][body] or [body] (at most " +
                                  std::to_string(kMaxRouteFrames) + " routing frames)";
      refusals_->refuse("request of a wrong frame layout", peer + ": " + problem);
      // Answered on [identity][""], as a REQ (or a DEALER that sends the delimiter) reads it.
      route.push_back(std::move(frames.front()));
      route.emplace_back();
      send(route, peer, ReferenceService::undecodable(problem), spdlog::level::debug);
      return;
    }
    for (std::size_t i = 0; i + 1 < frames.size(); ++i) route.push_back(std::move(frames[i]));
    const zmq::message_t& body = frames.back();

    auto request = decode_envelope(body.to_string_view(), DecodeLimits{static_cast<std::size_t>(ctx_->max_message_bytes())});
    if (!request) {
      // The refusal log reports these once per interval; the reply's wire line is at debug.
      refusals_->refuse("undecodable request", peer + ": " + request.error().message);
      send(route, peer, ReferenceService::undecodable(request.error().message), spdlog::level::debug);
      return;
    }
    observe(request.value().data, ctx_->lamport());
    ctx_->wire_log().log(wire_level(request.value()), "recv {} {}", peer, request.value().to_string());
    Envelope reply = service_->handle(request.value(), from, std::chrono::steady_clock::now());
    send(route, peer, std::move(reply), std::nullopt);
  }

  // Stamps the reply, logs it (at `level`, or at wire_level(reply)) and sends it after `route`.
  void send(std::vector<zmq::message_t>& route, const std::string& peer, Envelope reply,
            std::optional<spdlog::level::level_enum> level) {
    stamp(reply.data, ctx_->lamport(), ctx_->clock());
    const auto wire = level.value_or(wire_level(reply));
    if (ctx_->wire_log().should_log(wire)) ctx_->wire_log().log(wire, "send {} {}", peer, reply.to_string());
    const std::string bytes = encode_envelope(reply);
    try {
      for (auto& frame : route) socket_->send(frame, zmq::send_flags::sndmore | zmq::send_flags::dontwait);
      socket_->send(zmq::buffer(bytes), zmq::send_flags::dontwait);
    } catch (const zmq::error_t& e) {
      ctx_->log().warn("reply to {} not sent: {}", peer, e.what());
    }
  }

  void report_stale() {
    for (const auto& server : registry_->newly_stale(std::chrono::steady_clock::now())) {
      ctx_->log().info("'{}' (rank {}) left the list: no heartbeat for {} ms", server.name, server.rank,
                       registry_->heartbeat_timeout().count());
    }
  }

  Context* ctx_ = nullptr;
  std::optional<RefusalLog> refusals_;  // malformed requests, once per interval
  ReferenceOptions options_;
  std::optional<Registry> registry_;
  std::optional<RankStore> store_;
  std::optional<ReferenceService> service_;
  std::optional<zmq::socket_t> socket_;
  SocketWatch socket_watch_;  // after socket_: removed from the loop before it closes
  Timer stale_timer_;
  MetricRegistration servers_gauge_;  // docs/operations.md, "Metrics"
};

}  // namespace
}  // namespace bib::reference

BIB_PLUGIN(reference, bib::PluginKind::component, "1.0.0", bib::reference::ReferencePlugin)
