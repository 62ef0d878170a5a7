// A cluster with host.security = "curve" (bib-cluster up --secure): it serves as a plain one
// does, and a process without a key in its keys folder can do nothing to it. Every outcome is
// observed, never assumed: the connecting side's handshake result (a socket monitor), the
// refusal in the listening process's log, and what the cluster holds afterwards.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "bib/client.hpp"
#include "bib/codec.hpp"
#include "bib/curve_keys.hpp"
#include "bib/subscriber.hpp"
#include "support/cluster.hpp"
#include "support/handshake.hpp"
#include "support/wait.hpp"

namespace {

using namespace std::chrono_literals;
using bib::test::Handshake;
using bib::test::LocalCluster;
using bib::test::wait_until;

constexpr std::string_view kRefusal = "refused connection without a listed CURVE key";

// How many refusals a log reports (bib::RefusalLog): one per whole line, N per "N more of this
// kind" line (the others within an interval are only counted).
std::size_t refusals_in(const std::string& log) {
  std::size_t n = 0;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    const auto at = line.find(kRefusal);
    if (at == std::string::npos) continue;
    unsigned long more = 0;
    n += std::sscanf(line.c_str() + at + kRefusal.size(), ": %lu more of this kind", &more) == 1 ? more : 1;
  }
  return n;
}

class SecureCluster : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    bib::test::ClusterOptions options;
    options.servers = 2;
    options.secure = true;
    cluster_ = new LocalCluster(options);
    cluster_->up();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }

  static std::string keys() { return cluster_->workdir() + "/keys"; }
  static std::string public_key(const std::string& node) {
    return bib::read_curve_public_key(keys() + "/" + node + ".pub");
  }
  static std::string endpoint(int host, int port) {
    return "tcp://" + cluster_->base() + "." + std::to_string(host) + ":" + std::to_string(port);
  }

  // A request on a cluster port as the launcher's own listed key ("tools").
  static std::optional<bib::Envelope> ask_member(const std::string& endpoint, const std::string& node,
                                                 const std::string& service, bib::Value data = bib::Map{}) {
    bib::ClientOptions options;
    options.timeout = 1500ms;
    options.retries = 1;
    options.session = false;
    options.prepare = bib::curve_client_setup(keys() + "/" + node + ".pub", keys() + "/tools.key");
    bib::Client client(endpoint, options);
    auto reply = client.request(service, std::move(data));
    if (!reply) return std::nullopt;
    return reply.value();
  }
  static std::int64_t events_on(int server) {
    auto status = ask_member(endpoint(10 + server, 5561), "server-" + std::to_string(server), "status");
    return status ? status->data.opt_int("events").value_or(-1) : -1;
  }
  static std::string digest_on(int server) {
    auto status = ask_member(endpoint(10 + server, 5561), "server-" + std::to_string(server), "status");
    return status ? status->data.opt_string("digest").value_or("") : "";
  }

  static LocalCluster* cluster_;
  zmq::context_t zmq_;
};

LocalCluster* SecureCluster::cluster_ = nullptr;

TEST_F(SecureCluster, ServesClientsReplicatesAndDeliversPostsOverAuthenticatedLinks) {
  bib::Subscriber subscriber(cluster_->proxy_sub_endpoint());
  subscriber.subscribe("geral");
  bib::Client client(cluster_->broker_endpoint());
  ASSERT_EQ(client.request("login", bib::Map{{"user", "ana"}}).value().data.get_string("status"), "sucesso");
  ASSERT_EQ(client.request("channel", bib::Map{{"channel", "geral"}}).value().data.get_string("status"), "sucesso");

  // Posts until one arrives: the subscription reaches the proxy at its own pace.
  int posted = 0;
  std::optional<bib::Subscriber::Message> delivered;
  ASSERT_TRUE(wait_until([&] {
    auto reply = client.request("publish", bib::Map{{"user", "ana"}, {"channel", "geral"},
                                                    {"message", "sigiloso " + std::to_string(posted)}});
    if (reply && reply.value().data.get_string("status") == "OK") ++posted;
    delivered = subscriber.receive(100ms);
    return delivered.has_value();
  }, 15000ms));
  EXPECT_EQ(delivered->envelope.data.get_string("user"), "ana");

  auto history = client.request("history", bib::Map{{"channel", "geral"}, {"limit", 100}});
  ASSERT_TRUE(history) << history.error().message;
  const bib::Value* posts = history.value().data.find("posts");
  ASSERT_TRUE(posts != nullptr && posts->is_array()) << history.value().data.to_string();
  EXPECT_EQ(static_cast<int>(posts->as_array().size()), posted);

  // Both servers hold the same events: replication (5562) works over CURVE.
  ASSERT_TRUE(wait_until([&] { return events_on(1) >= posted && events_on(1) == events_on(2) &&
                                      digest_on(1) == digest_on(2); }, 15000ms))
      << "server-1 " << events_on(1) << " events, server-2 " << events_on(2);
}

