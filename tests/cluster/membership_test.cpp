// tools/bib-cluster while the membership changes: restarting one server while another lies dead
// on purpose, `add` (a server joining a running cluster catches up, then serves), `remove` (a
// server leaves for good) and `up --drift`. Each test runs its own cluster without bots
// (bib::test::LocalCluster, tests/support/cluster.hpp), so only the test's requests reach it;
// the fixture's destructor stops every process any state file recorded, the removed ones too.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "bib/client.hpp"
#include "bib/json.hpp"
#include "support/cluster.hpp"
#include "support/wait.hpp"

namespace bib::test {
namespace {

using namespace std::chrono_literals;

// Longer than the reference's heartbeat timeout and the broker's eviction (3 x 1 s) together.
constexpr auto kMembershipSettles = 15000ms;
constexpr auto kPoll = 100ms;

ClientOptions quick() {
  ClientOptions options;
  options.timeout = 1000ms;
  options.retries = 1;
  options.session = false;  // asks about one server's own state, not a session
  return options;
}

struct Replica {
  std::string digest;
  std::int64_t events = -1;
  bool operator==(const Replica&) const = default;
};

// A server's `digest` and `events` from its own `status` service (its direct port).
std::optional<Replica> replica_at(const std::string& endpoint) {
  Client client(endpoint, quick());
  auto reply = client.request("status");
  if (!reply) return std::nullopt;
  const Value& d = reply.value().data;
  if (!d.opt_string("digest") || !d.opt_int("events")) return std::nullopt;
  return Replica{*d.opt_string("digest"), *d.opt_int("events")};
}

// "live", "evicted" or "" (unknown or no answer): the broker's own view (its `broker` service).
std::string broker_view(const std::string& broker, const std::string& server) {
  Client client(broker, quick());
  auto reply = client.request("broker");
  if (!reply || !reply.value().data.contains("workers")) return "";
  for (const auto& w : reply.value().data.get_array("workers"))
    if (w.get_string("name") == server) return w.get_bool("live") ? "live" : "evicted";
  return "";
}

// Names the reference server lists (its `list` service); nullopt without an answer.
std::optional<std::set<std::string>> reference_list(const std::string& reference) {
  Client client(reference, quick());
  auto reply = client.request("list");
  if (!reply || !reply.value().data.contains("list")) return std::nullopt;
  std::set<std::string> names;
  for (const auto& s : reply.value().data.get_array("list")) names.insert(s.get_string("name"));
  return names;
}

// One write through the broker: the reply's status word, or what went wrong.
std::string write(Client& client, const std::string& service, Map data) {
  auto reply = client.request(service, std::move(data));
  if (!reply) return reply.error().message;
  return reply.value().data.opt_string("status").value_or(reply.value().data.to_string());
}

// Pings through the broker until `wanted` answered or `tries` pings went out: the nodes that did.
std::set<std::string> nodes_answering(const std::string& broker, const std::string& wanted, int tries) {
  ClientOptions options = quick();
  options.timeout = 2000ms;
  options.retries = 2;
  Client client(broker, options);
  std::set<std::string> nodes;
  for (int i = 0; i < tries && !nodes.count(wanted); ++i) {
    auto reply = client.request("ping");
    if (reply && reply.value().data.opt_string("node")) nodes.insert(*reply.value().data.opt_string("node"));
  }
  return nodes;
}

class MembershipTest : public ::testing::Test {
 protected:
  static ClusterOptions two_async_servers() {
    ClusterOptions options;
    options.servers = 2;
    options.replication = "async";
    options.bots = 0;
    return options;
  }

  LocalCluster cluster{two_async_servers()};
  const std::string base = cluster.base();  // "127.A.B"
  const std::string broker = cluster.broker_endpoint();
  const std::string reference = "tcp://" + base + ".1:5560";

  LauncherRun run(const std::vector<std::string>& args) { return cluster.launcher(args); }

  // The state file as the launcher last wrote it.
  Value state() {
    std::ifstream in(cluster.workdir() + "/cluster.json");
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = parse_json(text.str());
    EXPECT_TRUE(parsed) << text.str();
    return parsed ? parsed.value() : Value(Map{});
  }

  // The recorded process `name` of a state or `status --json` ("processes"); nullopt if absent.
  static std::optional<Value> process(const Value& listing, const std::string& name) {
    for (const auto& p : listing.get_array("processes"))
      if (p.get_string("name") == name) return p;
    return std::nullopt;
  }

  std::string recorded_env(const std::string& name, const std::string& key) {
    auto p = process(state(), name);
    if (!p) return "(no process " + name + ")";
    return p->at("env").opt_string(key).value_or("(unset)");
  }

