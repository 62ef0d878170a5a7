// bib-bench: load through the broker, as many concurrent clients as asked, and the figures a
// person compares between runs (docs/benchmarks.md). Every figure is also printed as a ratio
// to limits measured in the same run: a raw ZeroMQ echo with the same clients and payload, and
// a small append + fdatasync on the data disk (floor.hpp); the machines are shared and noisy,
// so only ratios measured together mean anything.
//
//   bib-bench --broker tcp://127.0.1.2:5555 --clients 16 --requests 2000 --workload publish
//             --data-dir run/data --server tcp://127.0.2.1:5561 --server ... --json result.json
//
// Each client is a thread with its own bib::Client (Lazy Pirate, session guarantees unless
// --no-session): it logs in as bench-<run>-<i>, creates channel bench-<run>-<i>, posts a few
// times, then runs the workload (workload.hpp). Run the servers with host.wire_log=off to
// measure the system rather than its logging. Given the servers' direct endpoints, it also
// reports how long after the last write every server held the same state (equal digests).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_stats.hpp"
#include "bib/client.hpp"
#include "bib/json.hpp"
#include "bib/version.hpp"
#include "floor.hpp"
#include "lag.hpp"
#include "load.hpp"
#include "load_options.hpp"
#include "workload.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace bib::bench;

struct Settings {
  std::string broker = "tcp://127.0.0.1:5555";
  std::vector<std::string> servers;
  LoadSettings load;
  std::string workload = "publish";
  int bytes = 64;
  bool no_session = false;
  int timeout_ms = 5000;
  double converge_timeout_s = 60;
  std::string data_dir = ".";
  bool no_floor = false;
  int floor_requests = 1000;  // per client
  int fsync_samples = 200;
  int lag_every = 20;  // sample every N-th write of each client
  std::vector<std::size_t> windows;  // cumulative request counts: report each window apart
  std::string json;
};

bib::ClientOptions client_options(const Settings& s) {
  bib::ClientOptions options;
  options.timeout = std::chrono::milliseconds(s.timeout_ms);
  options.retries = 3;
  options.session = !s.no_session;
  return options;
}

// Seconds until every server answers `status` with one digest, or a negative number on timeout.
double seconds_to_converge(const Settings& s, std::string* last) {
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(s.converge_timeout_s);
  bib::ClientOptions options;
  options.timeout = std::chrono::milliseconds(1000);
  options.retries = 1;
  options.session = false;
  while (Clock::now() < deadline) {
    std::vector<std::string> digests;
    last->clear();
    for (const std::string& endpoint : s.servers) {
      bib::Client client(endpoint, options);
      auto reply = client.request("status");
      std::string digest = "-";
      if (reply) {
        if (auto d = reply.value().data.opt_string("digest")) digest = *d;
      }
      digests.push_back(digest);
      *last += endpoint + " " + digest + "  ";
    }
    if (digests.front() != "-" && std::all_of(digests.begin(), digests.end(),
                                              [&](const std::string& d) { return d == digests.front(); }))
      return std::chrono::duration<double>(Clock::now() - start).count();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // a poll interval, not a wait for an event
  }
  return -1;
}

// Each --server's resident memory (status `memory_rss`), 0 for one that does not answer.
std::vector<std::int64_t> servers_rss(const Settings& s) {
  bib::ClientOptions options;
  options.timeout = std::chrono::milliseconds(2000);
  options.retries = 1;
  options.session = false;
  std::vector<std::int64_t> out;
  for (const std::string& endpoint : s.servers) {
    bib::Client client(endpoint, options);
    auto reply = client.request("status");
    const bib::Value* rss = reply ? reply.value().data.find("memory_rss") : nullptr;
    out.push_back(rss != nullptr && rss->is_int() ? rss->as_int() : 0);
  }
  return out;
}

