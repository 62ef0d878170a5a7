#include "host.hpp"

#include <signal.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>

#include <boost/filesystem/path.hpp>

#include "commit.hpp"
#include "direct_listener.hpp"
#include "dispatcher.hpp"
#include "host_context.hpp"
#include "http_address.hpp"
#include "logging.hpp"
#include "metrics_server.hpp"
#include "node_keys.hpp"
#include "plugin_set.hpp"
#include "process_metrics.hpp"
#include "request_metrics.hpp"
#include "runtime.hpp"
#include "session_gate.hpp"
#include "signals.hpp"
#include "status.hpp"
#include "zap_handler.hpp"

// The broker worker is written separately; until it exists a host.broker setting is refused.
#if __has_include("broker_worker.hpp")
#include "broker_worker.hpp"
#define BIB_HOST_HAS_BROKER_WORKER 1
#else
#define BIB_HOST_HAS_BROKER_WORKER 0
#endif

namespace bib::host {

namespace {

std::string plugin_names(const PluginSet& plugins) {
  std::string out;
  for (const LoadedPlugin& p : plugins.plugins()) out += (out.empty() ? "" : ", ") + p.entry.name;
  return out;
}

#if BIB_HOST_HAS_BROKER_WORKER
// A server joining a running cluster takes the broker's requests only once replication has
// caught up with its peers (or after host.catch_up_ms, with a warning): until then its
// answers would be stale. Its direct port serves from the start (status, peers' clock).
void start_when_caught_up(Runtime& runtime, bib::ReplicationPlugin* replication, BrokerWorker& worker) {
  if (replication == nullptr) {
    worker.start();
    return;
  }
  // A server that cannot accept writes (no majority in reach, replication-quorum) takes no new
  // requests from the broker until it can again; it pauses before it starts too.
  replication->on_availability(
      [&worker](bool available, const std::string& why) { worker.set_paused(!available, why); });
  spdlog::logger& log = runtime.logging.host();
  auto started = std::make_shared<bool>(false);
  auto start_once = [&worker, started](const char* why, spdlog::logger& log) {
    if (*started) return;
    *started = true;
    log.info("{}: taking requests from the broker", why);
    worker.start();
  };
  auto deadline = std::make_shared<bib::Timer>(
      runtime.loop.start_timer(std::chrono::milliseconds(runtime.settings.catch_up_ms), [start_once, &log] {
        log.warn("replication has not caught up after host.catch_up_ms");
        start_once("not caught up", log);
      }));
  replication->when_caught_up([start_once, &log, deadline] {
    deadline->reset();
    start_once("caught up with the peers", log);
  });
}
#endif

// Phase 4 and after: start, serve until a shutdown signal, stop in reverse.
int serve(Runtime& runtime, PluginSet& plugins, ShutdownSignals& signals) {
  spdlog::logger& log = runtime.logging.host();
  const HostSettings& settings = runtime.settings;

  runtime.publisher.open();
  ProcessMetrics process_metrics(runtime.metrics, settings.name, runtime.lamport, runtime.clock);
  RequestMetrics request_metrics(runtime.metrics, plugins.services());
  Committer::Deps deps{settings.name, runtime.lamport, runtime.clock, runtime.loop, plugins.services(), log,
                       plugins.persistence(), plugins.replication()};
  deps.checkpoint_every = static_cast<std::uint64_t>(settings.checkpoint_every);
  // Commit times and event counts where there are events: a process with service plugins.
  if (!plugins.services().empty()) deps.metrics = &runtime.metrics;
  Committer committer(std::move(deps));
  runtime.replica = &committer;
  bib::ReplicationPlugin* replication = plugins.replication();
  SessionGate session(committer, runtime.loop, std::chrono::milliseconds(settings.session_wait_ms), log,
                      [replication](const bib::VersionVector& missing) {
                        if (replication != nullptr) replication->want(missing);
                      });
  // Requests the host cannot read, reported once per interval (docs/protocol.md, "Hostile input").
  bib::RefusalLog refusals(log, runtime.loop);
  Dispatcher dispatcher({plugins.services(), committer, runtime.lamport, runtime.clock, log, runtime.logging.wire(),
                         settings.max_message_bytes, runtime.requests_handled,
                         [&] { return build_status(runtime, plugins, committer); }, &session, &refusals,
                         &request_metrics});

  // The stored events, before any plugin starts and before the first request (commit.hpp).
  try {
    const std::size_t replayed = committer.replay();
    if (plugins.persistence() != nullptr)
      log.info("replayed {} event(s){}; next local seq {}", replayed,
               committer.started_from_checkpoint() ? " after the checkpoint" : "", committer.next_seq());
  } catch (const std::exception& e) {
    log.error("replay failed: {}", e.what());
    plugins.stop();
    return 1;
  }

  try {
    plugins.start();
  } catch (const PluginError& e) {
    log.error("{}", e.what());
    plugins.stop();
    return 1;
  }

  // Requests are let in only once every plugin has started.
  std::unique_ptr<DirectListener> listener;
  if (!settings.listen.empty()) {
    listener = std::make_unique<DirectListener>(
        runtime.zmq, runtime.security, runtime.loop, settings.listen, settings.max_message_bytes, log,
        [&dispatcher](std::string_view request, const std::string& member, std::function<void(std::string)> reply) {
          dispatcher.dispatch(request, "direct", std::move(reply), member);
        },
        [&dispatcher](const std::string& problem, std::function<void(std::string)> reply) {
          dispatcher.refuse("request of a wrong frame layout", problem, "direct", std::move(reply));
        });
    try {
      listener->start();
    } catch (const zmq::error_t& e) {
      log.error("cannot listen on {} (host.listen): {}", settings.listen, e.what());
      plugins.stop();
      return 1;
    }
  }

#if BIB_HOST_HAS_BROKER_WORKER
  std::unique_ptr<BrokerWorker> worker;
  if (!settings.broker.empty()) {
    worker = std::make_unique<BrokerWorker>(
        runtime.zmq, runtime.security, runtime.loop, settings, log,
        [&dispatcher](std::string_view request, std::function<void(std::string)> reply) {
          dispatcher.dispatch(request, "broker", std::move(reply));
        });
    start_when_caught_up(runtime, replication, *worker);
  }
#else
  if (!settings.broker.empty()) {
    log.error("host.broker is set, but this bib-host was built without the broker worker");
    if (listener) listener->stop();
    plugins.stop();
    return 1;
  }
#endif

  // Metrics last: a scrape sees every plugin's series from the first one.
  std::unique_ptr<MetricsServer> metrics_server;
  if (!settings.metrics.empty()) {
    metrics_server = std::make_unique<MetricsServer>(parse_http_address(settings.metrics), runtime.loop,
                                                     runtime.metrics, log);
    try {
      metrics_server->start();
    } catch (const std::runtime_error& e) {
      log.error("cannot serve metrics on {} (host.metrics): {}", settings.metrics, e.what());
#if BIB_HOST_HAS_BROKER_WORKER
      if (worker) worker->stop();
#endif
      if (listener) listener->stop();
      plugins.stop();
      return 1;
    }
  }

  runtime.loop.add_fd("host", signals.fd(), [&] {
    const int sig = signals.take();
    if (sig == 0) return;
    log.info("{} received: shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    runtime.loop.stop();
  });
  log.info("node '{}' serving{}{}", settings.name, settings.listen.empty() ? "" : " on " + settings.listen,
           settings.broker.empty() ? "" : " for broker " + settings.broker);

  runtime.loop.run();

  // Shutdown: no new requests (nor scrapes) first, then the plugins in reverse start order.
  runtime.loop.remove_fd(signals.fd());
  if (metrics_server) metrics_server->stop();
#if BIB_HOST_HAS_BROKER_WORKER
  if (worker) worker->stop();
#endif
  if (listener) listener->stop();
  refusals.flush();
  // What start-up needs, so that the next one does not replay the whole log.
  if (committer.events_since_checkpoint() > 0) committer.checkpoint("at stop");
  plugins.stop();
  runtime.publisher.close();
  plugins.destroy();
  runtime.replica = nullptr;
  log.info("node '{}' stopped", settings.name);
  return 0;
}

}  // namespace

int run_host(const Config& config, bool check_only) {
  // Before anything starts a thread (ZeroMQ), so the mask is inherited everywhere.
  std::optional<ShutdownSignals> signals;
  if (!check_only) signals.emplace();

  Logging logging(parse_log_level(config.host.log_level), parse_log_level(config.host.wire_log));
  spdlog::logger& log = logging.host();
  Runtime runtime(config.host, logging);
  // Keys and the ZAP handler before any plugin exists: no socket binds without them.
  std::optional<ZapHandler> zap;
  try {
    runtime.security = load_link_security(config.host);
    if (!check_only && (runtime.security.cluster_curve() || runtime.security.clients_curve())) {
      std::optional<bib::CurveAllowList> members;
      if (runtime.security.cluster_curve()) members.emplace(config.host.keys_dir);
      if (members) log.info("CURVE on the cluster links: {} member key(s) in {}", members->size(), members->dir());
      if (runtime.security.clients_curve()) log.info("CURVE on the client ports: any client key");
      zap.emplace(runtime.zmq, ZapPolicy(std::move(members)), runtime.loop, log);
    }
  } catch (const std::exception& e) {
    if (check_only)
      std::cerr << e.what() << std::endl;
    else
      log.error("{}", e.what());
    return 1;
  }
  PluginSet plugins(log);
  const std::string base_dir = boost::filesystem::path(config.file).parent_path().string();

  try {
    plugins.load(config.plugins, config.host.plugin_path, base_dir);
    if (!check_only) log.info("node '{}' loaded {}", config.host.name, plugins.summary());
    plugins.create();
    plugins.configure([&](const PluginEntry& entry) {
      return std::make_unique<HostContext>(runtime, entry, plugins);
    });
  } catch (const PluginError& e) {
    if (check_only)
      std::cerr << e.what() << std::endl;
    else
      log.error("{}", e.what());
    return 1;
  }

  if (check_only) {
    const std::size_t n = plugins.plugins().size();
    std::cout << "config OK: " << n << (n == 1 ? " plugin (" : " plugins (") << plugin_names(plugins) << ")"
              << std::endl;
    return 0;
  }
  return serve(runtime, plugins, *signals);
}

}  // namespace bib::host
