// The broker with real processes: load sharing, eviction of dead and hung servers, requests
// resent from a dead server with the id the broker gave them, the `erro` when nobody serves,
// and recovery after a broker restart. Addresses come from a private loopback block.
#include <signal.h>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <zmq_addon.hpp>

#include "bib/client.hpp"
#include "broker_cluster.hpp"
#include "support/wait.hpp"

using namespace std::chrono_literals;

namespace bib::test {
namespace {

using Clock = std::chrono::steady_clock;

// How long a test waits for something that must happen. Not a measure of speed: these tests
// run under sanitizers with ctest -j, so they check what happened and in which order, never
// how quickly (only lower bounds, which prove that a wait took place).
constexpr auto kPatience = 30s;

std::chrono::milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class BrokerProcessTest : public ::testing::Test {
 protected:
  BrokerProcessTest() : cluster_("broker") {}

  void start(int servers) {
    cluster_.start_broker();
    for (int n = 1; n <= servers; ++n) cluster_.start_server(n);
    ASSERT_TRUE(cluster_.wait_live(servers, 20s)) << cluster_.logs();
  }

  std::optional<Envelope> ping(std::chrono::milliseconds timeout = 10s) {
    return call(cluster_.zmq(), cluster_.frontend(), "ping", Map{}, timeout);
  }

  BrokerCluster cluster_;
};

// A DEALER client that can see whether a second reply ever comes.
class DealerClient {
 public:
  DealerClient(zmq::context_t& zmq, const std::string& endpoint)
      : socket_(zmq, zmq::socket_type::dealer) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.connect(endpoint);
  }
  void send(const std::string& service, Value data) {
    const std::string body = encode_envelope({service, std::move(data)});
    std::array<zmq::const_buffer, 2> frames{zmq::buffer(std::string_view()), zmq::buffer(body)};
    zmq::send_multipart(socket_, frames);
  }
  // The next reply within timeout, or nullopt.
  std::optional<Envelope> receive(std::chrono::milliseconds timeout) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) == 0) return std::nullopt;
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(socket_, std::back_inserter(frames))) return std::nullopt;
    auto decoded = decode_envelope(frames.back().to_string_view());
    if (!decoded) return std::nullopt;
    return std::move(decoded).value();
  }

 private:
  zmq::socket_t socket_;
};

// "server-2 broker-1a2b3c4d-7\n" as written by fixture-slow, once it is complete.
std::optional<std::pair<std::string, std::string>> read_holder(const std::string& path) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.empty() || text.back() != '\n') return std::nullopt;
  std::istringstream fields(text);
  std::string node, id;
  fields >> node >> id;
  return std::make_pair(node, id);
}

int server_number(const std::string& node) { return std::stoi(node.substr(node.find('-') + 1)); }

TEST_F(BrokerProcessTest, RequestReachesAServerAndComesBack) {
  start(1);
  auto reply = ping();
  ASSERT_TRUE(reply) << cluster_.logs();
  EXPECT_EQ(reply->service, "ping");
  EXPECT_EQ(reply->data.get_string("status"), "OK");
  EXPECT_EQ(reply->data.get_string("node"), "server-1");
  auto view = cluster_.view();
  ASSERT_TRUE(view);
  EXPECT_EQ(view->requests, 1);
  EXPECT_EQ(view->replies, 1);
  EXPECT_EQ(view->pending, 0);
  const std::string log = cluster_.broker().log();
  EXPECT_TRUE(contains(log, "server-1 joined")) << log;
  EXPECT_TRUE(contains(log, "send server-1 REQUEST")) << log;
}

TEST_F(BrokerProcessTest, ThreeServersShareTheLoad) {
  start(3);
  std::set<std::string> nodes;
  for (int i = 0; i < 30; ++i) {
    auto reply = ping();
    ASSERT_TRUE(reply) << cluster_.logs();
    nodes.insert(reply->data.get_string("node"));
  }
  EXPECT_EQ(nodes, (std::set<std::string>{"server-1", "server-2", "server-3"}));
}

TEST_F(BrokerProcessTest, BrokerTagsRequestsWithAnIdAndKeepsTheClientsOwn) {
  start(1);
  auto tagged = call(cluster_.zmq(), cluster_.frontend(), "slow", Map{});
  ASSERT_TRUE(tagged) << cluster_.logs();
  EXPECT_EQ(tagged->data.get_string("request_id").rfind("broker-", 0), 0u)
      << tagged->data.to_string();
  auto own = call(cluster_.zmq(), cluster_.frontend(), "slow", Map{{"request_id", "mine-1"}});
  ASSERT_TRUE(own);
  EXPECT_EQ(own->data.get_string("request_id"), "mine-1");
}

