// bib-bench-nats: the same closed-loop publish load as bib-bench, against NATS JetStream, for a
// side-by-side on one machine (docs/benchmarks.md, "Beside NATS JetStream";
// tools/bench/nats-compare.sh starts the servers and runs both).
//
//   bib-bench-nats [--server 127.0.0.1:4222] [--clients 16] [--requests 2000] [--duration S]
//                  [--bytes 64] [--stream bench] [--replicas 3] [--no-floor]
//
// It creates (or reuses) a file-backed stream with --replicas replicas on subjects
// <stream>.>, then each client publishes to <stream>.<client> and waits for JetStream's
// acknowledgement (the stream stored it on a majority of its replicas) before the next, as a
// bib client waits for `OK`. The raw ZeroMQ echo of bib-bench is measured in the same run
// (unless --no-floor), so the figures come with the same ratio.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>

#include "bench_stats.hpp"
#include "bib/version.hpp"
#include "floor.hpp"
#include "load.hpp"
#include "load_options.hpp"
#include "nats_client.hpp"

namespace {

using namespace std::chrono_literals;

struct Settings {
  std::string server = "127.0.0.1:4222";
  bib::bench::LoadSettings load;
  int bytes = 64;
  std::string stream = "bench";
  int replicas = 3;
  bool no_floor = false;
};

std::pair<std::string, int> host_port(const std::string& server) {
  const std::size_t colon = server.rfind(':');
  if (colon == std::string::npos) return {server, 4222};
  return {server.substr(0, colon), std::stoi(server.substr(colon + 1))};
}

// The stream, created or already there; a cluster that has just started may need a moment to
// elect its JetStream leader, so this tries for up to 30 s.
bool ensure_stream(const Settings& s) {
  const auto [host, port] = host_port(s.server);
  const std::string config = "{\"name\":\"" + s.stream + "\",\"subjects\":[\"" + s.stream +
                             ".>\"],\"storage\":\"file\",\"num_replicas\":" + std::to_string(s.replicas) + "}";
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      bib::bench::NatsConnection nats(host, port, 5s);
      auto reply = nats.request("$JS.API.STREAM.CREATE." + s.stream, config, 5s);
      if (reply && (reply->find("\"error\"") == std::string::npos || reply->find("already in use") != std::string::npos))
        return true;
      last = reply ? *reply : "no reply";
    } catch (const std::exception& e) {
      last = e.what();
    }
    std::this_thread::sleep_for(500ms);  // between attempts at a remote server, not a wait for our own state
  }
  std::cerr << "bib-bench-nats: cannot create stream " << s.stream << ": " << last << "\n";
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Publish with acknowledgement to NATS JetStream, as bib-bench publishes to BulletInBoard"};
  app.set_version_flag("--version", std::string("bib-bench-nats " BIB_VERSION_STRING));
  Settings s;
  app.add_option("--server", s.server, "a NATS server, host:port")->capture_default_str();
  bib::bench::LoadOptions load_options(app, s.load, 2000);
  app.add_option("--bytes", s.bytes, "bytes per message")->capture_default_str()->check(CLI::Range(1, 4096));
  app.add_option("--stream", s.stream, "the JetStream stream (created when missing)")->capture_default_str();
  app.add_option("--replicas", s.replicas, "its replicas")->capture_default_str()->check(CLI::Range(1, 5));
  app.add_flag("--no-floor", s.no_floor, "skip the raw ZeroMQ echo");
  CLI11_PARSE(app, argc, argv);
  load_options.finish();

  if (!ensure_stream(s)) return 1;
  const std::string payload(static_cast<std::size_t>(s.bytes), 'x');
  const auto [host, port] = host_port(s.server);
  bib::bench::LoadResult result;
  try {
    result = bib::bench::run_load(s.load, [&, host = host, port = port](int client) {
      auto nats = std::make_shared<bib::bench::NatsConnection>(host, port, 5s);
      const std::string subject = s.stream + "." + std::to_string(client);
      return [nats, subject, &payload](std::string& operation, std::string& error) {
        operation = "publish";
        auto ack = nats->request(subject, payload, 5s);
        if (!ack) {
          error = "no acknowledgement within 5 s";
          return false;
        }
        if (ack->find("\"seq\"") == std::string::npos) {
          error = *ack;
          return false;
        }
        return true;
      };
    });
  } catch (const std::exception& e) {
    std::cerr << "bib-bench-nats: " << e.what() << "\n";
    return 1;
  }
  std::vector<bib::bench::Summary> rows;
  for (auto& [name, timed] : result.by_operation) {
    rows.push_back(bib::bench::summarize("nats " + name, std::move(timed.latencies_ms), timed.errors, result.seconds));
    if (timed.errors > 0) std::cerr << "first error: " << timed.first_error << "\n";
  }
  std::printf("bib-bench-nats: %d client(s), %d-byte messages, stream %s (file, %d replicas) at %s\n",
              s.load.clients, s.bytes, s.stream.c_str(), s.replicas, s.server.c_str());
  if (!s.no_floor && !rows.empty()) {
    bib::bench::LoadSettings echo = s.load;
    echo.progress = false;
    rows.push_back(bib::bench::raw_echo(echo, payload));
    std::printf("%s", bib::bench::table(rows).c_str());
    const auto& nats = rows.front();
    const auto& raw = rows.back();
    std::printf("nats publish: %.0f%% of the raw echo's throughput; p50 %.1fx, p99 %.1fx the echo's\n",
                raw.per_second > 0 ? 100.0 * nats.per_second / raw.per_second : 0.0,
                raw.p50 > 0 ? nats.p50 / raw.p50 : 0.0, raw.p99 > 0 ? nats.p99 / raw.p99 : 0.0);
  } else {
    std::printf("%s", bib::bench::table(rows).c_str());
  }
  return rows.empty() || rows.front().errors > 0 ? 1 : 0;
}
