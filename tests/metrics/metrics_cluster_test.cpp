// Every process of a 3-server cluster serves Prometheus metrics on its own address
// (docs/operations.md, "Metrics"): after writes through the broker, a scrape of each shows the
// families of its role, and the counters moved by what was sent. Every wait polls a scrape with
// a deadline.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bib/client.hpp"
#include "prometheus_text.hpp"
#include "support/cluster.hpp"
#include "support/wait.hpp"

using namespace std::chrono_literals;

namespace bib::test {
namespace {

constexpr int kPosts = 20;
constexpr auto kSettle = 30s;

struct Target {
  std::string name;
  std::string address;
  int port;
};

// The processes of the cluster and their metrics addresses (tools/bib-cluster's plan).
std::vector<Target> targets(const LocalCluster& cluster) {
  const std::string& base = cluster.base();
  return {{"reference", base + ".1", 9560},
          {"broker", base + ".2", 9555},
          {"proxy", base + ".3", 9558},
          {"server-1", base + ".11", 9561},
          {"server-2", base + ".12", 9561},
          {"server-3", base + ".13", 9561}};
}

Target target_named(const LocalCluster& cluster, const std::string& name) {
  for (const Target& t : targets(cluster))
    if (t.name == name) return t;
  throw std::invalid_argument("no process " + name);
}

httplib::Result get(const Target& target, const std::string& path) {
  httplib::Client client(target.address, target.port);
  client.set_connection_timeout(2s);
  client.set_read_timeout(5s);
  return client.Get(path);
}

// One scrape, or nothing when it did not answer 200.
std::optional<Samples> scrape(const Target& target) {
  const auto response = get(target, "/metrics");
  if (!response || response->status != 200) return std::nullopt;
  return parse_samples(response->body);
}

double value_or_nan(const std::optional<double>& v) { return v.value_or(std::nan("")); }

class MetricsClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ClusterOptions options;
    options.servers = 3;
    cluster_ = new LocalCluster(options);
    cluster_->up();
    bib::Client client(cluster_->broker_endpoint());
    auto ok = [](const Result<Envelope>& reply) {
      return reply && reply.value().data.get_string("status") != "erro";
    };
    ASSERT_TRUE(ok(client.request("login", Map{{"user", "ana"}})));
    ASSERT_TRUE(ok(client.request("channel", Map{{"channel", "geral"}})));
    for (int i = 0; i < kPosts; ++i)
      ASSERT_TRUE(ok(client.request("publish", Map{{"user", "ana"}, {"channel", "geral"}, {"message", "m" + std::to_string(i)}})));
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }

  // Polls the scrapes of `names` until check(samples by name) holds; on failure the last
  // scrapes are in `seen`.
  template <class Check>
  bool until(const std::vector<std::string>& names, Check check, std::string& seen) {
    return wait_until(
        [&] {
          std::map<std::string, Samples> by_name;
          seen.clear();
          for (const Target& target : targets(*cluster_)) {
            if (std::find(names.begin(), names.end(), target.name) == names.end()) continue;
            auto samples = scrape(target);
            if (!samples) {
              seen += target.name + ": no answer\n";
              return false;
            }
            by_name[target.name] = std::move(*samples);
          }
          const bool done = check(by_name);
          if (!done)
            for (const auto& [name, samples] : by_name)
              for (const auto& [series, value] : samples)
                if (series.rfind("bib_", 0) == 0) seen += name + ": " + series + " " + std::to_string(value) + "\n";
          return done;
        },
        kSettle, 200ms);
  }

  static LocalCluster* cluster_;
};

LocalCluster* MetricsClusterTest::cluster_ = nullptr;

const std::vector<std::string> kServers{"server-1", "server-2", "server-3"};

TEST_F(MetricsClusterTest, EveryProcessServesTheProcessFamiliesAndOnly404ElsewhereOnItsPort) {
  for (const Target& target : targets(*cluster_)) {
    const auto samples = scrape(target);
    ASSERT_TRUE(samples) << target.name << " at " << target.address << ":" << target.port;
    EXPECT_GT(value_or_nan(sample(*samples, "process_resident_memory_bytes")), 0) << target.name;
    EXPECT_GT(value_or_nan(sample(*samples, "process_open_fds")), 0) << target.name;
    EXPECT_GT(value_or_nan(sample(*samples, "process_start_time_seconds")), 1.7e9) << target.name;
    EXPECT_TRUE(sample(*samples, "process_cpu_seconds_total")) << target.name;
    EXPECT_TRUE(sample(*samples, "bib_lamport_clock")) << target.name;
    EXPECT_TRUE(sample(*samples, "bib_clock_offset_seconds")) << target.name;
    EXPECT_EQ(sum_of(*samples, "bib_node_info"), 1.0) << target.name;
    bool named = false;
    for (const auto& [series, value] : *samples)
      named = named || (series.rfind("bib_node_info{node=\"" + target.name + "\"", 0) == 0 && value == 1);
    EXPECT_TRUE(named) << target.name;

    const auto other = get(target, "/other");
    ASSERT_TRUE(other) << target.name;
    EXPECT_EQ(other->status, 404) << target.name;
  }
}