TEST_F(BrokerProcessTest, MalformedRequestsGetErroFromTheBroker) {
  start(1);
  auto garbage = call_raw(cluster_.zmq(), cluster_.frontend(), "\xc1 not msgpack", 10s);
  ASSERT_TRUE(garbage);
  auto decoded = decode_envelope(*garbage);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded.value().service, "error");
  EXPECT_EQ(decoded.value().data.get_string("status"), "erro");
  EXPECT_TRUE(decoded.value().data.contains("clock"));

  auto bad_id = call(cluster_.zmq(), cluster_.frontend(), "ping", Map{{"request_id", 7}});
  ASSERT_TRUE(bad_id);
  EXPECT_EQ(bad_id->service, "ping");
  EXPECT_EQ(bad_id->data.get_string("status"), "erro");
  EXPECT_TRUE(contains(bad_id->data.get_string("description"), "request_id"));
  EXPECT_TRUE(ping()) << "the broker goes on serving";
}

TEST_F(BrokerProcessTest, WithoutServersTheClientGetsErroAfterHold) {
  cluster_.start_broker();
  const auto start = Clock::now();
  auto reply = ping();
  const auto waited = since(start);
  ASSERT_TRUE(reply) << cluster_.logs();
  EXPECT_EQ(reply->service, "ping");
  EXPECT_EQ(reply->data.get_string("status"), "erro");
  EXPECT_TRUE(contains(reply->data.get_string("description"), "no server available"))
      << reply->data.to_string();
  EXPECT_TRUE(reply->data.contains("timestamp"));
  EXPECT_TRUE(reply->data.contains("clock"));
  // Held for kHold first, not refused at once.
  EXPECT_GE(waited, kHold - 100ms);
}

TEST_F(BrokerProcessTest, KilledServerLosesNoRequestOfPlainReqClients) {
  start(3);
  constexpr int kClients = 4;
  constexpr int kEach = 25;
  std::atomic<int> answered{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      // One REQ socket, no retries: a lost request would leave it waiting for good.
      zmq::socket_t socket(cluster_.zmq(), zmq::socket_type::req);
      socket.set(zmq::sockopt::linger, 0);
      socket.set(zmq::sockopt::rcvtimeo, static_cast<int>(std::chrono::milliseconds(kPatience).count()));
      socket.connect(cluster_.frontend());
      for (int i = 0; i < kEach; ++i) {
        socket.send(zmq::buffer(encode_envelope({"ping", Map{}})), zmq::send_flags::none);
        zmq::message_t reply;
        auto decoded = socket.recv(reply) ? decode_envelope(reply.to_string_view())
                                          : Result<Envelope>(Error{"timeout"});
        if (!decoded || decoded.value().data.opt_string("status") != "OK") {
          ++failed;
          return;
        }
        ++answered;
      }
    });
  }
  ASSERT_TRUE(wait_until([&] { return answered >= 20 || failed > 0; }, 20s));
  cluster_.server(2).signal(SIGKILL);
  for (auto& t : clients) t.join();
  EXPECT_EQ(failed, 0) << cluster_.logs();
  EXPECT_EQ(answered, kClients * kEach);
  ASSERT_TRUE(cluster_.wait_worker("server-2", false, kPatience)) << cluster_.logs();
  EXPECT_TRUE(contains(cluster_.broker().log(), "server-2 evicted")) << cluster_.broker().log();
}

TEST_F(BrokerProcessTest, RequestHeldByAKilledServerIsAnsweredOnceWithTheSameId) {
  start(3);
  const std::string hold_file = cluster_.dir() + "/held";
  DealerClient client(cluster_.zmq(), cluster_.frontend());
  client.send("slow", Map{{"hold_file", hold_file}, {"hold_ms", 20000}});
  std::optional<std::pair<std::string, std::string>> holder;
  ASSERT_TRUE(wait_until([&] { return (holder = read_holder(hold_file)).has_value(); }, 10s))
      << cluster_.logs();
  const auto& [node, id] = *holder;
  EXPECT_EQ(id.rfind("broker-", 0), 0u) << id;

  cluster_.server(server_number(node)).signal(SIGKILL);
  // The held copy can never be answered (the holder is dead and holds for 20 s anyway): a reply
  // at all means the broker evicted the holder and sent the request again.
  auto reply = client.receive(kPatience);
  ASSERT_TRUE(reply) << cluster_.logs();
  EXPECT_EQ(reply->data.get_string("status"), "OK");
  EXPECT_NE(reply->data.get_string("node"), node);
  EXPECT_FALSE(reply->data.get_bool("held"));
  EXPECT_EQ(reply->data.get_string("request_id"), id) << "the copy sent again carries the same id";
  EXPECT_FALSE(client.receive(500ms)) << "exactly one reply";
  auto view = cluster_.view();
  ASSERT_TRUE(view);
  EXPECT_FALSE(view->is_live(node));
  EXPECT_GE(view->resent, 1);
}

