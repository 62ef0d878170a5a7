// tools/bib-cluster end to end: it starts real bib-host processes (reference, broker, proxy,
// servers) in this test's own loopback /24 and its own work directory, both from
// bib::test::LocalCluster (tests/support/cluster.hpp), which also guarantees the cleanup: `down`,
// then SIGKILL for any process the state file recorded that still runs (checked by PID and
// /proc start time), so a failing test leaves nothing behind. These tests drive the launcher
// command by command (LocalCluster::launcher) to check its output and exit codes.
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bib/client.hpp"
#include "bib/json.hpp"
#include "support/cluster.hpp"
#include "support/wait.hpp"

namespace bib::test {
namespace {

using namespace std::chrono_literals;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// PIDs of live processes whose environment says they belong to the cluster in `base`
// (BIB_ADDRESS=base.N): independent of the state file, to prove nothing was left behind.
std::vector<long long> processes_in_block(const std::string& base) {
  std::vector<long long> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string env = read_file(entry.path().string() + "/environ");
    std::replace(env.begin(), env.end(), '\0', '\n');
    if (env.find("\nBIB_ADDRESS=" + base + ".") == std::string::npos &&
        env.rfind("BIB_ADDRESS=" + base + ".", 0) != 0)
      continue;
    if (process_start_time(std::stoll(name)) != 0) found.push_back(std::stoll(name));
  }
  return found;
}

bool any_survives(const std::set<std::pair<long long, long long>>& recorded) {
  for (const auto& [pid, started] : recorded)
    if (process_start_time(pid) == started) return true;
  return false;
}

// Clusters without bots (`--bots 0`): only the test's own requests reach the servers.
class ClusterTest : public ::testing::Test {
 protected:
  std::optional<LocalCluster> cluster{std::in_place};
  const std::string base = cluster->base();  // "127.A.B"
  const std::string workdir = cluster->workdir();

  void TearDown() override {
    cluster.reset();  // down, then SIGKILL for anything recorded that still runs
    EXPECT_TRUE(wait_until([&] { return processes_in_block(base).empty(); }, 5000ms))
        << "processes of this test's cluster still run";
  }

  LauncherRun run(const std::vector<std::string>& args) { return cluster->launcher(args); }
  const std::set<std::pair<long long, long long>>& recorded() const { return cluster->recorded(); }

  Value status() {
    const LauncherRun r = run({"status", "--json"});
    EXPECT_EQ(r.code, 0) << r.err;
    auto v = parse_json(r.out);
    EXPECT_TRUE(v) << r.out;
    return v ? v.value() : Value(Map{});
  }

  static const Value& process(const Value& status, const std::string& name) {
    for (const auto& p : status.get_array("processes"))
      if (p.get_string("name") == name) return p;
    throw std::runtime_error("no process " + name + " in status");
  }

  std::string field(const std::string& name, const std::string& key) {
    const Value s = status();
    return process(s, name).opt_string(key).value_or("");
  }

  // "  broker     tcp://127.A.B.2:5555    clients ..." -> "tcp://127.A.B.2:5555"
  static std::string endpoint_line(const std::string& out, const std::string& role) {
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream words(line);
      std::string first, second;
      if (words >> first >> second && first == role) return second;
    }
    return "";
  }

  // The broker's own view of one server ("live", "evicted", "" when unknown), asked directly
  // (the `broker` status service) rather than through the launcher, to poll cheaply.
  static std::string broker_view(const std::string& broker, const std::string& server) {
    ClientOptions options;
    options.timeout = 1000ms;
    options.retries = 1;
    options.session = false;
    Client client(broker, options);
    auto reply = client.request("broker");
    if (!reply || !reply.value().data.contains("workers")) return "";
    for (const auto& w : reply.value().data.get_array("workers"))
      if (w.get_string("name") == server) return w.get_bool("live") ? "live" : "evicted";
    return "";
  }

