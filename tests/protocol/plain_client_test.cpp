// Interoperability: a client written only from the wire protocol (docs/protocol.md,
// docs/services.md), with none of our SDK: a plain ZeroMQ REQ socket, MessagePack bytes written
// by hand, replies read with msgpack-cxx's generic object API. It talks to the broker frontend
// of a real one-server cluster, as a course client would, and subscribes at the proxy with a
// plain SUB socket.
#include <gtest/gtest.h>

#include <bit>
#include <chrono>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <msgpack.hpp>
#include <zmq.hpp>

#include "support/cluster.hpp"
#include "support/plain_client.hpp"
#include "support/wait.hpp"

namespace bib::test {
namespace {

using namespace plain;

using namespace std::chrono_literals;

// Every reply data carries the server's physical and logical time.
void expect_stamps(const Reply& r) {
  EXPECT_TRUE(is_float(r.get("timestamp"))) << r.dump();
  EXPECT_TRUE(unsigned_int(r.get("clock")).has_value()) << r.dump();
}

class PlainClientTest : public ::testing::Test {
 protected:
  void SetUp() override { cluster.up(); }
  LocalCluster cluster;  // one server: every write and read meets the same state
};

TEST_F(PlainClientTest, EveryServiceAnswersInTheOriginalShape) {
  PlainClient client(cluster.broker_endpoint());

  Reply login = client.ask(stamped("login", {{"user", std::string("ana")}}, 1000));
  EXPECT_EQ(login.service, "login");
  EXPECT_EQ(login.status(), "sucesso") << login.dump();
  expect_stamps(login);
  // The server observed our Lamport clock: its reply comes after it.
  EXPECT_GT(unsigned_int(login.get("clock")).value_or(0), 1000u) << login.dump();

  // Without timestamp and clock the request is served the same, and the reply is stamped.
  Reply bare = client.ask(envelope("login", {{"user", std::string("bia")}}));
  EXPECT_EQ(bare.status(), "sucesso") << bare.dump();
  expect_stamps(bare);
  Reply bare_users = client.ask(envelope("users", {}));
  expect_stamps(bare_users);

  Reply users = client.call("users");
  EXPECT_EQ(users.service, "users");
  EXPECT_EQ(texts(users.get("users")), (std::vector<std::string>{"ana", "bia"})) << users.dump();
  expect_stamps(users);

  Reply channel = client.call("channel", {{"channel", std::string("geral")}});
  EXPECT_EQ(channel.status(), "sucesso") << channel.dump();
  expect_stamps(channel);
  Reply twice = client.call("channel", {{"channel", std::string("geral")}});
  EXPECT_EQ(twice.status(), "erro") << twice.dump();
  EXPECT_EQ(twice.str("description"), "channel 'geral' already exists") << twice.dump();
  expect_stamps(twice);

  Reply channels = client.call("channels");
  EXPECT_EQ(texts(channels.get("channels")), std::vector<std::string>{"geral"}) << channels.dump();
  expect_stamps(channels);

  Reply post = client.call("publish", {{"user", std::string("ana")}, {"channel", std::string("geral")},
                                       {"message", std::string("oi")}});
  EXPECT_EQ(post.service, "publish");
  EXPECT_EQ(post.status(), "OK") << post.dump();
  expect_stamps(post);
  Reply second = client.call("publish", {{"user", std::string("bia")}, {"channel", std::string("geral")},
                                         {"message", std::string("olá, tudo bem?")}});
  EXPECT_EQ(second.status(), "OK") << second.dump();
  Reply stranger = client.call("publish", {{"user", std::string("zeca")}, {"channel", std::string("geral")},
                                           {"message", std::string("oi")}});
  EXPECT_EQ(stranger.status(), "erro") << stranger.dump();
  EXPECT_EQ(stranger.str("message"), "unknown user 'zeca'") << stranger.dump();
  expect_stamps(stranger);

  Reply pm = client.call("message", {{"src", std::string("ana")}, {"dst", std::string("bia")},
                                     {"message", std::string("só pra você")}});
  EXPECT_EQ(pm.service, "message");
  EXPECT_EQ(pm.status(), "OK") << pm.dump();
  expect_stamps(pm);
  Reply nobody = client.call("message", {{"src", std::string("ana")}, {"dst", std::string("ninguem")},
                                         {"message", std::string("oi")}});
  EXPECT_EQ(nobody.status(), "erro") << nobody.dump();
  EXPECT_EQ(nobody.str("message"), "unknown user 'ninguem'") << nobody.dump();

  Reply history = client.call("history", {{"channel", std::string("geral")}});
  EXPECT_EQ(history.service, "history");
  expect_stamps(history);
  const auto posts = items(history.get("posts"));
  ASSERT_EQ(posts.size(), 2u) << history.dump();
  EXPECT_EQ(history.get("next"), nullptr) << "no older posts remain: " << history.dump();
  const std::vector<std::pair<std::string, std::string>> expected_posts = {{"ana", "oi"}, {"bia", "olá, tudo bem?"}};
  std::uint64_t previous_clock = 0;
  for (std::size_t i = 0; i < posts.size(); ++i) {
    const msgpack::object& p = *posts[i];
    EXPECT_EQ(text(field(p, "user")), expected_posts[i].first) << history.dump();
    EXPECT_EQ(text(field(p, "channel")), "geral") << history.dump();
    EXPECT_EQ(text(field(p, "message")), expected_posts[i].second) << history.dump();
    EXPECT_EQ(text(field(p, "origin")), "server-1") << history.dump();
    EXPECT_TRUE(unsigned_int(field(p, "seq")).has_value()) << history.dump();
    EXPECT_TRUE(is_float(field(p, "timestamp"))) << history.dump();
    const auto clock = unsigned_int(field(p, "clock"));
    ASSERT_TRUE(clock.has_value()) << history.dump();
    EXPECT_GT(*clock, previous_clock) << "oldest first: " << history.dump();
    previous_clock = *clock;
  }

  // Paging: the newest post, then the rest from the cursor.
  Reply newest = client.call("history", {{"channel", std::string("geral")}, {"limit", std::uint64_t{1}}});
  ASSERT_EQ(items(newest.get("posts")).size(), 1u) << newest.dump();
  EXPECT_EQ(text(field(*items(newest.get("posts"))[0], "user")), "bia") << newest.dump();
  const auto cursor = text(newest.get("next"));
  ASSERT_TRUE(cursor.has_value()) << newest.dump();
  Reply older = client.call("history", {{"channel", std::string("geral")}, {"before", *cursor}});
  ASSERT_EQ(items(older.get("posts")).size(), 1u) << older.dump();
  EXPECT_EQ(text(field(*items(older.get("posts"))[0], "user")), "ana") << older.dump();
  EXPECT_EQ(older.get("next"), nullptr) << older.dump();

  // The private message is in the inbox of both ends.
  for (const std::string user : {"bia", "ana"}) {
    SCOPED_TRACE("inbox of " + user);
    Reply inbox = client.call("inbox", {{"user", user}});
    EXPECT_EQ(inbox.service, "inbox");
    expect_stamps(inbox);
    const auto messages = items(inbox.get("messages"));
    ASSERT_EQ(messages.size(), 1u) << inbox.dump();
    const msgpack::object& m = *messages[0];
    EXPECT_EQ(text(field(m, "src")), "ana") << inbox.dump();
    EXPECT_EQ(text(field(m, "dst")), "bia") << inbox.dump();
    EXPECT_EQ(text(field(m, "message")), "só pra você") << inbox.dump();
    EXPECT_TRUE(is_float(field(m, "timestamp"))) << inbox.dump();
    EXPECT_TRUE(unsigned_int(field(m, "clock")).has_value()) << inbox.dump();
  }

  Reply unknown = client.call("history", {{"channel", std::string("nada")}});
  EXPECT_EQ(unknown.status(), "erro") << unknown.dump();
  EXPECT_EQ(unknown.str("message"), "unknown channel 'nada'") << unknown.dump();
}

// A plain SUB socket at the proxy gets [topic][MessagePack] with the topic compared exactly.
TEST_F(PlainClientTest, PlainSubscriberReceivesThePostAndThePrivateMessage) {
  PlainClient client(cluster.broker_endpoint());
  ASSERT_EQ(client.call("login", {{"user", std::string("ana")}}).status(), "sucesso");
  ASSERT_EQ(client.call("login", {{"user", std::string("bia")}}).status(), "sucesso");
  ASSERT_EQ(client.call("channel", {{"channel", std::string("geral")}}).status(), "sucesso");

  zmq::context_t zmq;
  zmq::socket_t sub(zmq, zmq::socket_type::sub);
  sub.set(zmq::sockopt::linger, 0);
  sub.set(zmq::sockopt::subscribe, "geral");
  sub.set(zmq::sockopt::subscribe, "bia");
  sub.connect(cluster.proxy_sub_endpoint());

  // Until the subscription has reached the proxy, posts are not forwarded (ZeroMQ's slow
  // joiner): write until one arrives, then check what arrived.
  struct Delivery {
    std::string topic;
    msgpack::object_handle payload;
  };
  // The next delivery on `topic` within `timeout` (others are skipped).
  auto receive = [&](const std::string& topic, std::chrono::milliseconds timeout) -> std::optional<Delivery> {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return std::nullopt;
      sub.set(zmq::sockopt::rcvtimeo, static_cast<int>(left.count()));
      zmq::message_t t, body;
      if (!sub.recv(t)) return std::nullopt;
      EXPECT_TRUE(t.more()) << "a delivery is two frames";
      if (!sub.recv(body)) return std::nullopt;
      if (t.to_string() == topic)
        return Delivery{t.to_string(), msgpack::unpack(static_cast<const char*>(body.data()), body.size())};
    }
  };

