// bib-bench: write load through the broker, as many concurrent clients as asked, and the
// figures a person compares between runs (same machine, same run: ratios, not absolutes):
// throughput, latency percentiles, errors, and, given the servers' direct endpoints, how long
// after the last acknowledged write every server held the same state (equal digests).
//
//   bib-bench --broker tcp://127.0.1.2:5555 --clients 4 --requests 500
//             --server tcp://127.0.2.1:5561 --server tcp://127.0.2.2:5561 --server tcp://127.0.2.3:5561
//
// Each client is a thread with its own bib::Client (Lazy Pirate, session guarantees unless
// --no-session): it logs in as bench-<run>-<i>, creates channel bench-<run>-<i>, then
// publishes --requests posts of --bytes bytes. Run the servers with host.wire_log=off to
// measure the system rather than its logging.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bib/client.hpp"
#include "bib/version.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Settings {
  std::string broker = "tcp://127.0.0.1:5555";
  std::vector<std::string> servers;
  int clients = 4;
  int requests = 500;
  int bytes = 64;
  bool no_session = false;
  int timeout_ms = 5000;
  double converge_timeout_s = 60;
};

struct ClientResult {
  std::vector<double> latencies_ms;
  int errors = 0;
  std::string first_error;
};

bib::ClientOptions client_options(const Settings& s) {
  bib::ClientOptions options;
  options.timeout = std::chrono::milliseconds(s.timeout_ms);
  options.retries = 3;
  options.session = !s.no_session;
  return options;
}

bool ok(const bib::Result<bib::Envelope>& reply, const char* expected, std::string* error) {
  if (!reply) {
    *error = reply.error().message;
    return false;
  }
  const bib::Value* status = reply.value().data.find("status");
  if (status != nullptr && status->is_string() && status->as_string() == expected) return true;
  *error = reply.value().data.to_string();
  return false;
}

void run_client(const Settings& s, const std::string& name, ClientResult& out) {
  bib::Client client(s.broker, client_options(s));
  std::string error;
  if (!ok(client.request("login", bib::Map{{"user", name}}), "sucesso", &error) ||
      !ok(client.request("channel", bib::Map{{"channel", name}}), "sucesso", &error)) {
    out.errors = s.requests;
    out.first_error = "setup: " + error;
    return;
  }
  const std::string text(static_cast<std::size_t>(s.bytes), 'x');
  out.latencies_ms.reserve(static_cast<std::size_t>(s.requests));
  for (int i = 0; i < s.requests; ++i) {
    const auto start = Clock::now();
    auto reply = client.request("publish", bib::Map{{"user", name}, {"channel", name}, {"message", text}});
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (ok(reply, "OK", &error)) {
      out.latencies_ms.push_back(ms);
    } else if (out.errors++ == 0) {
      out.first_error = error;
    }
  }
}

double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Write load through the broker: throughput, latency, convergence"};
  app.set_version_flag("--version", std::string("bib-bench " BIB_VERSION_STRING));
  Settings s;
  app.add_option("--broker", s.broker, "the broker's client endpoint")->capture_default_str();
  app.add_option("--server", s.servers, "a server's direct endpoint (repeat): measure convergence");
  app.add_option("--clients", s.clients, "concurrent clients (threads)")->capture_default_str()->check(CLI::Range(1, 256));
  app.add_option("--requests", s.requests, "posts per client")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--bytes", s.bytes, "bytes per post")->capture_default_str()->check(CLI::Range(1, 4096));
  app.add_option("--timeout-ms", s.timeout_ms, "per try")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--converge-timeout-s", s.converge_timeout_s, "give up waiting for equal digests")->capture_default_str();
  app.add_flag("--no-session", s.no_session, "do not send session vectors (plain eventual consistency)");
  CLI11_PARSE(app, argc, argv);

  std::random_device entropy;
  const std::string run = std::to_string(entropy() % 100000);
  std::vector<ClientResult> results(static_cast<std::size_t>(s.clients));
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int i = 0; i < s.clients; ++i)
    threads.emplace_back(run_client, std::cref(s), "bench-" + run + "-" + std::to_string(i),
                         std::ref(results[static_cast<std::size_t>(i)]));
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<double> all;
  int errors = 0;
  std::string first_error;
  for (auto& r : results) {
    all.insert(all.end(), r.latencies_ms.begin(), r.latencies_ms.end());
    errors += r.errors;
    if (first_error.empty()) first_error = r.first_error;
  }
  std::sort(all.begin(), all.end());
  std::printf("bib-bench: %d client(s) x %d post(s) of %d bytes through %s%s\n", s.clients, s.requests, s.bytes,
              s.broker.c_str(), s.no_session ? " (no session)" : "");
  std::printf("  acknowledged   %zu in %.2f s = %.0f writes/s\n", all.size(), elapsed,
              elapsed > 0 ? static_cast<double>(all.size()) / elapsed : 0.0);
  std::printf("  latency ms     p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", percentile(all, 0.5),
              percentile(all, 0.9), percentile(all, 0.99), all.empty() ? 0.0 : all.back());
  std::printf("  errors         %d%s%s\n", errors, first_error.empty() ? "" : "  first: ", first_error.c_str());
  if (!s.servers.empty()) {
    std::string last;
    const double converge = seconds_to_converge(s, &last);
    if (converge >= 0)
      std::printf("  converged      %.2f s after the last write (%zu servers, equal digests)\n", converge,
                  s.servers.size());
    else
      std::printf("  NOT converged  after %.0f s: %s\n", s.converge_timeout_s, last.c_str());
    if (converge < 0) return 1;
  }
  return errors == 0 ? 0 : 1;
}