  // Pings through the broker until `wanted` nodes answered or `tries` pings went out.
  static std::set<std::string> nodes_answering(const std::string& broker, std::size_t wanted, int tries) {
    ClientOptions options;
    options.timeout = 2000ms;
    options.retries = 2;
    // Which server answers, not what it knows: no session, so no server waits for writes it
    // has not seen.
    options.session = false;
    Client client(broker, options);
    std::set<std::string> nodes;
    for (int i = 0; i < tries && nodes.size() < wanted; ++i) {
      auto reply = client.request("ping");
      if (reply && reply.value().data.opt_string("node")) nodes.insert(reply.value().data.get_string("node"));
    }
    return nodes;
  }

};

TEST_F(ClusterTest, UpServesThroughTheBrokerRefusesATwinAndDownStopsEverything) {
  const LauncherRun up = run({"up", "--bots", "0", "--servers", "3", "--base", base, "--timeout", "40"});
  ASSERT_EQ(up.code, 0) << up.out << up.err;
  const std::string broker = endpoint_line(up.out, "broker");
  EXPECT_EQ(broker, "tcp://" + base + ".2:5555") << up.out;
  EXPECT_EQ(endpoint_line(up.out, "proxy"), "tcp://" + base + ".3:5558") << up.out;
  EXPECT_EQ(endpoint_line(up.out, "reference"), "tcp://" + base + ".1:5560") << up.out;
  EXPECT_EQ(endpoint_line(up.out, "server-3"), base + ".13") << up.out;

  // Round-robin over three live servers: every one of them answers.
  EXPECT_EQ(nodes_answering(broker, 3, 30), (std::set<std::string>{"server-1", "server-2", "server-3"}));

  const Value s = status();
  ASSERT_EQ(s.get_array("processes").size(), 6u);  // reference, broker, proxy, 3 servers
  for (const auto& p : s.get_array("processes")) {
    EXPECT_EQ(p.get_string("alive"), "alive") << p.to_string();
    if (p.get_string("role") == "server") {
      EXPECT_EQ(p.get_string("broker"), "live") << p.to_string();
      EXPECT_EQ(p.get_string("reference"), "listed") << p.to_string();
    }
  }
  const LauncherRun table = run({"status"});
  EXPECT_EQ(table.code, 0) << table.err;
  EXPECT_NE(table.out.find("server-3"), std::string::npos) << table.out;

  const auto pids_before = recorded();
  const LauncherRun twin = run({"up", "--bots", "0", "--servers", "3", "--base", base});
  EXPECT_NE(twin.code, 0) << twin.out;
  EXPECT_NE(twin.err.find("already running"), std::string::npos) << twin.err;
  EXPECT_EQ(recorded(), pids_before);  // no new process was recorded

  const LauncherRun down = run({"down"});
  EXPECT_EQ(down.code, 0) << down.err;
  EXPECT_FALSE(any_survives(recorded()));
  EXPECT_TRUE(processes_in_block(base).empty());
  EXPECT_FALSE(std::ifstream(workdir + "/cluster.json").good());
  EXPECT_NE(run({"status"}).code, 0);
}

TEST_F(ClusterTest, KilledServerIsEvictedAndStartBringsItBack) {
  const LauncherRun up = run({"up", "--bots", "0", "--servers", "2", "--base", base, "--timeout", "40"});
  ASSERT_EQ(up.code, 0) << up.out << up.err;
  const std::string broker = endpoint_line(up.out, "broker");

  const LauncherRun kill = run({"kill", "server-2"});
  ASSERT_EQ(kill.code, 0) << kill.err;
  // The broker notices: the connection closed, or at the latest 3 missed heartbeats of 1 s.
  EXPECT_TRUE(wait_until([&] { return broker_view(broker, "server-2") == "evicted"; }, 15000ms, 100ms));
  {
    const Value s = status();
    EXPECT_EQ(process(s, "server-2").get_string("alive"), "dead");
    EXPECT_EQ(process(s, "server-2").get_string("broker"), "evicted");
  }
  EXPECT_EQ(nodes_answering(broker, 2, 6), std::set<std::string>{"server-1"});

  const LauncherRun start = run({"start", "server-2"});
  ASSERT_EQ(start.code, 0) << start.out << start.err;
  {
    const Value s = status();
    EXPECT_EQ(process(s, "server-2").get_string("alive"), "alive");
    EXPECT_EQ(process(s, "server-2").get_string("broker"), "live");
  }
  EXPECT_TRUE(nodes_answering(broker, 2, 20).count("server-2"));

  const LauncherRun again = run({"start", "server-2"});
  EXPECT_NE(again.code, 0);
  EXPECT_NE(again.err.find("already running"), std::string::npos) << again.err;
  EXPECT_NE(run({"kill", "server-9"}).code, 0);
}