struct Port {
  std::string what;
  std::string process;  // whose log shows the refusal
  std::string key_of;   // whose key the listening side proves itself with
  int host;             // within the cluster's /24
  int port;
  zmq::socket_type type = zmq::socket_type::dealer;  // what a member connects with
};

std::vector<Port> cluster_ports() {
  return {{"broker's server side", "broker", "broker", 2, 5556},
          {"proxy's publisher side", "proxy", "proxy", 3, 5557, zmq::socket_type::pub},
          {"reference", "reference", "reference", 1, 5560},
          {"server-1's direct port", "server-1", "server-1", 11, 5561},
          {"server-1's replication port", "server-1", "server-1", 11, 5562}};
}

TEST_F(SecureCluster, AStrangersKeyIsRefusedOnEveryClusterPortAndTheRefusalLogged) {
  std::map<std::string, std::size_t> expected;  // refusals each process must have logged
  std::vector<bib::test::HandshakeOutcome> kept;
  for (const Port& p : cluster_ports()) {
    const std::string server_key = public_key(p.key_of);
    const bib::CurveKeyPair stranger = bib::generate_curve_key_pair();
    auto outcome = bib::test::handshake(zmq_, p.type, endpoint(p.host, p.port),
                                        [&](zmq::socket_t& s) { bib::make_curve_client(s, stranger, server_key); },
                                        {"READY", "server-9", "1", "1"});
    EXPECT_EQ(outcome.result, Handshake::refused) << p.what << ": " << to_string(outcome.result);
    ++expected[p.process];
    kept.push_back(std::move(outcome));
  }
  // Within one interval a second refusal is only counted, and reported when the interval ends.
  for (const auto& [process, count] : expected) {
    EXPECT_TRUE(wait_until([&, &process = process, count = count] { return refusals_in(cluster_->log_of(process)) >= count; },
                           15000ms))
        << process << " reported " << refusals_in(cluster_->log_of(process)) << " of " << count << ":\n"
        << cluster_->log_of(process);
  }
}

TEST_F(SecureCluster, APlainSocketFailsTheHandshakeOnEveryClusterPort) {
  for (const Port& p : cluster_ports()) {
    auto outcome = bib::test::handshake(zmq_, p.type, endpoint(p.host, p.port), nullptr,
                                        {"READY", "server-9", "1", "1"});
    EXPECT_EQ(outcome.result, Handshake::failed) << p.what << ": " << to_string(outcome.result);
  }
}

TEST_F(SecureCluster, AListedKeyCompletesTheHandshakeOnEveryClusterPort) {
  // The control of the two tests above: the same handshake with a key the cluster lists.
  const bib::CurveKeyPair tools = bib::read_curve_secret_key(keys() + "/tools.key");
  for (const Port& p : cluster_ports()) {
    const std::string server_key = public_key(p.key_of);
    auto outcome = bib::test::handshake(zmq_, p.type, endpoint(p.host, p.port),
                                        [&](zmq::socket_t& s) { bib::make_curve_client(s, tools, server_key); });
    EXPECT_EQ(outcome.result, Handshake::succeeded) << p.what << ": " << to_string(outcome.result);
  }
}

TEST_F(SecureCluster, ANodeThatIsNotTheOneItConnectsToIsNotBelieved) {
  // A listed key, but the server's key is not the one a member expects (an impostor listening
  // in the broker's place): the client refuses the handshake itself, so nothing goes out.
  const bib::CurveKeyPair tools = bib::read_curve_secret_key(keys() + "/tools.key");
  const std::string wrong = public_key("proxy");
  auto outcome = bib::test::handshake(zmq_, zmq::socket_type::dealer, endpoint(2, 5556),
                                      [&](zmq::socket_t& s) { bib::make_curve_client(s, tools, wrong); });
  EXPECT_EQ(outcome.result, Handshake::failed) << to_string(outcome.result);
}

