// bib::Client: Lazy Pirate request-reply against an in-test ROUTER.
#include "bib/client.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>

#include "fake_router.hpp"
#include "support/loopback.hpp"
#include "support/wait.hpp"

namespace bib::test {
namespace {

using namespace std::chrono_literals;

ClientOptions quick(int retries = 3, std::chrono::milliseconds timeout = 300ms) {
  ClientOptions options;
  options.timeout = timeout;
  options.retries = retries;
  return options;
}

class ClientTest : public ::testing::Test {
 protected:
  LoopbackBlock block;
  std::string endpoint = block.endpoint(1, 5555);
};

TEST_F(ClientTest, RequestGetsTheReply) {
  FakeRouter server(endpoint, {});
  Client client(endpoint, quick());
  auto reply = client.request("ping", Map{{"user", "ana"}});
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply.value().service, "ping");
  EXPECT_EQ(reply.value().data.get_string("status"), "OK");
  EXPECT_EQ(reply.value().data.get_map("echo").at("user").as_string(), "ana");
  EXPECT_EQ(server.count(), 1u);
}

TEST_F(ClientTest, RetriesUnansweredRequestsWithTheSameRequestId) {
  FakeRouter server(endpoint, {.drop_first = 2});
  Client client(endpoint, quick(3, 200ms));
  auto reply = client.request("login", Map{{"user", "ana"}});
  ASSERT_TRUE(reply) << reply.error().message;
  const auto requests = server.received();
  ASSERT_EQ(requests.size(), 3u);
  const std::string id = requests[0].data.get_string("request_id");
  EXPECT_FALSE(id.empty());
  for (const auto& r : requests) EXPECT_EQ(r.data.get_string("request_id"), id);
  EXPECT_EQ(reply.value().data.get_map("echo").at("request_id").as_string(), id);
}

TEST_F(ClientTest, GivesUpAfterEveryTryWithinTheBound) {
  FakeRouter server(endpoint, {.silent = true});
  Client client(endpoint, quick(3, 150ms));
  const auto start = std::chrono::steady_clock::now();
  auto reply = client.request("ping");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().message, "no reply from " + endpoint + " after 3 tries");
  // Every try waited its timeout (a lower bound: the waits happened), and then it stopped:
  // exactly the three tries reached the server, none after giving up.
  EXPECT_GE(elapsed, 450ms);
  EXPECT_TRUE(wait_until([&] { return server.count() >= 3; }, 10000ms));
  EXPECT_EQ(server.count(), 3u);
}

TEST_F(ClientTest, GivesUpWhenNothingListens) {
  Client client(endpoint, quick(2, 100ms));
  auto reply = client.request("ping");
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().message, "no reply from " + endpoint + " after 2 tries");
}

TEST_F(ClientTest, ReconnectsWhenTheServerRestartsOnTheSameEndpoint) {
  auto server = std::make_unique<FakeRouter>(endpoint, FakeRouter::Behaviour{.silent = true});
  Client client(endpoint, quick(10, 300ms));
  // The client waits on a hung server; the server is replaced while the request is pending.
  auto pending = std::async(std::launch::async, [&] { return client.request("login", Map{{"user", "ana"}}); });
  ASSERT_TRUE(wait_until([&] { return server->count() >= 1; }, 5000ms));
  const std::string id = server->received()[0].data.get_string("request_id");
  server.reset();
  server = std::make_unique<FakeRouter>(endpoint, FakeRouter::Behaviour{});
  auto reply = pending.get();
  ASSERT_TRUE(reply) << reply.error().message;
  EXPECT_EQ(reply.value().data.get_map("echo").at("request_id").as_string(), id);

  // And the next request goes straight through.
  auto next = client.request("ping");
  ASSERT_TRUE(next) << next.error().message;
}