TEST_F(MetricsClusterTest, ServersCountTheRequestsTheBrokerSentAndTheirEvents) {
  std::string seen;
  // The writes are acknowledged; replication brings every event to every server.
  const bool settled = until(
      kServers,
      [](const std::map<std::string, Samples>& s) {
        double publish = 0, publish_timed = 0, commits = 0;
        for (const auto& [name, samples] : s) {
          publish += sample(samples, "bib_requests_total{service=\"publish\"}").value_or(0);
          publish_timed += sample(samples, "bib_request_duration_seconds_count{service=\"publish\"}").value_or(0);
          commits += sample(samples, "bib_commit_duration_seconds_count").value_or(0);
          if (sample(samples, "bib_events_stored").value_or(0) < kPosts + 2) return false;
        }
        return publish >= kPosts && publish_timed >= kPosts && commits >= kPosts + 2;
      },
      seen);
  EXPECT_TRUE(settled) << seen;

  for (const std::string& name : kServers) {
    const auto samples = scrape(target_named(*cluster_, name));
    ASSERT_TRUE(samples) << name;
    EXPECT_GT(value_or_nan(sample(*samples, "bib_flush_duration_seconds_count")), 0) << name;  // json persistence
    EXPECT_TRUE(sample(*samples, "bib_flush_duration_seconds_bucket{le=\"+Inf\"}")) << name;
    EXPECT_TRUE(sample(*samples, "bib_events_in_memory")) << name;
    EXPECT_TRUE(sample(*samples, "bib_request_errors_total{service=\"publish\"}")) << name;
    EXPECT_EQ(sample(*samples, "bib_request_errors_total{service=\"publish\"}"), 0.0) << name;
    // Replication: one outbox per peer, and anti-entropy pulls from each.
    for (const std::string& peer : kServers) {
      if (peer == name) continue;
      const std::string label = "{peer=\"" + peer + "\"}";
      EXPECT_TRUE(sample(*samples, "bib_replication_outbox_events" + label)) << name << " -> " << peer;
      EXPECT_TRUE(sample(*samples, "bib_replication_unacked_events" + label)) << name << " -> " << peer;
      EXPECT_TRUE(sample(*samples, "bib_replication_unacked_age_seconds" + label)) << name << " -> " << peer;
      EXPECT_GE(value_or_nan(sample(*samples, "bib_anti_entropy_pulls_total" + label)), 1) << name << " -> " << peer;
    }
    EXPECT_GE(value_or_nan(sample(*samples, "bib_elections_started_total")), 1) << name;
    EXPECT_TRUE(sample(*samples, "bib_coordinator_rank")) << name;
  }

  // One coordinator, whom every server follows.
  EXPECT_TRUE(until(
      kServers,
      [](const std::map<std::string, Samples>& s) {
        double coordinators = 0;
        for (const auto& [name, samples] : s) coordinators += sample(samples, "bib_is_coordinator").value_or(0);
        return coordinators == 1;
      },
      seen))
      << seen;
}

TEST_F(MetricsClusterTest, TheBrokerShowsItsQueueWorkersAndRequests) {
  std::string seen;
  const bool settled = until(
      {"broker"},
      [](const std::map<std::string, Samples>& s) {
        const Samples& b = s.at("broker");
        return sample(b, "bib_broker_workers") == 3.0 && sample(b, "bib_broker_pending_requests") == 0.0 &&
               sample(b, "bib_broker_requests_total").value_or(0) >= kPosts + 2 &&
               sample(b, "bib_broker_replies_total").value_or(0) >= kPosts + 2;
      },
      seen);
  EXPECT_TRUE(settled) << seen;
  const auto broker = scrape(target_named(*cluster_, "broker"));
  ASSERT_TRUE(broker);
  for (const std::string& name : kServers)
    EXPECT_EQ(sample(*broker, "bib_broker_worker_alive{worker=\"" + name + "\"}"), 1.0) << name;
  EXPECT_TRUE(sample(*broker, "bib_broker_inflight_requests"));
  EXPECT_TRUE(sample(*broker, "bib_broker_resends_total"));
}

TEST_F(MetricsClusterTest, TheProxyAndTheReferenceCountWhatTheyServe) {
  std::string seen;
  const bool settled = until(
      {"proxy", "reference"},
      [](const std::map<std::string, Samples>& s) {
        const Samples& proxy = s.at("proxy");
        // Each server's coordination subscribes to `servers` (XPUB passes the first of equal
        // subscriptions up); the coordinator announces on it.
        return sample(proxy, "bib_proxy_messages_total{direction=\"to_publishers\"}").value_or(0) >= 1 &&
               sample(proxy, "bib_proxy_messages_total{direction=\"to_subscribers\"}").value_or(0) >= 1 &&
               sample(s.at("reference"), "bib_reference_servers") == 3.0;
      },
      seen);
  EXPECT_TRUE(settled) << seen;
}

}  // namespace
}  // namespace bib::test