// "17% of the raw echo's throughput, p50 1.4x and p99 2.9x the floor"
bib::Map ratios_of(const Summary& op, const Summary& echo, const Summary& fsync) {
  const double floor_p50 = echo.p50 + fsync.p50;
  const double floor_p99 = echo.p99 + fsync.p99;
  return bib::Map{{"throughput_of_echo", echo.per_second > 0 ? op.per_second / echo.per_second : 0.0},
                  {"p50_of_floor", floor_p50 > 0 ? op.p50 / floor_p50 : 0.0},
                  {"p99_of_floor", floor_p99 > 0 ? op.p99 / floor_p99 : 0.0}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Load through the broker: throughput, latency percentiles, ratios to the raw limits, convergence"};
  app.set_version_flag("--version", std::string("bib-bench " BIB_VERSION_STRING));
  Settings s;
  app.add_option("--broker", s.broker, "the broker's client endpoint")->capture_default_str();
  app.add_option("--server", s.servers, "a server's direct endpoint (repeat): measure convergence");
  bib::bench::LoadOptions load_options(app, s.load, 500);
  app.add_option("--rate", s.load.rate, "open loop: requests per second in all (default: closed loop)")
      ->check(CLI::PositiveNumber);
  app.add_option("--workload", s.workload, "login | publish | message | history | mix")->capture_default_str();
  app.add_option("--bytes", s.bytes, "bytes per post or message")->capture_default_str()->check(CLI::Range(1, 4096));
  app.add_option("--timeout-ms", s.timeout_ms, "per try")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--converge-timeout-s", s.converge_timeout_s, "give up waiting for equal digests")->capture_default_str();
  app.add_flag("--no-session", s.no_session, "do not send session vectors (plain eventual consistency)");
  app.add_option("--data-dir", s.data_dir, "a folder on the servers' data disk, for the fdatasync floor")
      ->capture_default_str();
  app.add_flag("--no-floor", s.no_floor, "skip the raw echo and fdatasync measurements");
  app.add_option("--floor-requests", s.floor_requests, "raw echo requests per client")->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--fsync-samples", s.fsync_samples, "appends + fdatasync to time")->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--lag-every", s.lag_every, "with --server: time every N-th write of each client until all servers show it")
      ->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--windows", s.windows,
                 "growth: run up to each of these cumulative request counts (e.g. 1000,10000,100000) and report "
                 "each window, with every --server's memory")
      ->delimiter(',');
  app.add_option("--json", s.json, "also write the results as JSON to this file ('-': stdout, and no table)");
  CLI11_PARSE(app, argc, argv);
  load_options.finish();

  std::vector<Operation> operations;
  try {
    operations = parse_workload(s.workload);
  } catch (const std::exception& e) {
    std::cerr << "bib-bench: " << e.what() << "\n";
    return 2;
  }
  const bool table_out = s.json != "-";
  std::FILE* out = table_out ? stdout : stderr;
  std::random_device entropy;
  const std::string run = std::to_string(entropy() % 100000);
  std::fprintf(out, "bib-bench: %d client(s), workload %s, %d-byte texts, %s, through %s%s\n", s.load.clients,
               s.workload.c_str(), s.bytes,
               s.load.rate > 0 ? ("open loop at " + std::to_string(static_cast<long>(s.load.rate)) + "/s").c_str()
                               : "closed loop",
               s.broker.c_str(), s.no_session ? " (no session)" : "");

  std::unique_ptr<LagProbe> lag;
  if (!s.servers.empty()) lag = std::make_unique<LagProbe>(s.servers, std::chrono::milliseconds(1));
  // One client object per thread for the whole run: windows reuse them (and their setup).
  std::vector<std::shared_ptr<WorkloadClient>> clients(static_cast<std::size_t>(s.load.clients));
  std::mutex clients_mutex;
  auto make = [&](int i) -> Step {
    std::shared_ptr<WorkloadClient> client;
    {
      std::lock_guard guard(clients_mutex);
      client = clients[static_cast<std::size_t>(i)];
    }
    if (!client) {
      client = std::make_shared<WorkloadClient>(s.broker, client_options(s), "bench-" + run + "-" + std::to_string(i),
                                                s.bytes, operations, static_cast<std::uint32_t>(i * 7919 + 1));
      client->setup();
      if (lag) client->sample_writes(static_cast<std::size_t>(s.lag_every), [&](bib::VersionVector seen) {
        lag->sample(std::move(seen));
      });
      std::lock_guard guard(clients_mutex);
      clients[static_cast<std::size_t>(i)] = client;
    }
    return [client](std::string& operation, std::string& error) { return client->run(operation, error); };
  };
  LoadResult result;
  bib::Array windows;
  std::vector<std::string> window_lines;
  try {
    if (s.windows.empty()) {
      result = run_load(s.load, make);
    } else {
      // Growth: one run per window, up to each cumulative request count, and each server's
      // memory at the end of each.
      std::size_t sent = 0;
      for (std::size_t upto : s.windows) {
        LoadSettings window = s.load;
        window.requests = upto > sent ? upto - sent : 0;
        window.duration_s = 0;
        if (window.requests == 0) continue;
        LoadResult part = run_load(window, make);
        sent = upto;
        std::vector<double> all;
        std::size_t window_errors = 0;
        for (auto& [operation, timed] : part.by_operation) {
          Timed& total = result.by_operation[operation];
          total.latencies_ms.insert(total.latencies_ms.end(), timed.latencies_ms.begin(), timed.latencies_ms.end());
          if (total.errors == 0 && timed.errors > 0) total.first_error = timed.first_error;
          total.errors += timed.errors;
          all.insert(all.end(), timed.latencies_ms.begin(), timed.latencies_ms.end());
          window_errors += timed.errors;
        }
        result.seconds += part.seconds;
        Summary summary = summarize("up to " + std::to_string(upto), std::move(all), window_errors, part.seconds);
        bib::Array rss;
        std::string rss_text;
        for (std::int64_t bytes : servers_rss(s)) {
          rss.push_back(bytes);
          char mib[32];
          std::snprintf(mib, sizeof mib, "%s%.1f", rss_text.empty() ? "" : " / ", static_cast<double>(bytes) / (1 << 20));
          rss_text += mib;
        }
        window_lines.push_back(table({summary}, false) + (rss_text.empty() ? "" : "      RSS MiB per server: " + rss_text + "\n"));
        bib::Value row = to_value(summary);
        row.as_map().emplace("requests_upto", upto);
        row.as_map().emplace("memory_rss", std::move(rss));
        windows.push_back(std::move(row));
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bib-bench: %s\n", e.what());
    return 1;
  }
  std::vector<Summary> rows;
  std::size_t errors = 0;
  std::string first_error;
  std::vector<double> every;  // a mix: every operation together too
  for (auto& [operation, timed] : result.by_operation) {
    errors += timed.errors;
    if (first_error.empty()) first_error = timed.first_error;
    every.insert(every.end(), timed.latencies_ms.begin(), timed.latencies_ms.end());
    rows.push_back(summarize(operation, std::move(timed.latencies_ms), timed.errors, result.seconds));
  }
  if (rows.size() > 1) rows.push_back(summarize("all", std::move(every), errors, result.seconds));
  std::vector<Summary> lag_rows;
  if (lag) {
    lag_rows.push_back(lag->finish(s.converge_timeout_s));
    // Samples per second of the run, not of the wait at its end.
    lag_rows[0].seconds = result.seconds;
    lag_rows[0].per_second = result.seconds > 0 ? static_cast<double>(lag_rows[0].count) / result.seconds : 0;
  }

  bool status_lag_failed = false;
  bib::Map json{{"clients", s.load.clients}, {"workload", s.workload}, {"bytes", s.bytes},
                {"rate", s.load.rate}, {"seconds", result.seconds}};
  std::vector<Summary> floor_rows;
  if (!s.no_floor) {
    LoadSettings echo = s.load;
    echo.requests = static_cast<std::size_t>(s.floor_requests) * static_cast<std::size_t>(s.load.clients);
    echo.duration_s = 0;
    floor_rows.push_back(raw_echo(echo, post_payload("bench-" + run + "-0", s.bytes)));
    floor_rows.push_back(fdatasync_floor(s.data_dir, s.fsync_samples));
  }
  std::fprintf(out, "%s", table(rows).c_str());
  if (!window_lines.empty()) {
    std::fprintf(out, "  as the history grows (all operations of each window):\n");
    for (const std::string& line : window_lines) std::fprintf(out, "%s", line.c_str());
    json.emplace("windows", std::move(windows));
  }
  if (!lag_rows.empty() && lag_rows[0].count + lag_rows[0].errors > 0) {
    std::fprintf(out, "  every %d-th write of each client, from its acknowledgement until all %zu servers show it:\n%s",
                 s.lag_every, s.servers.size(), table(lag_rows, false).c_str());
    json.emplace("lag", to_value(lag_rows[0]));
    if (lag_rows[0].errors > 0) status_lag_failed = true;
  }
  if (!floor_rows.empty()) {
    std::fprintf(out, "  the limits, measured now:\n%s", table(floor_rows, false).c_str());
    bib::Map ratios;
    for (const Summary& row : rows) {
      bib::Map r = ratios_of(row, floor_rows[0], floor_rows[1]);
      std::fprintf(out, "  %-22s %.0f%% of the raw echo's throughput; p50 %.2fx, p99 %.2fx the floor (echo + fdatasync)\n",
                   row.name.c_str(), r.at("throughput_of_echo").as_double() * 100, r.at("p50_of_floor").as_double(),
                   r.at("p99_of_floor").as_double());
      ratios.emplace(row.name, std::move(r));
    }
    json.emplace("ratios", std::move(ratios));
  }
  if (errors > 0) std::fprintf(out, "  errors: %zu, the first: %s\n", errors, first_error.c_str());

  bib::Array results;
  for (const Summary& row : rows) results.push_back(to_value(row));
  json.emplace("results", std::move(results));
  bib::Array limits;
  for (const Summary& row : floor_rows) limits.push_back(to_value(row));
  json.emplace("limits", std::move(limits));

  int status = errors == 0 && !status_lag_failed ? 0 : 1;
  if (!s.servers.empty()) {
    std::string last;
    const double converge = seconds_to_converge(s, &last);
    if (converge >= 0)
      std::fprintf(out, "  converged      %.2f s after the last write (%zu servers, equal digests)\n", converge,
                   s.servers.size());
    else
      std::fprintf(out, "  NOT converged  after %.0f s: %s\n", s.converge_timeout_s, last.c_str());
    json.emplace("converged_s", converge);
    if (converge < 0) status = 1;
  }
  if (!s.json.empty()) {
    const std::string text = bib::to_json(bib::Value(std::move(json))) + "\n";
    if (s.json == "-") {
      std::fputs(text.c_str(), stdout);
    } else {
      std::ofstream file(s.json);
      file << text;
      if (!file) {
        std::fprintf(stderr, "bib-bench: cannot write %s\n", s.json.c_str());
        return 1;
      }
    }
  }
  return status;
}
