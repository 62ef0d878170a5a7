// The pub/sub proxy (docs/architecture.md): publishers connect to the XSUB at option `frontend`
// (5557), subscribers to the XPUB at `backend` (5558). Messages go XSUB -> XPUB whole (every
// frame, in order); subscriptions go XPUB -> XSUB, so that publishers filter at the source
// and a subscriber that comes late still gets every later message.
//
// XPUB is left non-verbose on purpose. It then passes upstream the first subscription to a
// topic and the last unsubscription from it, which is all a publisher needs: a second
// subscriber of "geral" adds nothing upstream, yet receives every "geral" message because
// XPUB fans out to every matching subscriber. ZMQ_XPUB_VERBOSE would pass every subscribe
// but still only the last unsubscribe, leaving XSUB's per-topic reference count above zero
// forever (publishers would go on sending topics nobody wants). So the counts below are of
// subscription changes the publishers see, not of subscriber sockets.
//
// What is not traffic of the protocol (docs/protocol.md, "Hostile input") costs no line per
// message: a publication that is not [topic][envelope] is still forwarded whole (the proxy
// forwards bytes; subscribers drop what they cannot read) and reported once per interval; an
// upstream message that is not one subscription frame is dropped (publishers have no use for
// it) and reported the same way. A subscription to a topic longer than kMaxSubscriptionTopic is
// never read: ZeroMQ drops it with its connection (traffic.hpp has why).
//
// Options: see proxy_options.hpp and docs/reference.md.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <zmq_addon.hpp>

#include "bib/net.hpp"
#include "bib/plugin_export.hpp"
#include "bib/refusal_log.hpp"
#include "bib/sdk.hpp"
#include "proxy_options.hpp"
#include "traffic.hpp"

namespace bib::proxy {
namespace {

// A refused or odd message for the refusal log: its topic frame's first bytes, raw (RefusalLog
// escapes them), and its sizes.
std::string refusal_detail(const std::vector<std::string_view>& frames) {
  std::size_t bytes = 0;
  for (std::size_t i = 1; i < frames.size(); ++i) bytes += frames[i].size();
  return "'" + std::string(frames.front().substr(0, 64)) + "' (" + std::to_string(frames.size()) + " frame(s), " +
         std::to_string(frames.front().size()) + " + " + std::to_string(bytes) + " bytes)";
}

// Messages forwarded per readiness callback; the loop's poll is level-triggered, so the rest
// is taken on the next iteration and the other direction and the timers are not starved.
constexpr int kBatch = 256;

class ProxyPlugin final : public ComponentPlugin {
 public:
  void configure(Context& ctx) override {
    ctx_ = &ctx;
    options_ = parse_proxy_options(ctx.config());
    refusals_.emplace(ctx.log(), ctx.loop());
    odd_publications_.emplace(ctx.log(), ctx.loop(), RefusalLog::kDefaultInterval, spdlog::level::warn, "forwarded");
  }

  void start() override {
    frontend_socket_.emplace(network_socket(ctx_->zmq_context(), zmq::socket_type::xsub, ctx_->max_message_bytes()));
    // The XPUB reads subscriptions alone: nothing longer than the longest one it accepts.
    backend_socket_.emplace(
        network_socket(ctx_->zmq_context(), zmq::socket_type::xpub,
                       static_cast<std::int64_t>(kMaxSubscriptionTopic + kSubscriptionOverhead)));
    // Publishers are the cluster's servers; subscribers are clients.
    ctx_->link_security().listen_for_members(*frontend_socket_);
    ctx_->link_security().listen_for_clients(*backend_socket_);
    frontend_socket_->bind(options_.frontend);
    backend_socket_->bind(options_.backend);
    frontend_watch_ = ctx_->loop().watch_socket(*frontend_socket_, [this] { forward_messages(); });
    backend_watch_ = ctx_->loop().watch_socket(*backend_socket_, [this] { forward_subscriptions(); });
    register_metrics();
    if (options_.stats_interval.count() > 0) {
      stats_timer_ = ctx_->loop().start_timer(options_.stats_interval, [this] { log_counts("so far"); }, true);
    }
    ctx_->log().info("proxy: publishers -> {} (XSUB), subscribers -> {} (XPUB)", options_.frontend,
                     options_.backend);
  }

  void stop() override {
    stats_timer_.reset();
    frontend_watch_.reset();
    backend_watch_.reset();
    frontend_socket_.reset();
    backend_socket_.reset();
    log_counts("at stop");
    if (refusals_) refusals_->flush();
    if (odd_publications_) odd_publications_->flush();
  }

