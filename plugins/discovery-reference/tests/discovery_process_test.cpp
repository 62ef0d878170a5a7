// Discovery plugins in real bib-host processes. What discovery-reference knows shows in two
// places: the reference server's `list` (read here with a plain REQ client) and the
// server's own log ("registered as ... with rank N", "peers: ...").
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "support/host_harness.hpp"
#include "support/loopback.hpp"

namespace bib::test {
namespace {

using std::chrono::milliseconds;

class DiscoveryProcess : public HostProcessTest {
 protected:
  DiscoveryProcess() : HostProcessTest("discovery") {}

  std::string reference_endpoint = net.endpoint(1, 5560);

  std::unique_ptr<Process> start_reference(const std::string& stem = "reference") {
    return start_host(dir, stem, reference_config(reference_endpoint, "heartbeat_timeout_ms = 1000\n"));
  }

  // Server n listens on 127.A.B.(10+n): its direct ROUTER (for ping) and its advertised address.
  std::string server_address(int n) const { return net.address(10 + n); }
  std::string server_endpoint(int n) const { return net.endpoint(10 + n, 7000); }

  std::unique_ptr<Process> start_server(int n) {
    const std::string name = "server-" + std::to_string(n);
    return start_host(dir, name,
                      "[host]\nname = \"" + name + "\"\nlisten = \"" + server_endpoint(n) +
                          "\"\n\n[[plugins]]\nname = \"ping\"\n\n"
                          "[[plugins]]\nname = \"discovery-reference\"\nreference = \"" +
                          reference_endpoint + "\"\naddress = \"" + server_address(n) +
                          "\"\nheartbeat_ms = 200\nrequest_timeout_ms = 300\n");
  }

  // name -> {rank, address} as the reference lists them; empty when it does not answer.
  std::map<std::string, std::pair<std::int64_t, std::string>> listed() {
    std::map<std::string, std::pair<std::int64_t, std::string>> servers;
    auto reply = req_call(zmq, reference_endpoint, "list");
    if (!reply) return servers;
    for (const Value& s : reply->data.get_array("list")) {
      servers[s.get_string("name")] = {s.get_int("rank"), s.get_string("address")};
    }
    return servers;
  }

  bool listed_exactly(const std::vector<std::string>& names) {
    auto servers = listed();
    if (servers.size() != names.size()) return false;
    return std::all_of(names.begin(), names.end(), [&](const auto& n) { return servers.count(n) == 1; });
  }

