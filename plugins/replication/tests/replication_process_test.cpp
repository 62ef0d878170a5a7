// Three real bib-host servers on this test's own loopback /24, each with discovery-static,
// the messaging services, persistence-json in its own folder, and replication-async or
// replication-quorum on port 5562. Requests go straight to a server's direct port (5561),
// without session guarantees, so that what one server shows of another's writes is
// replication's doing alone.
#include <signal.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <zmq.hpp>

#include "bib/client.hpp"
#include "bib/codec.hpp"
#include "support/loopback.hpp"
#include "support/process.hpp"
#include "support/readiness.hpp"
#include "support/wait.hpp"

using namespace std::chrono_literals;

namespace bib::test {
namespace {

constexpr int kServers = 3;
// Deadlines far above what replication needs on an idle machine (well under a second), for
// shared, loaded machines; a broken replication never meets them.
constexpr auto kConverge = 30s;
constexpr int kQuorumTimeoutMs = 1500;

class ReplicationProcessTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (auto& server : servers_) {
      if (server && server->running()) server->stop(3000ms);
    }
  }

  std::string name(int i) const { return "server-" + std::to_string(i); }
  std::string address(int i) const { return block_.address(10 + i); }
  std::string direct(int i) const { return block_.endpoint(10 + i, 5561); }

  std::string config(int i, const std::string& replication) {
    std::string peers;
    for (int p = 1; p <= kServers; ++p) {
      if (!peers.empty()) peers += ", ";
      peers += "{ name = \"" + name(p) + "\", rank = " + std::to_string(p) + ", address = \"" + address(p) + "\" }";
    }
    std::string text = "[host]\nname = \"" + name(i) + "\"\nlisten = \"" + direct(i) + "\"\nplugin_path = \"" +
                       plugin_dir() + "\"\nlog_level = \"debug\"\nwire_log = \"info\"\n\n";
    text += "[[plugins]]\nname = \"discovery-static\"\npeers = [" + peers + "]\n\n";
    for (const char* service : {"login", "channel", "publish", "message"}) {
      text += "[[plugins]]\nname = \"" + std::string(service) + "\"\n\n";
    }
    text += "[[plugins]]\nname = \"persistence-json\"\ndir = \"" + dir_ + "/data/" + name(i) + "\"\n\n";
    text += "[[plugins]]\nname = \"replication-" + replication + "\"\nlisten = \"tcp://" + address(i) +
            ":5562\"\nretry_ms = 100\nmax_retry_ms = 1000\nanti_entropy_ms = 500\nquorum_timeout_ms = " +
            std::to_string(kQuorumTimeoutMs) + "\n";
    if (replication == "quorum") text += "cluster_size = 3\n";
    const std::string path = dir_ + "/" + name(i) + ".toml";
    std::ofstream(path) << text;
    return path;
  }

  void start(int i, const std::string& replication) {
    auto& server = servers_[i - 1];
    const std::string log = dir_ + "/" + name(i) + "-" + std::to_string(++starts_) + ".log";
    server = std::make_unique<Process>(std::vector<std::string>{bin_path("bib-host"), "--config", config(i, replication)},
                                       log);
    // Asked, not read from its log: it answers `status` on its direct port.
    ASSERT_TRUE(wait_serving(*server, direct(i), 30s)) << server->log();
  }

  void start_all(const std::string& replication) {
    for (int i = 1; i <= kServers; ++i) start(i, replication);
  }

  void kill(int i) {
    servers_[i - 1]->signal(SIGKILL);
    servers_[i - 1]->wait_exit(10s);
  }

  // One request to server i's direct port; the reply's data, or nil when none came.
  Value call(int i, const std::string& service, Map data = {}) {
    ClientOptions options;
    options.timeout = 5000ms;
    options.retries = 1;
    options.session = false;
    Client client(direct(i), options);
    auto reply = client.request(service, std::move(data));
    return reply ? reply.value().data : Value();
  }

  std::set<std::string> names(int i, const std::string& service, const std::string& field) {
    const Value reply = call(i, service);
    std::set<std::string> out;
    if (const Value* list = reply.find(field); list != nullptr && list->is_array())
      for (const Value& v : list->as_array()) out.insert(v.as_string());
    return out;
  }
  std::set<std::string> users(int i) { return names(i, "users", "users"); }

