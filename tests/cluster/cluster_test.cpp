// tools/bib-cluster end to end: it starts real bib-host processes (reference, broker, proxy,
// servers) in this test's own loopback /24 and its own work directory. Every test ends with
// `down`, and then SIGKILLs any process the state file recorded that still runs (checked by
// PID and /proc start time), so a failing test leaves nothing behind.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bib/client.hpp"
#include "bib/json.hpp"
#include "support/loopback.hpp"
#include "support/process.hpp"
#include "support/wait.hpp"

namespace bib::test {
namespace {

using namespace std::chrono_literals;

struct LauncherRun {
  int code = -1;
  std::string out;
  std::string err;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The start time (clock ticks since boot) of a running, non-zombie process; 0 when gone.
long long start_time(long long pid) {
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  std::vector<std::string> parts;
  while (fields >> field) parts.push_back(field);
  if (parts.size() < 20 || parts[0] == "Z" || parts[0] == "X") return 0;
  return std::stoll(parts[19]);
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
    if (start_time(std::stoll(name)) != 0) found.push_back(std::stoll(name));
  }
  return found;
}

class ClusterTest : public ::testing::Test {
 protected:
  LoopbackBlock block;
  std::string base = block.address(1).substr(0, block.address(1).rfind('.'));  // "127.A.B"
  std::string workdir = make_temp_dir("cluster");

  void TearDown() override {
    run({"down", "--grace", "3"});
    for (const auto& [pid, started] : recorded_) {
      if (start_time(pid) == started) ::kill(static_cast<pid_t>(pid), SIGKILL);
    }
    EXPECT_TRUE(wait_until([&] { return processes_in_block(base).empty(); }, 5000ms))
        << "processes of this test's cluster still run";
  }

  // Runs the launcher to completion with this test's work directory and build tree.
  LauncherRun run(const std::vector<std::string>& args) {
    const std::string n = std::to_string(++runs_);
    const std::string out = workdir + "/launcher-" + n + ".out";
    const std::string err = workdir + "/launcher-" + n + ".err";
    std::string command = "BIB_BUILD_DIR='" + std::string(BIB_BIN_DIR) + "/..' python3 '" +
                          std::string(BIB_SOURCE_DIR) + "/tools/bib-cluster' --workdir '" + workdir + "'";
    for (const auto& a : args) command += " '" + a + "'";
    command += " >'" + out + "' 2>'" + err + "' </dev/null";
    const int status = std::system(command.c_str());
    remember_recorded();
    return LauncherRun{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out), read_file(err)};
  }

  // The state file's processes, kept for the fallback in TearDown and for "gone" checks.
  void remember_recorded() {
    auto state = parse_json(read_file(workdir + "/cluster.json"));
    if (!state || !state.value().is_map()) return;
    for (const auto& p : state.value().get_array("processes")) {
      const auto started = p.at("starttime");
      if (started.is_int()) recorded_.insert({p.get_int("pid"), started.as_int()});
    }
  }

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
    Client client(broker, options);
    std::set<std::string> nodes;
    for (int i = 0; i < tries && nodes.size() < wanted; ++i) {
      auto reply = client.request("ping");
      if (reply && reply.value().data.opt_string("node")) nodes.insert(reply.value().data.get_string("node"));
    }
    return nodes;
  }

  std::set<std::pair<long long, long long>> recorded_;  // (pid, start time)

 private:
  int runs_ = 0;
};

TEST_F(ClusterTest, UpServesThroughTheBrokerRefusesATwinAndDownStopsEverything) {
  const LauncherRun up = run({"up", "--servers", "3", "--base", base, "--timeout", "40"});
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

  const auto pids_before = recorded_;
  const LauncherRun twin = run({"up", "--servers", "3", "--base", base});
  EXPECT_NE(twin.code, 0) << twin.out;
  EXPECT_NE(twin.err.find("already running"), std::string::npos) << twin.err;
  EXPECT_EQ(recorded_, pids_before);  // no new process was recorded

  const LauncherRun down = run({"down"});
  EXPECT_EQ(down.code, 0) << down.err;
  for (const auto& [pid, started] : recorded_) EXPECT_NE(start_time(pid), started) << "pid " << pid << " survived";
  EXPECT_TRUE(processes_in_block(base).empty());
  EXPECT_FALSE(std::ifstream(workdir + "/cluster.json").good());
  EXPECT_NE(run({"status"}).code, 0);
}

TEST_F(ClusterTest, KilledServerIsEvictedAndStartBringsItBack) {
  const LauncherRun up = run({"up", "--servers", "2", "--base", base, "--timeout", "40"});
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
  const LauncherRun up = run({"up", "--servers", "1", "--base", base, "--timeout", "40"});
  ASSERT_EQ(up.code, 0) << up.out << up.err;
  ASSERT_EQ(run({"stop", "server-1"}).code, 0);
  EXPECT_EQ(field("server-1", "alive"), "stopped");
  ASSERT_EQ(run({"cont", "server-1"}).code, 0);
  EXPECT_EQ(field("server-1", "alive"), "alive");
  // down also ends a stopped process (SIGTERM cannot act until SIGCONT).
  ASSERT_EQ(run({"stop", "broker"}).code, 0);
  EXPECT_EQ(run({"down", "--grace", "5"}).code, 0);
  for (const auto& [pid, started] : recorded_) EXPECT_NE(start_time(pid), started) << "pid " << pid << " survived";
}

TEST_F(ClusterTest, UpFailsWithTheLogOfAProcessThatDiesAndCleansUp) {
  const LauncherRun up = run({"up", "--servers", "1", "--base", base, "--timeout", "40", "--set",
                      "server-1:host.log_level=nonsense"});
  EXPECT_EQ(up.code, 1) << up.out;
  EXPECT_NE(up.err.find("server-1"), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("log_level"), std::string::npos) << up.err;  // from the server's log
  EXPECT_FALSE(std::ifstream(workdir + "/cluster.json").good());
  EXPECT_TRUE(processes_in_block(base).empty());
}

}  // namespace
}  // namespace bib::test