 private:
  // XSUB -> XPUB: publications.
  void forward_messages() {
    for (int i = 0; i < kBatch && frontend_socket_; ++i) {
      std::vector<zmq::message_t> frames;
      if (!zmq::recv_multipart(*frontend_socket_, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
      ++counts_.messages;
      std::vector<std::string_view> views;
      for (const auto& frame : frames) {
        counts_.bytes += frame.size();
        views.push_back(frame.to_string_view());
      }
      // A publication gets its wire line; anything else a line per interval, wire log on or off.
      std::optional<std::string> line;
      const bool shaped = looks_like_publication(views);
      if (shaped && ctx_->wire_log().should_log(spdlog::level::info)) line = describe_publication(views);
      if (line) {
        ctx_->wire_log().info("fwd pub {}", *line);
      } else if (!shaped || ctx_->wire_log().should_log(spdlog::level::info)) {
        odd_publications_->refuse("message that is not [topic][envelope]", refusal_detail(views));
      }
      // XPUB never blocks: past a subscriber's high-water mark ZeroMQ drops, as pub/sub allows.
      try {
        zmq::send_multipart(*backend_socket_, frames, zmq::send_flags::dontwait);
      } catch (const zmq::error_t& e) {
        ctx_->log().warn("proxy: message not forwarded: {}", e.what());
      }
    }
  }

  // XPUB -> XSUB: subscriptions and unsubscriptions.
  void forward_subscriptions() {
    for (int i = 0; i < kBatch && backend_socket_; ++i) {
      std::vector<zmq::message_t> frames;
      if (!zmq::recv_multipart(*backend_socket_, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
      const auto subscription = parse_subscription(frames.front().to_string_view());
      if (!subscription || frames.size() != 1) {
        // Only an XSUB can send these (a SUB sends subscriptions alone): nothing of ours does.
        std::vector<std::string_view> views;
        for (const auto& frame : frames) views.push_back(frame.to_string_view());
        refusals_->refuse("upstream message that is not a subscription", refusal_detail(views));
        continue;
      }
      ++(subscription->subscribe ? counts_.subscriptions : counts_.unsubscriptions);
      ctx_->wire_log().info("fwd {} '{}'", subscription->subscribe ? "subscribe" : "unsubscribe",
                            printable_topic(subscription->topic));
      try {
        zmq::send_multipart(*frontend_socket_, frames, zmq::send_flags::dontwait);
      } catch (const zmq::error_t& e) {
        ctx_->log().warn("proxy: subscription not forwarded: {}", e.what());
      }
    }
  }

  // The counts in ctx.metrics() (docs/operations.md, "Metrics").
  void register_metrics() {
    Metrics& metrics = ctx_->metrics();
    const char* help = "Messages forwarded: to_subscribers (publications), to_publishers (subscriptions).";
    metrics_.push_back(metrics.counter_fn("bib_proxy_messages_total", help, {{"direction", "to_subscribers"}},
                                          [this] { return static_cast<double>(counts_.messages); }));
    metrics_.push_back(metrics.counter_fn(
        "bib_proxy_messages_total", help, {{"direction", "to_publishers"}},
        [this] { return static_cast<double>(counts_.subscriptions + counts_.unsubscriptions); }));
    metrics_.push_back(metrics.counter_fn("bib_proxy_forwarded_bytes_total", "Bytes of the publications forwarded.",
                                          {}, [this] { return static_cast<double>(counts_.bytes); }));
  }

  void log_counts(const char* when) { ctx_->log().info("proxy counts {}: {}", when, counts_.to_string()); }

  Context* ctx_ = nullptr;
  ProxyOptions options_;
  std::optional<zmq::socket_t> frontend_socket_;
  std::optional<zmq::socket_t> backend_socket_;
  SocketWatch frontend_watch_;  // after the sockets: removed from the loop before they close
  SocketWatch backend_watch_;
  Timer stats_timer_;
  TrafficCounts counts_;
  std::vector<MetricRegistration> metrics_;  // after counts_, which they read
  std::optional<RefusalLog> refusals_;          // upstream messages dropped, once per interval
  std::optional<RefusalLog> odd_publications_;  // forwarded, but reported once per interval
};

}  // namespace
}  // namespace bib::proxy

BIB_PLUGIN(proxy, bib::PluginKind::component, "1.0.0", bib::proxy::ProxyPlugin)