  int sent = 0;
  std::optional<Delivery> post;
  ASSERT_TRUE(wait_until(
      [&] {
        const std::string text = "post " + std::to_string(++sent);
        EXPECT_EQ(client.call("publish", {{"user", std::string("ana")}, {"channel", std::string("geral")},
                                          {"message", text}}).status(), "OK");
        post = receive("geral", 300ms);
        return post.has_value();
      },
      15000ms, 0ms))
      << "no post reached a subscriber of 'geral'";
  const msgpack::object& p = post->payload.get();
  EXPECT_EQ(text(field(p, "service")), "publish");
  const msgpack::object* data = field(p, "data");
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(text(field(*data, "user")), "ana");
  EXPECT_EQ(text(field(*data, "channel")), "geral");
  EXPECT_EQ(text(field(*data, "message")).value_or("").rfind("post ", 0), 0u);
  EXPECT_TRUE(is_float(field(*data, "timestamp")));
  EXPECT_TRUE(unsigned_int(field(*data, "clock")).has_value());
  // A subscriber written for the original implementation reads the same post as a flat map.
  EXPECT_EQ(text(field(p, "type")), "channel");
  EXPECT_EQ(text(field(p, "topic")), "geral");
  EXPECT_EQ(text(field(p, "user")), "ana");
  EXPECT_EQ(text(field(p, "channel")), "geral");
  EXPECT_EQ(text(field(p, "message")), text(field(*data, "message")));
  EXPECT_TRUE(is_float(field(p, "timestamp")));
  EXPECT_EQ(unsigned_int(field(p, "clock")), unsigned_int(field(*data, "clock")));