TEST_F(BrokerProcessTest, RequestHeldByAStoppedServerIsAnsweredOnceAndItsLateReplyDropped) {
  start(3);
  const std::string hold_file = cluster_.dir() + "/held";
  DealerClient client(cluster_.zmq(), cluster_.frontend());
  client.send("slow", Map{{"hold_file", hold_file}, {"hold_ms", 1500}});
  std::optional<std::pair<std::string, std::string>> holder;
  ASSERT_TRUE(wait_until([&] { return (holder = read_holder(hold_file)).has_value(); }, 10s))
      << cluster_.logs();
  const auto& [node, id] = *holder;
  Process& stalled = cluster_.server(server_number(node));

  stalled.signal(SIGSTOP);
  // The stalled holder cannot answer before SIGCONT: this reply is the resent copy's.
  auto reply = client.receive(kPatience);
  ASSERT_TRUE(reply) << cluster_.logs();
  EXPECT_NE(reply->data.get_string("node"), node);
  EXPECT_EQ(reply->data.get_string("request_id"), id);

  // Woken up, it finishes the request and answers: too late, the broker drops that reply,
  // tells it to register again, and it rejoins.
  stalled.signal(SIGCONT);
  const std::string dropped = "dropped reply " + id;  // a local: clang 14 lambdas cannot name a binding
  ASSERT_TRUE(wait_until([&] { return contains(cluster_.broker().log(), dropped); }, 10s))
      << cluster_.logs();
  ASSERT_TRUE(cluster_.wait_worker(node, true, 10s)) << cluster_.logs();
  EXPECT_FALSE(client.receive(300ms)) << "exactly one reply";
}

TEST_F(BrokerProcessTest, StoppedServerIsEvictedOthersServeAndItRejoinsAfterContinue) {
  start(3);
  cluster_.server(3).signal(SIGSTOP);
  ASSERT_TRUE(cluster_.wait_worker("server-3", false, kPatience)) << cluster_.logs();
  EXPECT_TRUE(contains(cluster_.broker().log(), "server-3 evicted"));

  for (int i = 0; i < 20; ++i) {
    auto reply = ping(5s);
    ASSERT_TRUE(reply) << cluster_.logs();
    EXPECT_EQ(reply->data.get_string("status"), "OK");
    EXPECT_NE(reply->data.get_string("node"), "server-3");
  }

  cluster_.server(3).signal(SIGCONT);
  ASSERT_TRUE(cluster_.wait_live(3, 10s)) << cluster_.logs();
  EXPECT_TRUE(contains(cluster_.broker().log(), "server-3 rejoined"));
  std::set<std::string> nodes;
  for (int i = 0; i < 6; ++i) {
    auto reply = ping(5s);
    ASSERT_TRUE(reply);
    nodes.insert(reply->data.get_string("node"));
  }
  EXPECT_TRUE(nodes.count("server-3")) << "it serves again";
}

TEST_F(BrokerProcessTest, ServersReRegisterWithARestartedBrokerAndClientsRecover) {
  start(3);
  ClientOptions options;
  options.timeout = 1000ms;
  options.retries = 5;
  Client lazy_pirate(cluster_.frontend(), options);
  ASSERT_TRUE(lazy_pirate.request("ping"));

  cluster_.stop_broker();
  cluster_.start_broker();
  ASSERT_TRUE(cluster_.wait_live(3, 15s)) << cluster_.logs();
  auto fresh = ping();
  ASSERT_TRUE(fresh) << cluster_.logs();
  EXPECT_EQ(fresh->data.get_string("status"), "OK");
  auto retried = lazy_pirate.request("ping");
  ASSERT_TRUE(retried) << retried.error().message;
  EXPECT_EQ(retried.value().data.get_string("status"), "OK");
}

TEST_F(BrokerProcessTest, ServersReRegisterWithABrokerThatWasKilled) {
  start(3);
  cluster_.broker().signal(SIGKILL);
  ASSERT_NE(cluster_.broker().wait_exit(5s), -1);
  cluster_.start_broker();  // the new broker has never heard of them: it tells them to READY
  ASSERT_TRUE(cluster_.wait_live(3, 15s)) << cluster_.logs();
  auto reply = ping();
  ASSERT_TRUE(reply) << cluster_.logs();
  EXPECT_EQ(reply->data.get_string("status"), "OK");
}

}  // namespace
}  // namespace bib::test