  Value status() {
    const LauncherRun r = run({"status", "--json"});
    EXPECT_EQ(r.code, 0) << r.err;
    auto parsed = parse_json(r.out);
    EXPECT_TRUE(parsed) << r.out;
    return parsed ? parsed.value() : Value(Map{{"processes", Array{}}});
  }
};

// Before the fix, `start server-1` failed at once ("server-2 (pid ...) exited") because it
// watched every recorded process, including one a drill had killed on purpose.
TEST_F(MembershipTest, StartOfOneServerIgnoresAnotherKilledOnPurpose) {
  cluster.up();
  cluster.kill("server-2");
  ASSERT_TRUE(wait_until([&] { return broker_view(broker, "server-2") == "evicted"; }, kMembershipSettles, kPoll))
      << "the broker never evicted the killed server-2";

  // Killed and started again at once: the broker still holds the old server-1 live, and `start`
  // must not take that stale entry for the new process.
  cluster.kill("server-1");
  const LauncherRun start = run({"start", "server-1", "--timeout", "30"});
  ASSERT_EQ(start.code, 0) << start.out << start.err;
  EXPECT_NE(start.out.find("server-1 is listed by the reference and live in the broker"), std::string::npos)
      << start.out;

  // Serving right away: one quick ping through the broker (server-2 is evicted) reaches it.
  {
    Client client(broker, quick());
    auto ping = client.request("ping");
    ASSERT_TRUE(ping) << ping.error().message;
    EXPECT_EQ(ping.value().data.opt_string("node"), "server-1");
  }

  // status keeps working with a dead process: shown dead, its server fields "-".
  const Value s = status();
  auto dead = process(s, "server-2");
  ASSERT_TRUE(dead);
  EXPECT_EQ(dead->get_string("alive"), "dead");
  EXPECT_EQ(dead->at("status").get_string("digest"), "-");
  auto back = process(s, "server-1");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->get_string("alive"), "alive");
  EXPECT_EQ(back->get_string("broker"), "live");
  EXPECT_EQ(back->at("status").get_string("node"), "server-1");

  const LauncherRun down = run({"down", "--grace", "5"});
  EXPECT_EQ(down.code, 0) << down.err;
  EXPECT_NE(down.out.find("stopped 4 processes"), std::string::npos) << down.out;  // server-2 was dead
}

TEST_F(MembershipTest, AddedServerCatchesUpAndServes) {
  cluster.up();
  {
    Client writer(broker);
    ASSERT_EQ(write(writer, "login", Map{{"user", "ana"}}), "sucesso");
    ASSERT_EQ(write(writer, "channel", Map{{"channel", "geral"}}), "sucesso");
    for (int i = 1; i <= 5; ++i) {
      ASSERT_EQ(write(writer, "publish",
                      Map{{"user", "ana"}, {"channel", "geral"}, {"message", "before add " + std::to_string(i)}}),
                "OK");
    }
  }
  // The 7 writes are on both servers before server-3 exists: it must pull them, not see them pushed.
  std::optional<Replica> first;
  ASSERT_TRUE(wait_until(
      [&] {
        first = replica_at(cluster.server_endpoint(1));
        return first && first->events >= 7 && replica_at(cluster.server_endpoint(2)) == first;
      },
      kMembershipSettles, kPoll));

  const LauncherRun add = run({"add", "--timeout", "15"});
  ASSERT_EQ(add.code, 0) << add.out << add.err;
  EXPECT_NE(add.out.find("added server-3 at " + base + ".13"), std::string::npos) << add.out;

  // Same environment as the others; the quorum size is the cluster's, recorded for every server.
  EXPECT_EQ(recorded_env("server-3", "BIB_REPLICATION"), "async");
  EXPECT_EQ(recorded_env("server-3", "BIB_PERSISTENCE"), recorded_env("server-1", "BIB_PERSISTENCE"));
  EXPECT_EQ(recorded_env("server-3", "BIB_BROKER"), base + ".2");
  EXPECT_EQ(recorded_env("server-3", "BIB_SERVERS"), "3");
  EXPECT_EQ(recorded_env("server-1", "BIB_SERVERS"), "3");

  std::optional<Replica> joined;
  EXPECT_TRUE(wait_until(
      [&] {
        joined = replica_at(cluster.server_endpoint(3));
        return joined == first;
      },
      kMembershipSettles, kPoll))
      << "server-3: " << (joined ? joined->digest + " " + std::to_string(joined->events) : "no answer")
      << ", server-1: " << first->digest << " " << first->events;

  EXPECT_EQ(broker_view(broker, "server-3"), "live");  // `add` returned only once it was
  EXPECT_TRUE(nodes_answering(broker, "server-3", 30).count("server-3"))
      << "no ping through the broker reached server-3";
  auto listed = process(status(), "server-3");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->get_string("reference"), "listed");
  EXPECT_EQ(listed->at("status").get_string("digest"), first->digest);
}