  bool holds_users(int i, const std::vector<std::string>& wanted) {
    const auto have = users(i);
    return std::all_of(wanted.begin(), wanted.end(), [&](const std::string& u) { return have.count(u) != 0; });
  }

  std::string digest(int i) {
    const Value status = call(i, "status");
    const Value* d = status.find("digest");
    return d != nullptr && d->is_string() ? d->as_string() : "";
  }

  // Every listed server answers status with one and the same digest.
  bool same_digest(const std::vector<int>& which) {
    std::set<std::string> digests;
    for (int i : which) {
      const std::string d = digest(i);
      if (d.empty()) return false;
      digests.insert(d);
    }
    return digests.size() == 1;
  }

  std::string logs() const {
    std::string all;
    for (const auto& server : servers_)
      if (server) all += "---- " + server->log_path() + "\n" + server->log().substr(server->log().size() > 6000 ? server->log().size() - 6000 : 0);
    return all;
  }

  LoopbackBlock block_;
  std::string dir_ = make_temp_dir("replication");
  std::array<std::unique_ptr<Process>, kServers> servers_;
  int starts_ = 0;
};

TEST_F(ReplicationProcessTest, AsyncWriteOnOneServerAppearsOnTheOthers) {
  start_all("async");
  ASSERT_EQ(call(1, "login", Map{{"user", "ana"}}).get_string("status"), "sucesso");
  ASSERT_EQ(call(1, "channel", Map{{"channel", "geral"}}).get_string("status"), "sucesso");
  for (int i : {2, 3}) {
    EXPECT_TRUE(wait_until([&] { return holds_users(i, {"ana"}); }, kConverge)) << name(i) << "\n" << logs();
    EXPECT_TRUE(wait_until([&] { return names(i, "channels", "channels").count("geral") != 0; }, kConverge))
        << name(i);
  }
  // A post accepted by server 2 reaches 1 and 3, in the same history.
  ASSERT_EQ(call(2, "publish", Map{{"user", "ana"}, {"channel", "geral"}, {"message", "oi"}}).get_string("status"), "OK");
  EXPECT_TRUE(wait_until([&] { return same_digest({1, 2, 3}); }, kConverge)) << logs();
  for (int i : {1, 3}) {
    const Value history = call(i, "history", Map{{"channel", "geral"}});
    const Value* posts = history.find("posts");
    ASSERT_TRUE(posts != nullptr && posts->is_array()) << history.to_string();
    ASSERT_EQ(posts->as_array().size(), 1u) << history.to_string();
    EXPECT_EQ(posts->as_array()[0].get_string("message"), "oi");
  }
  // status shows the replication plugin's view of its peers.
  const Value status = call(1, "status");
  ASSERT_TRUE(status.contains("replication")) << status.to_string();
  EXPECT_EQ(status.get_map("replication").at("mode"), Value("async"));
  EXPECT_EQ(status.get_map("replication").at("peers").as_array().size(), 2u);
}

// What anyone who reaches port 5562 could send, without CURVE (docs/security.md): a push from a
// server that is not a member, and a member's name on an event of another origin. Refused and
// logged, applied nowhere; the members' own replication goes on.
TEST_F(ReplicationProcessTest, ForgedPushesOnTheReplicationPortAreRefusedAndNeverApplied) {
  start_all("async");
  auto forged_login = [](const std::string& origin, const std::string& user) {
    Event event;
    event.origin = origin;
    event.seq = 1;
    event.clock = 1;
    event.timestamp = 1;
    event.service = "login";
    event.data = Map{{"user", user}};
    return to_value(event);
  };
  zmq::context_t zmq_context;
  zmq::socket_t intruder(zmq_context, zmq::socket_type::dealer);
  intruder.set(zmq::sockopt::linger, 0);
  intruder.connect(block_.endpoint(11, 5562));
  for (const auto& [from, origin, user] : {std::tuple{"intruder", "intruder", "mallory"},
                                           std::tuple{"server-2", "server-3", "eve"}}) {
    const Envelope push{"replicate", Map{{"from", from}, {"batch", 1}, {"events", Array{forged_login(origin, user)}}}};
    intruder.send(zmq::buffer(encode_envelope(push)), zmq::send_flags::none);
  }
  ASSERT_TRUE(wait_until(
      [&] {
        const std::string log = servers_[0]->log();
        return log.find("refused replication request from a non-member") != std::string::npos &&
               log.find("refused pushed event of another origin") != std::string::npos;
      },
      kConverge))
      << logs();
  ASSERT_EQ(call(2, "login", Map{{"user", "ana"}}).get_string("status"), "sucesso");
  EXPECT_TRUE(wait_until([&] { return holds_users(1, {"ana"}); }, kConverge)) << logs();
  EXPECT_TRUE(wait_until([&] { return same_digest({1, 2, 3}); }, kConverge)) << logs();
  for (int i = 1; i <= kServers; ++i) {
    EXPECT_EQ(users(i).count("mallory"), 0u) << name(i);
    EXPECT_EQ(users(i).count("eve"), 0u) << name(i);
  }
}

