// host.client_security = "curve" (bib-cluster up --secure-clients): the broker's 5555 and the
// proxy's 5558 speak CURVE with the broker's and the proxy's keys. Any client key is accepted
// (encryption only: the course protocol authenticates no client); a plain socket gets nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "bib/client.hpp"
#include "bib/curve_keys.hpp"
#include "bib/subscriber.hpp"
#include "support/cluster.hpp"
#include "support/handshake.hpp"
#include "support/process.hpp"
#include "support/wait.hpp"

namespace {

using namespace std::chrono_literals;
using bib::test::Handshake;
using bib::test::LocalCluster;
using bib::test::wait_until;

class SecureClientPorts : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    bib::test::ClusterOptions options;
    options.servers = 1;
    options.secure_clients = true;
    cluster_ = new LocalCluster(options);
    cluster_->up();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }

  static std::string public_key(const std::string& node) {
    return bib::read_curve_public_key(cluster_->workdir() + "/keys/" + node + ".pub");
  }
  // A client's setup: a fresh key pair of its own, the server's published key.
  static bib::SocketSetup as_client_of(const std::string& node) {
    return bib::curve_client_setup(bib::generate_curve_key_pair(), public_key(node));
  }

  static LocalCluster* cluster_;
  zmq::context_t zmq_;
};

LocalCluster* SecureClientPorts::cluster_ = nullptr;

TEST_F(SecureClientPorts, AClientWithAnyKeyIsServedAndItsSubscriberGetsThePost) {
  bib::SubscriberOptions sub_options;
  sub_options.prepare = as_client_of("proxy");
  bib::Subscriber subscriber(cluster_->proxy_sub_endpoint(), sub_options);
  subscriber.subscribe("geral");
  bib::ClientOptions options;
  options.prepare = as_client_of("broker");
  bib::Client client(cluster_->broker_endpoint(), options);
  auto login = client.request("login", bib::Map{{"user", "ana"}});
  ASSERT_TRUE(login) << login.error().message;
  EXPECT_EQ(login.value().data.get_string("status"), "sucesso");
  ASSERT_TRUE(client.request("channel", bib::Map{{"channel", "geral"}}));

  std::optional<bib::Subscriber::Message> delivered;
  ASSERT_TRUE(wait_until([&] {
    client.request("publish", bib::Map{{"user", "ana"}, {"channel", "geral"}, {"message", "cifrado"}});
    delivered = subscriber.receive(100ms);
    return delivered.has_value();
  }, 15000ms));
  EXPECT_EQ(delivered->envelope.data.get_string("message"), "cifrado");
}

TEST_F(SecureClientPorts, TheBibClientSpeaksCurveWithThePublishedKeysAndNotWithout) {
  const std::string keys = cluster_->workdir() + "/keys/";
  const std::string dir = bib::test::make_temp_dir("bib-curve-client");
  auto run = [&](const std::string& name, std::vector<std::string> extra) {
    std::vector<std::string> argv = {bib::test::bin_path("bib"), "--broker", cluster_->broker_endpoint(),
                                     "--proxy", cluster_->proxy_sub_endpoint(), "--timeout-ms", "1500",
                                     "--retries", "1", "-q"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.insert(argv.end(), {"login", "ana"});
    bib::test::Process bib(argv, dir + "/" + name + ".log");
    const int code = bib.wait_exit(15000ms);
    return std::pair{code, bib.log()};
  };
  const auto [with_keys, with_keys_log] =
      run("keys", {"--broker-key", keys + "broker.pub", "--proxy-key", keys + "proxy.pub"});
  EXPECT_EQ(with_keys, 0) << with_keys_log;
  EXPECT_NE(with_keys_log.find("logged in as ana"), std::string::npos) << with_keys_log;
  const auto [plain, plain_log] = run("plain", {});
  EXPECT_NE(plain, 0) << plain_log;
  EXPECT_NE(plain_log.find("no reply"), std::string::npos) << plain_log;
}

TEST_F(SecureClientPorts, APlainClientGetsNoConnection) {
  auto broker = bib::test::handshake(zmq_, zmq::socket_type::dealer, cluster_->broker_endpoint(), nullptr);
  EXPECT_EQ(broker.result, Handshake::failed) << to_string(broker.result);
  auto proxy = bib::test::handshake(zmq_, zmq::socket_type::sub, cluster_->proxy_sub_endpoint(), nullptr);
  EXPECT_EQ(proxy.result, Handshake::failed) << to_string(proxy.result);
}

TEST_F(SecureClientPorts, AClientIsNotLetOntoAClusterPortByItsKey) {
  // Any key opens the client ports, none of the cluster's: 5556 still wants a listed key.
  const std::string backend = "tcp://" + cluster_->base() + ".2:5556";
  auto outcome = bib::test::handshake(zmq_, zmq::socket_type::dealer, backend, as_client_of("broker"));
  EXPECT_EQ(outcome.result, Handshake::refused) << to_string(outcome.result);
}

}  // namespace