TEST_F(MembershipTest, RemovedServerLeavesForGoodAndItsNameIsNotReused) {
  cluster.up();
  ASSERT_EQ(run({"add", "--timeout", "15"}).code, 0);
  auto added = process(state(), "server-3");
  ASSERT_TRUE(added);
  const long long pid = added->get_int("pid");

  const LauncherRun remove = run({"remove", "server-3"});
  ASSERT_EQ(remove.code, 0) << remove.out << remove.err;
  EXPECT_NE(remove.out.find("stopped server-3 (pid " + std::to_string(pid) + ")"), std::string::npos) << remove.out;
  EXPECT_EQ(process_start_time(pid), 0) << "server-3 still runs";
  EXPECT_FALSE(process(status(), "server-3"));
  EXPECT_EQ(recorded_env("server-1", "BIB_SERVERS"), "2");  // for the next start of the others

  std::optional<std::set<std::string>> names;
  EXPECT_TRUE(wait_until(
      [&] {
        names = reference_list(reference);
        return names && !names->count("server-3") && names->count("server-1");
      },
      kMembershipSettles, kPoll))
      << "the reference still lists server-3 (or did not answer)";

  // Writes keep succeeding on the two that are left.
  {
    Client writer(broker);
    for (const char* user : {"bia", "caio", "duda"}) EXPECT_EQ(write(writer, "login", Map{{"user", user}}), "sucesso");
  }

  const LauncherRun again = run({"remove", "server-3"});
  EXPECT_NE(again.code, 0);
  EXPECT_NE(again.err.find("no process named 'server-3'"), std::string::npos) << again.err;
  const LauncherRun infrastructure = run({"remove", "broker"});
  EXPECT_NE(infrastructure.code, 0);
  EXPECT_NE(infrastructure.err.find("only servers and bots can be removed"), std::string::npos) << infrastructure.err;

  // A name once removed is never given again (its events carry that origin): the next is server-4.
  const LauncherRun next = run({"add", "--timeout", "15"});
  ASSERT_EQ(next.code, 0) << next.out << next.err;
  EXPECT_NE(next.out.find("added server-4 at " + base + ".14"), std::string::npos) << next.out;
}

TEST_F(MembershipTest, DriftIsCheckedAndReachesEachServer) {
  const LauncherRun refused = run({"up", "--bots", "0", "--servers", "3", "--base", base, "--drift",
                                   "server-1=1.5"});
  EXPECT_EQ(refused.code, 1) << refused.out;
  EXPECT_NE(refused.err.find("server-1=1.5: a drift must be between -1 and 1 seconds"), std::string::npos)
      << refused.err;
  EXPECT_FALSE(std::ifstream(cluster.workdir() + "/cluster.json").good());  // nothing started

  const LauncherRun up = run({"up", "--bots", "0", "--servers", "3", "--base", base, "--timeout", "40", "--drift",
                              "server-1=-1.0,server-3=0.5"});
  ASSERT_EQ(up.code, 0) << up.out << up.err;
  EXPECT_EQ(recorded_env("server-1", "BIB_DRIFT"), "-1");
  EXPECT_EQ(recorded_env("server-2", "BIB_DRIFT"), "0");
  EXPECT_EQ(recorded_env("server-3", "BIB_DRIFT"), "0.5");
  for (const char* name : {"server-1", "server-2", "server-3"}) EXPECT_EQ(recorded_env(name, "BIB_SERVERS"), "3");
  // The coordination plugin took it: it logs the drift it starts with.
  EXPECT_NE(cluster.log_of("server-1").find("artificial drift -1.000 s"), std::string::npos);

  ASSERT_EQ(run({"down"}).code, 0);
  const LauncherRun demo = run({"up", "--bots", "0", "--servers", "3", "--base", base, "--timeout", "40", "--drift",
                                "demo"});
  ASSERT_EQ(demo.code, 0) << demo.out << demo.err;
  EXPECT_EQ(recorded_env("server-1", "BIB_DRIFT"), "-0.8");
  EXPECT_EQ(recorded_env("server-2", "BIB_DRIFT"), "0");
  EXPECT_EQ(recorded_env("server-3", "BIB_DRIFT"), "0.8");
}

}  // namespace
}  // namespace bib::test