  ASSERT_EQ(client.call("message", {{"src", std::string("ana")}, {"dst", std::string("bia")},
                                    {"message", std::string("psiu")}}).status(), "OK");
  const auto pm = receive("bia", 10000ms);
  ASSERT_TRUE(pm.has_value()) << "the private message did not reach a subscriber of 'bia'";
  const msgpack::object& m = pm->payload.get();
  EXPECT_EQ(text(field(m, "service")), "message");
  const msgpack::object* mdata = field(m, "data");
  ASSERT_NE(mdata, nullptr);
  EXPECT_EQ(text(field(*mdata, "src")), "ana");
  EXPECT_EQ(text(field(*mdata, "dst")), "bia");
  EXPECT_EQ(text(field(*mdata, "message")), "psiu");
  EXPECT_TRUE(is_float(field(*mdata, "timestamp")));
  EXPECT_TRUE(unsigned_int(field(*mdata, "clock")).has_value());
  EXPECT_EQ(text(field(m, "type")), "user");
  EXPECT_EQ(text(field(m, "topic")), "bia");
  EXPECT_EQ(text(field(m, "src")), "ana");
  EXPECT_EQ(text(field(m, "dst")), "bia");
  EXPECT_EQ(text(field(m, "message")), "psiu");
  EXPECT_TRUE(is_float(field(m, "timestamp")));
  EXPECT_TRUE(unsigned_int(field(m, "clock")).has_value());

  // The coordinator's announcement on `servers` too (the coordinator re-announces periodically).
  sub.set(zmq::sockopt::subscribe, "servers");
  const auto announcement = receive("servers", 15000ms);
  ASSERT_TRUE(announcement.has_value()) << "no coordinator announcement on 'servers'";
  const msgpack::object& a = announcement->payload.get();
  EXPECT_EQ(text(field(a, "service")), "election");
  EXPECT_EQ(text(field(a, "type")), "election");
  EXPECT_EQ(text(field(a, "topic")), "servers");
  EXPECT_TRUE(text(field(a, "coordinator")).has_value());
}

}  // namespace
}  // namespace bib::test