TEST_F(ClientTest, StampsTimestampClockAndRequestId) {
  FakeRouter server(endpoint, {});
  Client client(endpoint, quick());
  const double before = PhysicalClock::system_now();
  ASSERT_TRUE(client.request("ping"));
  ASSERT_TRUE(client.request("ping", Map{{"request_id", "mine-1"}}));
  const double after = PhysicalClock::system_now();
  const auto requests = server.received();
  ASSERT_EQ(requests.size(), 2u);
  const Value& first = requests[0].data;
  EXPECT_GE(first.get_double("timestamp"), before);
  EXPECT_LE(first.get_double("timestamp"), after);
  EXPECT_EQ(first.get_int("clock"), 1);
  EXPECT_GT(requests[1].data.get_int("clock"), first.get_int("clock"));
  // A fresh id per logical request; an id the caller gave is kept.
  EXPECT_FALSE(first.get_string("request_id").empty());
  EXPECT_EQ(requests[1].data.get_string("request_id"), "mine-1");
}

TEST_F(ClientTest, LogicalRequestsGetDistinctIds) {
  FakeRouter server(endpoint, {});
  Client client(endpoint, quick());
  Client other(endpoint, quick());
  ASSERT_TRUE(client.request("ping"));
  ASSERT_TRUE(client.request("ping"));
  ASSERT_TRUE(other.request("ping"));
  const auto requests = server.received();
  ASSERT_EQ(requests.size(), 3u);
  const auto id = [&](int i) { return requests[i].data.get_string("request_id"); };
  EXPECT_NE(id(0), id(1));
  EXPECT_NE(id(0), id(2));
  EXPECT_NE(id(1), id(2));
}

TEST_F(ClientTest, ObservesTheReplyLamportClock) {
  FakeRouter server(endpoint, {.reply = [](const Envelope& request) {
                                 return encode_envelope(Envelope{request.service, Map{{"status", "OK"}, {"clock", 100}}});
                               }});
  Client client(endpoint, quick());
  ASSERT_TRUE(client.request("ping"));
  EXPECT_EQ(client.lamport().value(), 101u);
  ASSERT_TRUE(client.request("ping"));
  const auto requests = server.received();
  EXPECT_EQ(requests[1].data.get_int("clock"), 102);  // the next send ticks past what it saw
}

TEST_F(ClientTest, AResumedSessionIsSentAsAfterAndGrowsWithWhatRepliesSaw) {
  FakeRouter server(endpoint, {.reply = [](const Envelope& request) {
                                 Map seen{{"server-1", 5}};
                                 return encode_envelope(Envelope{request.service, Map{{"status", "OK"}, {"seen", seen}}});
                               }});
  Client client(endpoint, quick());
  client.resume({{"server-1", 3}, {"server-2", 7}});
  ASSERT_TRUE(client.request("users"));
  EXPECT_EQ(version_vector_from_value(server.received()[0].data.at("after"), "after"),
            (VersionVector{{"server-1", 3}, {"server-2", 7}}));
  EXPECT_EQ(client.session(), (VersionVector{{"server-1", 5}, {"server-2", 7}}));
  client.resume({{"server-2", 2}, {"server-3", 1}});  // never lowers what the client saw
  EXPECT_EQ(client.session(), (VersionVector{{"server-1", 5}, {"server-2", 7}, {"server-3", 1}}));
}

TEST_F(ClientTest, UndecodableReplyIsAnError) {
  FakeRouter server(endpoint, {.reply = [](const Envelope&) { return std::string("\xc1 not msgpack"); }});
  Client client(endpoint, quick());
  auto reply = client.request("ping");
  ASSERT_FALSE(reply);
  EXPECT_NE(reply.error().message.find("undecodable reply from " + endpoint), std::string::npos)
      << reply.error().message;
}

TEST_F(ClientTest, DataMustBeAMap) {
  Client client(endpoint, quick(1, 50ms));
  auto reply = client.request("ping", Value(Array{1, 2}));
  ASSERT_FALSE(reply);
  EXPECT_NE(reply.error().message.find("must be a map"), std::string::npos) << reply.error().message;
}

}  // namespace
}  // namespace bib::test