TEST_F(ReplicationProcessTest, AsyncKilledServerCatchesUpAfterRestartFromItsOwnDisk) {
  start_all("async");
  ASSERT_EQ(call(1, "login", Map{{"user", "before"}}).get_string("status"), "sucesso");
  ASSERT_TRUE(wait_until([&] { return holds_users(3, {"before"}); }, kConverge)) << logs();

  kill(3);
  std::vector<std::string> written{"before"};
  for (int n = 0; n < 20; ++n) {
    const int server = 1 + n % 2;  // servers 1 and 2 take writes while 3 is down
    const std::string user = "while-down-" + std::to_string(n);
    ASSERT_EQ(call(server, "login", Map{{"user", user}}).get_string("status"), "sucesso") << user;
    written.push_back(user);
  }
  start(3, "async");  // same data folder: "before" from its disk, the rest through anti-entropy
  EXPECT_TRUE(wait_until([&] { return holds_users(3, written); }, kConverge)) << logs();
  EXPECT_TRUE(wait_until([&] { return same_digest({1, 2, 3}); }, kConverge)) << logs();
  EXPECT_EQ(users(3).size(), written.size());
}

TEST_F(ReplicationProcessTest, AsyncWriteOfAServerThatDiedBeforeAnyPushReachesThePeersWhenItReturns) {
  start_all("async");
  kill(1);
  kill(2);
  // Answered by server 3 alone: durable on its disk, pushed to nobody.
  ASSERT_EQ(call(3, "login", Map{{"user", "lonely"}}).get_string("status"), "sucesso");
  kill(3);
  start(1, "async");
  start(2, "async");
  EXPECT_EQ(users(1).count("lonely"), 0u);
  start(3, "async");  // its own disk has the write; its peers pull it
  for (int i : {1, 2}) EXPECT_TRUE(wait_until([&] { return holds_users(i, {"lonely"}); }, kConverge)) << logs();
  EXPECT_TRUE(wait_until([&] { return same_digest({1, 2, 3}); }, kConverge)) << logs();
}

TEST_F(ReplicationProcessTest, QuorumHoldsWithOneOfThreeDownFailsWithTwoAndRecovers) {
  start_all("quorum");
  ASSERT_EQ(call(1, "login", Map{{"user", "all-up"}}).get_string("status"), "sucesso");

  kill(3);
  const Value one_down = call(1, "login", Map{{"user", "one-down"}});
  EXPECT_EQ(one_down.get_string("status"), "sucesso") << one_down.to_string() << logs();

  kill(2);
  const Value two_down = call(1, "login", Map{{"user", "two-down"}});
  ASSERT_EQ(two_down.get_string("status"), "erro") << two_down.to_string();
  EXPECT_EQ(two_down.get_string("description"),
            "write not confirmed by a quorum: 1 of 3 servers hold it, 2 needed after " +
                std::to_string(kQuorumTimeoutMs) + " ms");

  start(2, "quorum");
  int attempt = 0;
  EXPECT_TRUE(wait_until(
      [&] {
        const Value r = call(1, "login", Map{{"user", "back-" + std::to_string(++attempt)}});
        return r.is_map() && r.opt_string("status") == std::optional<std::string>("sucesso");
      },
      kConverge, 100ms))
      << logs();
  // The write answered with an error was not withdrawn: it reached server 2 all the same.
  EXPECT_TRUE(wait_until([&] { return holds_users(2, {"all-up", "one-down", "two-down"}); }, kConverge)) << logs();
}

}  // namespace
}  // namespace bib::test
