// The eviction soak of issue 9, shortened: a 3-server cluster with 2 bots, plain REQ clients
// logging in unique users as fast as they can (a fresh socket per try, 3 s timeout, 3 tries),
// while one server after another is SIGKILLed and started again 3 s later. Then:
//   - the broker evicted servers only because of the kills (no eviction storm);
//   - every client request was answered within its tries;
//   - every acknowledged login is on every server;
//   - once the load stops the broker is idle: nothing pending or held, nothing resent.
// And the trigger of the original storm: a reply above the message size limit is answered with
// `erro` instead of dropping the server's connection to the broker.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/cluster.hpp"
#include "support/plain_client.hpp"
#include "support/wait.hpp"

namespace bib::test {
namespace {

using namespace std::chrono_literals;
using namespace plain;

int count_lines_with(const std::string& text, const std::string& needle) {
  int count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

// One course client: unique logins until told to stop; every login tried up to 3 times.
class LoginWriter {
 public:
  LoginWriter(std::string endpoint, std::string prefix) : client_(std::move(endpoint)), prefix_(std::move(prefix)) {}

  void run(const std::atomic<bool>& stop) {
    for (int n = 1; !stop.load(); ++n) {
      const std::string user = prefix_ + "-" + std::to_string(n);
      bool answered = false;
      for (int attempt = 0; attempt < 3 && !answered; ++attempt) {
        auto reply = client_.try_ask(stamped("login", {{"user", user}}, static_cast<std::uint64_t>(n)), 3000ms);
        if (!reply) continue;
        answered = true;
        if (reply->status() == "sucesso") {
          acknowledged_.push_back(user);
        } else {
          refusals_.push_back(user + ": " + reply->dump());
        }
      }
      if (!answered) unanswered_.push_back(user);
    }
  }

  const std::vector<std::string>& acknowledged() const { return acknowledged_; }
  const std::vector<std::string>& unanswered() const { return unanswered_; }
  const std::vector<std::string>& refusals() const { return refusals_; }

 private:
  PlainClient client_;
  std::string prefix_;
  std::vector<std::string> acknowledged_;
  std::vector<std::string> unanswered_;
  std::vector<std::string> refusals_;
};

struct BrokerState {
  std::int64_t pending = -1;
  std::int64_t inflight = -1;  // summed over the servers
  std::int64_t resent = -1;
  std::int64_t requests = -1;
};

BrokerState broker_state(PlainClient& client) {
  BrokerState s;
  const Reply r = client.call("broker");
  s.pending = static_cast<std::int64_t>(unsigned_int(r.get("pending")).value_or(0));
  s.resent = static_cast<std::int64_t>(unsigned_int(r.get("resent")).value_or(0));
  s.requests = static_cast<std::int64_t>(unsigned_int(r.get("requests")).value_or(0));
  s.inflight = 0;
  for (const auto* worker : items(r.get("workers"))) {
    s.inflight += static_cast<std::int64_t>(unsigned_int(field(*worker, "inflight")).value_or(0));
  }
  return s;
}

TEST(EvictionSoakTest, KillsCostNoEvictionStormAndEveryLoginLandsEverywhere) {
  ClusterOptions options;
  options.servers = 3;
  options.bots = 2;
  LocalCluster cluster(options);
  cluster.up();

  std::atomic<bool> stop{false};
  std::vector<LoginWriter> writers;
  writers.emplace_back(cluster.broker_endpoint(), "soak-a");
  writers.emplace_back(cluster.broker_endpoint(), "soak-b");
  std::vector<std::thread> threads;
  for (auto& w : writers) threads.emplace_back([&w, &stop] { w.run(stop); });

  // Two crash-and-restart rounds under load, 3 s down each.
  const std::vector<std::string> victims{"server-2", "server-3"};
  for (const auto& victim : victims) {
    std::this_thread::sleep_for(5s);  // load between the rounds, not a synchronisation
    cluster.kill(victim);
    std::this_thread::sleep_for(3s);  // how long the operator left it down
    cluster.start(victim);
  }
  std::this_thread::sleep_for(5s);
  stop = true;
  for (auto& t : threads) t.join();
  cluster.kill("bot-1");
  cluster.kill("bot-2");

  std::set<std::string> acknowledged;
  for (const auto& w : writers) {
    EXPECT_TRUE(w.unanswered().empty()) << w.unanswered().size() << " logins got no reply in 3 tries, first "
                                        << w.unanswered().front();
    EXPECT_TRUE(w.refusals().empty()) << w.refusals().front();
    acknowledged.insert(w.acknowledged().begin(), w.acknowledged().end());
  }
  ASSERT_GT(acknowledged.size(), 100u) << "the writers hardly wrote";

  // The broker is idle once the load stops, and stays so: nothing circulates.
  PlainClient broker(cluster.broker_endpoint());
  BrokerState idle;
  ASSERT_TRUE(wait_until(
      [&] {
        idle = broker_state(broker);
        return idle.pending == 0 && idle.inflight == 0;
      },
      30s, 100ms))
      << "pending " << idle.pending << ", held " << idle.inflight;
  // Over three heartbeats, only our own `broker` calls arrive (they are not counted).
  const auto watch_until = std::chrono::steady_clock::now() + 3s;
  while (std::chrono::steady_clock::now() < watch_until) {
    const BrokerState now = broker_state(broker);
    ASSERT_EQ(now.resent, idle.resent) << "requests still go round after the load stopped";
    ASSERT_EQ(now.requests, idle.requests);
    ASSERT_EQ(now.pending + now.inflight, 0);
    std::this_thread::sleep_for(200ms);
  }

  // Evictions: one per kill (its connection closed or it fell silent), nothing more.
  const std::string log = cluster.log_of("broker");
  EXPECT_LE(count_lines_with(log, " evicted: "), static_cast<int>(victims.size())) << log.substr(0, 20000);
  EXPECT_EQ(count_lines_with(log, "refused a stale READY"), 0);
  for (int n = 1; n <= 3; ++n) {
    EXPECT_EQ(count_lines_with(cluster.log_of("server-" + std::to_string(n)), "does not know us"), 0)
        << "server-" << n;
  }

  // Every acknowledged login on every server.
  for (int n = 1; n <= 3; ++n) {
    PlainClient server(cluster.server_endpoint(n));
    std::set<std::string> missing;
    const bool complete = wait_until(
        [&] {
          const Reply users = server.call("users");
          const auto listed = texts(users.get("users"));
          const std::set<std::string> have(listed.begin(), listed.end());
          missing.clear();
          std::set_difference(acknowledged.begin(), acknowledged.end(), have.begin(), have.end(),
                              std::inserter(missing, missing.end()));
          return missing.empty();
        },
        20s, 250ms);
    EXPECT_TRUE(complete) << "server-" << n << " lacks " << missing.size() << " acknowledged logins, e.g. "
                          << (missing.empty() ? "" : *missing.begin());
  }
}

TEST(EvictionSoakTest, AReplyAboveTheSizeLimitIsAnErrorNotADroppedConnection) {
  ClusterOptions options;
  options.servers = 2;
  options.set = {"broker:host.max_message_bytes=4096", "server:host.max_message_bytes=4096"};
  LocalCluster cluster(options);
  cluster.up();
  PlainClient client(cluster.broker_endpoint());
  // About 40 bytes a name: 200 of them list well past 4096 bytes.
  for (int n = 0; n < 200; ++n) {
    ASSERT_EQ(client.call("login", {{"user", "someone-with-a-rather-long-name-" + std::to_string(n)}}).status(),
              "sucesso");
  }
  const Reply users = client.call("users");
  EXPECT_EQ(users.status(), "erro") << users.dump();
  EXPECT_NE(users.str("description").find("reply too large"), std::string::npos) << users.dump();
  EXPECT_EQ(users.str("message"), users.str("description"));
  // The servers kept their connections: nothing was evicted, nothing resent.
  EXPECT_EQ(client.call("login", {{"user", "after"}}).status(), "sucesso");
  const std::string log = cluster.log_of("broker");
  EXPECT_EQ(count_lines_with(log, " evicted: "), 0) << log.substr(0, 20000);
  EXPECT_EQ(broker_state(client).resent, 0);
}

}  // namespace
}  // namespace bib::test