TEST_F(ClusterTest, StopAndContinueShowInStatus) {
  const LauncherRun up = run({"up", "--bots", "0", "--servers", "1", "--base", base, "--timeout", "40"});
  ASSERT_EQ(up.code, 0) << up.out << up.err;
  ASSERT_EQ(run({"stop", "server-1"}).code, 0);
  EXPECT_EQ(field("server-1", "alive"), "stopped");
  ASSERT_EQ(run({"cont", "server-1"}).code, 0);
  EXPECT_EQ(field("server-1", "alive"), "alive");
  // down also ends a stopped process (SIGTERM cannot act until SIGCONT).
  ASSERT_EQ(run({"stop", "broker"}).code, 0);
  EXPECT_EQ(run({"down", "--grace", "5"}).code, 0);
  EXPECT_FALSE(any_survives(recorded()));
}

TEST_F(ClusterTest, UpFailsWithTheLogOfAProcessThatDiesAndCleansUp) {
  const LauncherRun up = run({"up", "--bots", "0", "--servers", "1", "--base", base, "--timeout", "40", "--set",
                      "server-1:host.log_level=nonsense"});
  EXPECT_EQ(up.code, 1) << up.out;
  EXPECT_NE(up.err.find("server-1"), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("log_level"), std::string::npos) << up.err;  // from the server's log
  EXPECT_FALSE(std::ifstream(workdir + "/cluster.json").good());
  EXPECT_TRUE(processes_in_block(base).empty());
}

// The fixture's own promises: distinct blocks and work directories for clusters alive at the
// same time, the documented endpoints, and a destructor that ends every process, even stopped
// ones, whatever the test did.
TEST(LocalClusterTest, ClustersAreIsolatedAndTheDestructorEndsEveryProcess) {
  std::set<std::pair<long long, long long>> pids;
  std::string base;
  {
    ClusterOptions options;
    options.servers = 2;
    LocalCluster cluster(options);
    LocalCluster neighbour;
    EXPECT_NE(cluster.base(), neighbour.base());
    EXPECT_NE(cluster.workdir(), neighbour.workdir());
    base = cluster.base();
    EXPECT_EQ(cluster.broker_endpoint(), "tcp://" + base + ".2:5555");
    EXPECT_EQ(cluster.proxy_sub_endpoint(), "tcp://" + base + ".3:5558");
    EXPECT_EQ(cluster.server_endpoint(2), "tcp://" + base + ".12:5561");

    cluster.up();
    Client client(cluster.server_endpoint(2));
    auto ping = client.request("ping");
    ASSERT_TRUE(ping) << ping.error().message;
    EXPECT_EQ(ping.value().data.opt_string("node"), "server-2");
    EXPECT_NE(cluster.log_of("server-2").find("server-2"), std::string::npos);
    EXPECT_THROW(cluster.start("server-2"), std::runtime_error);  // already running

    cluster.kill("server-1");
    cluster.start("server-1");
    cluster.stop("broker");  // a hung process must not survive the destructor
    cluster.stop("server-2");
    pids = cluster.recorded();
    EXPECT_EQ(pids.size(), 6u);  // 5 processes, server-1 started twice
  }
  EXPECT_FALSE(any_survives(pids));
  EXPECT_TRUE(processes_in_block(base).empty());
}

}  // namespace
}  // namespace bib::test