TEST_F(SecureCluster, AListedKeyCannotPushReplicationInAnotherMembersName) {
  // "tools" is listed (the launcher's probes), so its handshake succeeds; but a replicate that
  // claims to come from server-2 is refused: the ZAP handler named the sender "tools".
  const std::int64_t before = events_on(1);
  ASSERT_GE(before, 0);
  const bib::CurveKeyPair tools = bib::read_curve_secret_key(keys() + "/tools.key");
  const std::string forged = bib::encode_envelope(
      {"replicate", bib::Map{{"from", "server-2"}, {"events", bib::Array{}}}});
  auto outcome = bib::test::handshake(zmq_, zmq::socket_type::dealer, endpoint(11, 5562),
                                      [&](zmq::socket_t& s) { bib::make_curve_client(s, tools, public_key("server-1")); },
                                      {forged});
  ASSERT_EQ(outcome.result, Handshake::succeeded) << to_string(outcome.result);
  EXPECT_TRUE(wait_until([&] {
    return cluster_->log_of("server-1").find("refused replication message in another member's name: from key tools, "
                                             "claiming 'server-2'") != std::string::npos;
  }, 5000ms)) << cluster_->log_of("server-1");
  EXPECT_EQ(events_on(1), before);
}

TEST_F(SecureCluster, AListedKeyCannotSpeakOnTheDirectPortInAnotherMembersName) {
  // Elections and clock rounds on 5561 carry `from`: as "tools", an election in server-2's name
  // is refused before the coordination plugin sees it, and logged; tools's own requests (no
  // `from`) are served, and so is a `from` that is its own name.
  const std::string server_1 = endpoint(11, 5561);
  auto forged = ask_member(server_1, "server-1", "election", bib::Map{{"from", "server-2"}, {"rank", 2}});
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->data.get_string("status"), "erro") << forged->to_string();
  EXPECT_NE(forged->data.get_string("description").find("another member's name (from key tools, claiming 'server-2')"),
            std::string::npos)
      << forged->to_string();
  EXPECT_TRUE(wait_until([&] {
    return cluster_->log_of("server-1").find("request in another member's name: from key tools, claiming 'server-2'") !=
           std::string::npos;
  }, 5000ms)) << cluster_->log_of("server-1");
  auto clock = ask_member(server_1, "server-1", "clock");
  ASSERT_TRUE(clock);
  EXPECT_TRUE(clock->data.find("time") != nullptr) << clock->to_string();
  // Its own name passes this check and reaches the plugin, which takes elections from servers only.
  auto own = ask_member(server_1, "server-1", "election", bib::Map{{"from", "tools"}, {"rank", 9}});
  ASSERT_TRUE(own);
  EXPECT_EQ(own->data.get_string("description").find("another member's name"), std::string::npos) << own->to_string();
  // Members' own requests, signed with their own keys, still pass: both servers agree on a
  // coordinator (elected over 5561).
  EXPECT_TRUE(wait_until([&] {
    auto one = ask_member(server_1, "server-1", "status");
    auto two = ask_member(endpoint(12, 5561), "server-2", "status");
    const bib::Value* a = one ? one->data.find("coordinator") : nullptr;
    const bib::Value* b = two ? two->data.find("coordinator") : nullptr;
    return a != nullptr && b != nullptr && a->is_string() && *a == *b;
  }, 10000ms));
}

TEST_F(SecureCluster, NothingAStrangerSendsIsActedOn) {
  const std::int64_t before = events_on(1);
  ASSERT_GE(before, 0);
  const bib::CurveKeyPair stranger = bib::generate_curve_key_pair();
  // A READY to the broker, a post to the proxy, a replicate to server-1: each as a stranger
  // and as a plain socket.
  const std::vector<std::pair<Port, std::vector<std::string>>> attempts = {
      {{"broker", "broker", "broker", 2, 5556}, {"READY", "server-9", "1", "1"}},
      {{"proxy", "proxy", "proxy", 3, 5557, zmq::socket_type::pub}, {"geral", "forged"}},
      {{"replication", "server-1", "server-1", 11, 5562}, {"replicate"}}};
  std::vector<bib::test::HandshakeOutcome> kept;
  for (const auto& [p, frames] : attempts) {
    const std::string server_key = public_key(p.key_of);
    kept.push_back(bib::test::handshake(zmq_, p.type, endpoint(p.host, p.port),
                                        [&](zmq::socket_t& s) { bib::make_curve_client(s, stranger, server_key); },
                                        frames));
    EXPECT_EQ(kept.back().result, Handshake::refused) << p.what;
    kept.push_back(bib::test::handshake(zmq_, p.type, endpoint(p.host, p.port), nullptr, frames));
    EXPECT_EQ(kept.back().result, Handshake::failed) << p.what;
  }
  // The broker never took "server-9" as a worker; server-1 applied nothing new.
  bib::Client client(cluster_->broker_endpoint());
  auto workers = client.request("broker");
  ASSERT_TRUE(workers) << workers.error().message;
  EXPECT_EQ(workers.value().data.to_string().find("server-9"), std::string::npos) << workers.value().data.to_string();
  EXPECT_EQ(cluster_->log_of("broker").find("server-9"), std::string::npos);
  EXPECT_EQ(events_on(1), before);
}

}  // namespace
