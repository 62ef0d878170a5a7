// Replication, election and session guarantees on a real local cluster (issue #5): 3 or 4
// bib-host servers behind the broker, each test in its own loopback /24 (LocalCluster).
// Every wait polls a condition with a deadline; the deadlines are generous because the
// machines are shared, and far below what a broken replication would need (never).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cluster_view.hpp"
#include "support/cluster.hpp"
#include "support/wait.hpp"

using namespace std::chrono_literals;

namespace bib::test {
namespace {

constexpr auto kConverge = 60s;

ClusterOptions servers(int n, const std::string& replication = "async", const std::string& persistence = "json") {
  ClusterOptions options;
  options.servers = n;
  options.replication = replication;
  options.persistence = persistence;
  return options;
}

// Every acknowledged post is on the server exactly once.
void expect_all_once(const std::vector<std::string>& history, const std::vector<std::string>& acknowledged,
                     const std::string& where) {
  std::map<std::string, int> count;
  for (const std::string& text : history) ++count[text];
  for (const std::string& text : acknowledged) EXPECT_EQ(count[text], 1) << where << ": '" << text << "'";
}

void expect_converged(const LocalCluster& cluster, const std::vector<int>& which, std::int64_t min_events) {
  std::string why;
  EXPECT_TRUE(wait_until([&] { return same_state(cluster, which, min_events, &why); }, kConverge, 200ms))
      << "servers did not converge: " << why;
}

TEST(ReplicationCluster, AThousandWritesEndWithTheSameDigestOnEveryServer) {
  LocalCluster cluster(servers(3));
  cluster.up();
  Writer writer(cluster.broker_endpoint(), "ana", "geral");
  ASSERT_TRUE(writer.setup()) << writer.last_error();
  for (int i = 0; i < 998; ++i) ASSERT_TRUE(writer.post("post " + std::to_string(i))) << writer.last_error();

  expect_converged(cluster, {1, 2, 3}, 1000);
  const auto on_1 = history_on(cluster, 1, "geral");
  EXPECT_EQ(on_1.size(), 998u);
  expect_all_once(on_1, writer.acknowledged(), "server-1");
  // The cluster-wide order: the same history on every replica.
  EXPECT_EQ(history_on(cluster, 2, "geral"), on_1);
  EXPECT_EQ(history_on(cluster, 3, "geral"), on_1);
}

// The kill/restart cycle with each persistence plugin and both replication modes. With memory
// the restarted server comes back empty and rebuilds everything, its own old writes included,
// from its peers before it takes requests (so its new writes never reuse an old seq).
struct KillCase {
  const char* replication;
  const char* persistence;
};

class KilledServerTest : public ::testing::TestWithParam<KillCase> {};

TEST_P(KilledServerTest, RestartedItCatchesUpWithEveryAcknowledgedWriteAndNoDuplicates) {
  LocalCluster cluster(servers(3, GetParam().replication, GetParam().persistence));
  cluster.up();
  Writer writer(cluster.broker_endpoint(), "ana", "geral");
  ASSERT_TRUE(writer.setup()) << writer.last_error();
  int n = 0;
  for (; n < 100; ++n) writer.post("before " + std::to_string(n));
  cluster.kill("server-2");
  for (; n < 250; ++n) writer.post("during " + std::to_string(n));
  cluster.start("server-2");
  for (; n < 300; ++n) writer.post("after " + std::to_string(n));
  ASSERT_GE(writer.acknowledged().size(), 280u) << "the cluster stopped acknowledging: " << writer.last_error();

  expect_converged(cluster, {1, 2, 3}, static_cast<std::int64_t>(writer.acknowledged().size()) + 2);
  const auto on_2 = history_on(cluster, 2, "geral");
  expect_all_once(on_2, writer.acknowledged(), "server-2");
  EXPECT_EQ(history_on(cluster, 1, "geral"), on_2);
  EXPECT_EQ(history_on(cluster, 3, "geral"), on_2);
}

INSTANTIATE_TEST_SUITE_P(Plugins, KilledServerTest,
                         ::testing::Values(KillCase{"async", "json"}, KillCase{"async", "sqlite"},
                                           KillCase{"async", "memory"}, KillCase{"quorum", "json"}),
                         [](const ::testing::TestParamInfo<KillCase>& info) {
                           return std::string(info.param.replication) + "_" + info.param.persistence;
                         });

// Retention (docs/services.md): every server shows the same newest posts of a channel, the
// one that was killed, missed writes, replayed its store and caught up included.
TEST(ReplicationCluster, RetentionKeepsTheSameNewestPostsOnEveryServer) {
  ClusterOptions options = servers(3);
  options.set = {"server:plugins.publish.max_posts=30"};
  LocalCluster cluster(options);
  cluster.up();
  Writer writer(cluster.broker_endpoint(), "ana", "geral");
  ASSERT_TRUE(writer.setup()) << writer.last_error();
  int n = 0;
  for (; n < 60; ++n) writer.post("before " + std::to_string(n));
  cluster.kill("server-2");
  for (; n < 120; ++n) writer.post("during " + std::to_string(n));
  cluster.start("server-2");
  const std::size_t before_the_last = writer.acknowledged().size();
  for (; n < 160; ++n) writer.post("after " + std::to_string(n));
  const auto& acknowledged = writer.acknowledged();
  ASSERT_EQ(acknowledged.size() - before_the_last, 40u) << "the cluster stopped acknowledging: " << writer.last_error();

  expect_converged(cluster, {1, 2, 3}, static_cast<std::int64_t>(acknowledged.size()) + 2);
  // One writer whose session carries its clock: the cluster's order is the order of writing,
  // and the newest 30 were all written with every server up.
  const std::vector<std::string> newest(acknowledged.end() - 30, acknowledged.end());
  for (int server = 1; server <= 3; ++server)
    EXPECT_EQ(history_on(cluster, server, "geral"), newest) << "server-" << server;
}

TEST(ReplicationCluster, AServerStoppedForTenSecondsConvergesAfterSigcont) {
  LocalCluster cluster(servers(3));
  cluster.up();
  Writer writer(cluster.broker_endpoint(), "ana", "geral");
  ASSERT_TRUE(writer.setup()) << writer.last_error();
  cluster.stop("server-3");
  // Writes keep flowing for the whole 10 s the server hangs (the broker evicts it meanwhile).
  const auto hang_ends = std::chrono::steady_clock::now() + 10s;
  int n = 0;
  while (std::chrono::steady_clock::now() < hang_ends) writer.post("while hung " + std::to_string(n++));
  cluster.cont("server-3");
  for (int i = 0; i < 20; ++i) writer.post("after " + std::to_string(i));
  ASSERT_GE(writer.acknowledged().size(), 20u) << writer.last_error();

  expect_converged(cluster, {1, 2, 3}, static_cast<std::int64_t>(writer.acknowledged().size()) + 2);
  expect_all_once(history_on(cluster, 3, "geral"), writer.acknowledged(), "server-3");
  // It noticed its stall and did not serve what the broker had already sent elsewhere.
  EXPECT_NE(cluster.log_of("server-3").find("stalled for"), std::string::npos);
}

TEST(ReplicationCluster, AFourthServerJoinsARunningClusterConvergesThenServes) {
  LocalCluster cluster(servers(3));
  cluster.up();
  Writer writer(cluster.broker_endpoint(), "ana", "geral");
  ASSERT_TRUE(writer.setup()) << writer.last_error();
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(writer.post("old " + std::to_string(i))) << writer.last_error();

  const LauncherRun added = cluster.launcher({"add", "--timeout", "20"});
  ASSERT_EQ(added.code, 0) << added.out << added.err;
  // It holds everything (equal digests), and it caught up before it took requests.
  expect_converged(cluster, {1, 2, 3, 4}, 202);
  const std::string log = cluster.log_of("server-4");
  const auto caught_up = log.find("caught up with the peers: taking requests");
  ASSERT_NE(caught_up, std::string::npos) << log;
  const auto first_broker_request = log.find("recv broker ");
  EXPECT_TRUE(first_broker_request == std::string::npos || first_broker_request > caught_up)
      << "served the broker before catching up";

  // Then it serves: round-robin over 4 servers hands it requests, and every write reaches it.
  for (int i = 0; i < 40; ++i) writer.post("new " + std::to_string(i));
  EXPECT_TRUE(wait_until([&] { return cluster.log_of("server-4").find("recv broker publish") != std::string::npos; },
                         30s, 200ms));
  expect_converged(cluster, {1, 2, 3, 4}, static_cast<std::int64_t>(writer.acknowledged().size()) + 2);
  expect_all_once(history_on(cluster, 4, "geral"), writer.acknowledged(), "server-4");
}

TEST(ReplicationCluster, QuorumWritesNeedAMajorityOfTheServers) {
  LocalCluster cluster(servers(3, "quorum"));
  cluster.up();
  Writer writer(cluster.broker_endpoint(), "ana", "geral");
  ASSERT_TRUE(writer.setup()) << writer.last_error();
  EXPECT_TRUE(writer.post("all up")) << writer.last_error();

  cluster.kill("server-3");
  EXPECT_TRUE(wait_until([&] { return writer.post("one down"); }, 30s, 100ms)) << writer.last_error();

  cluster.kill("server-2");
  // Only server-1 is left: 1 of 3 is no majority. Once it notices (two silent anti-entropy
  // rounds) it pauses in the broker: the broker then answers at once that no server can take
  // the request, with server-1's reason, instead of each write failing after the quorum timeout.
  EXPECT_TRUE(wait_until([&] { return paused_in_broker(cluster.broker_endpoint(), "server-1"); }, 30s, 200ms));
  // The broker holds the request hold_ms (3 s) for a server that can take it: a client that
  // waits longer than that gets the broker's own answer.
  bib::ClientOptions patient;
  patient.timeout = 6000ms;
  patient.retries = 1;
  bib::Client client(cluster.broker_endpoint(), patient);
  auto refused = client.request("publish", bib::Map{{"user", "ana"}, {"channel", "geral"}, {"message", "two down"}});
  ASSERT_TRUE(refused) << refused.error().message;
  const std::string description = refused.value().data.opt_string("description").value_or("");
  EXPECT_EQ(refused.value().data.opt_string("status"), std::optional<std::string>("erro"));
  EXPECT_NE(description.find("every live server paused"), std::string::npos) << description;
  EXPECT_NE(description.find("1 of 3 servers reachable"), std::string::npos) << description;

  cluster.start("server-2");
  EXPECT_TRUE(wait_until([&] { return writer.post("back to two"); }, 30s, 200ms)) << writer.last_error();
  EXPECT_FALSE(paused_in_broker(cluster.broker_endpoint(), "server-1"));
  expect_converged(cluster, {1, 2}, static_cast<std::int64_t>(writer.acknowledged().size()) + 2);
}

TEST(ReplicationCluster, SessionGuaranteesAChannelCreatedIsAtOncePublishable) {
  LocalCluster cluster(servers(3));
  cluster.up();
  bib::ClientOptions options;
  options.timeout = 3000ms;
  options.retries = 3;
  bib::Client client(cluster.broker_endpoint(), options);
  ASSERT_TRUE(client.request("login", bib::Map{{"user", "bot"}}));
  int unknown = 0;
  std::string first_problem;
  for (int i = 0; i < 1000; ++i) {
    const std::string channel = "c" + std::to_string(i);
    auto created = client.request("channel", bib::Map{{"channel", channel}});
    ASSERT_TRUE(created) << created.error().message;
    ASSERT_EQ(created.value().data.get_string("status"), "sucesso") << created.value().data.to_string();
    auto posted = client.request("publish", bib::Map{{"user", "bot"}, {"channel", channel}, {"message", "hi"}});
    ASSERT_TRUE(posted) << posted.error().message;
    if (posted.value().data.get_string("status") != "OK") {
      if (unknown++ == 0) first_problem = posted.value().data.to_string();
    }
  }
  EXPECT_EQ(unknown, 0) << "first refusal: " << first_problem;
}

TEST(ReplicationCluster, ElectionAfterTheCoordinatorDiesPicksTheHighestRankedLiveServer) {
  LocalCluster cluster(servers(3));
  cluster.up();
  // Everyone agrees on a coordinator, the highest rank.
  std::map<int, ServerStatus> seen;
  auto agree = [&](const std::vector<int>& which) {
    seen.clear();
    std::set<std::string> coordinators;
    for (int n : which) {
      auto s = status_of(cluster, n);
      if (!s || s->coordinator.empty()) return false;
      seen[n] = *s;
      coordinators.insert(s->coordinator);
    }
    return coordinators.size() == 1;
  };
  ASSERT_TRUE(wait_until([&] { return agree({1, 2, 3}); }, 30s, 200ms)) << cluster.log_of("server-1");
  const std::string first = seen.begin()->second.coordinator;
  int highest = 0;
  std::int64_t highest_rank = -1;
  for (const auto& [n, s] : seen)
    if (s.rank > highest_rank) highest_rank = s.rank, highest = n;
  EXPECT_EQ(first, "server-" + std::to_string(highest));

  cluster.kill(first);
  std::vector<int> alive;
  for (int n : {1, 2, 3})
    if ("server-" + std::to_string(n) != first) alive.push_back(n);
  ASSERT_TRUE(wait_until([&] { return agree(alive) && seen.begin()->second.coordinator != first; }, 30s, 200ms))
      << cluster.log_of("server-" + std::to_string(alive[0]));
  int next = 0;
  highest_rank = -1;
  for (const auto& [n, s] : seen)
    if (s.rank > highest_rank) highest_rank = s.rank, next = n;
  EXPECT_EQ(seen.begin()->second.coordinator, "server-" + std::to_string(next));
}

// docs/time.md states the tolerance this test checks.
TEST(ReplicationCluster, ClocksDriftedByUpToOneSecondAgreeAfterSync) {
  ClusterOptions options = servers(3);
  options.set = {"server-1:plugins.coordination.drift_s=-1.0", "server-3:plugins.coordination.drift_s=1.0"};
  LocalCluster cluster(options);
  cluster.up();
  constexpr double kTolerance = 0.05;  // seconds, between any two servers: docs/time.md
  std::string why;
  auto agree = [&] {
    std::vector<double> clocks;
    why.clear();
    for (int n : {1, 2, 3}) {
      const double before = bib::PhysicalClock::system_now();
      auto s = status_of(cluster, n);
      const double after = bib::PhysicalClock::system_now();
      if (!s) return false;
      // The server's clock relative to ours, its reply taken as sent mid-round-trip.
      clocks.push_back(s->time - (before + after) / 2);
      why += "server-" + std::to_string(n) + " " + std::to_string(clocks.back()) + " s; ";
    }
    auto [lo, hi] = std::minmax_element(clocks.begin(), clocks.end());
    return *hi - *lo <= kTolerance;
  };
  EXPECT_TRUE(wait_until(agree, 40s, 250ms)) << "clocks still apart: " << why;
}

}  // namespace
}  // namespace bib::test