  static bool log_has(Process& p, const std::string& text) { return p.log().find(text) != std::string::npos; }
};

TEST_F(DiscoveryProcess, ServersRegisterAndSeeEachOther) {
  auto reference = start_reference();
  auto server1 = start_server(1);
  auto server2 = start_server(2);

  ASSERT_TRUE(wait_until([&] { return listed_exactly({"server-1", "server-2"}); }, milliseconds(10000)))
      << reference->log();
  auto servers = listed();
  EXPECT_EQ(servers["server-1"].second, server_address(1));
  EXPECT_EQ(servers["server-2"].second, server_address(2));
  std::vector<std::int64_t> ranks{servers["server-1"].first, servers["server-2"].first};
  std::sort(ranks.begin(), ranks.end());
  EXPECT_EQ(ranks, (std::vector<std::int64_t>{1, 2}));

  const std::string rank2 = std::to_string(servers["server-2"].first);
  EXPECT_TRUE(wait_until([&] { return log_has(*server1, "peers: server-2 (rank " + rank2 + ", " + server_address(2) + ")"); },
                         milliseconds(5000)))
      << server1->log();
  EXPECT_TRUE(log_has(*server1, "registered as 'server-1' with rank " + std::to_string(servers["server-1"].first)));
  EXPECT_TRUE(wait_until([&] { return log_has(*server2, "peers: server-1 (rank"); }, milliseconds(5000)))
      << server2->log();
}

TEST_F(DiscoveryProcess, AfterAReferenceRestartTheServersRegisterAgainWithTheirRanks) {
  auto reference = start_reference("reference-1");
  auto server1 = start_server(1);
  auto server2 = start_server(2);
  ASSERT_TRUE(wait_until([&] { return listed_exactly({"server-1", "server-2"}); }, milliseconds(10000)))
      << reference->log();
  const auto before = listed();

  // No state file: the new reference knows nobody until the heartbeats say so.
  EXPECT_EQ(reference->stop(), 0);
  reference = start_reference("reference-2");
  ASSERT_TRUE(wait_until([&] { return listed_exactly({"server-1", "server-2"}); }, milliseconds(10000)))
      << reference->log() << server1->log();
  EXPECT_EQ(listed(), before);  // the rank each held rode along with its new `rank` request
  EXPECT_TRUE(log_has(*server1, "registering again")) << server1->log();
  EXPECT_TRUE(log_has(*server2, "registering again")) << server2->log();
}

TEST_F(DiscoveryProcess, AServerStartedBeforeTheReferenceServesAndRegistersWhenItComes) {
  auto server1 = start_server(1);
  // The host loop is not blocked by the missing reference: ping is answered.
  auto ping = req_call_until_answered(zmq, server_endpoint(1), "ping");
  ASSERT_TRUE(ping) << server1->log();
  EXPECT_EQ(ping->data.get_string("status"), "OK");
  EXPECT_TRUE(wait_until([&] { return log_has(*server1, "did not answer"); }, milliseconds(5000))) << server1->log();

  auto reference = start_reference();
  EXPECT_TRUE(wait_until([&] { return listed_exactly({"server-1"}); }, milliseconds(10000)))
      << server1->log() << reference->log();
  EXPECT_TRUE(wait_until([&] { return log_has(*server1, "registered as 'server-1' with rank 1"); }, milliseconds(5000)));
}

TEST_F(DiscoveryProcess, AStoppedServerLeavesTheListAndItsPeersNotice) {
  auto reference = start_reference();
  auto server1 = start_server(1);
  auto server2 = start_server(2);
  ASSERT_TRUE(wait_until([&] { return listed_exactly({"server-1", "server-2"}); }, milliseconds(10000)))
      << reference->log();
  ASSERT_TRUE(wait_until([&] { return log_has(*server1, "peers: server-2"); }, milliseconds(5000)));

  EXPECT_EQ(server2->stop(), 0);
  EXPECT_TRUE(wait_until([&] { return listed_exactly({"server-1"}); }, milliseconds(5000))) << reference->log();
  EXPECT_TRUE(wait_until([&] { return log_has(*server1, "peers: none"); }, milliseconds(5000))) << server1->log();
}

TEST_F(DiscoveryProcess, DiscoveryStaticTakesRankAndPeersFromTheConfig) {
  auto host = start_host(dir, "static",
                         "[host]\nname = \"server-2\"\n\n[[plugins]]\nname = \"discovery-static\"\n"
                         "peers = [ { name = \"server-1\", rank = 1, address = \"" + server_address(1) + "\" },\n"
                         "          { name = \"server-2\", rank = 2, address = \"" + server_address(2) + "\" } ]\n");
  EXPECT_TRUE(wait_until([&] { return log_has(*host, "'server-2' has rank 2 (static); peers: server-1 (rank 1, " +
                                                         server_address(1) + ")"); },
                         milliseconds(10000)))
      << host->log();
  EXPECT_TRUE(host->running());
}

TEST_F(DiscoveryProcess, DiscoveryStaticRefusesABadConfig) {
  auto host = start_host(dir, "static-bad",
                         "[host]\nname = \"server-2\"\n\n[[plugins]]\nname = \"discovery-static\"\n"
                         "peers = [ { name = \"server-1\", rank = 1 } ]\n");
  EXPECT_NE(host->wait_exit(milliseconds(10000)), 0);
  EXPECT_TRUE(log_has(*host, "field 'address' is missing")) << host->log();
}

}  // namespace
}  // namespace bib::test
