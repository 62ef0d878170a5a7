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
#include "support/wait.hpp"

namespace bib::test {
namespace {

using namespace std::chrono_literals;

// --- writing MessagePack by hand (only the formats a request needs) ----------------------------

class Pack {
 public:
  Pack& map(std::size_t entries) {
    if (entries < 16) return byte(0x80 | entries);
    return byte(0xde).be(entries, 2);  // map16
  }
  Pack& str(std::string_view s) {
    if (s.size() < 32) byte(0xa0 | s.size());
    else if (s.size() < 256) byte(0xd9).be(s.size(), 1);      // str8
    else if (s.size() < 65536) byte(0xda).be(s.size(), 2);    // str16
    else byte(0xdb).be(s.size(), 4);                          // str32
    bytes_.append(s);
    return *this;
  }
  Pack& uint(std::uint64_t v) {
    if (v < 128) return byte(v);                           // positive fixint
    if (v < 256) return byte(0xcc).be(v, 1);               // uint8
    if (v < 65536) return byte(0xcd).be(v, 2);             // uint16
    if (v <= 0xffffffffu) return byte(0xce).be(v, 4);      // uint32
    return byte(0xcf).be(v, 8);                            // uint64
  }
  Pack& f64(double d) { return byte(0xcb).be(std::bit_cast<std::uint64_t>(d), 8); }
  const std::string& bytes() const { return bytes_; }

 private:
  Pack& byte(std::uint64_t b) {
    bytes_.push_back(static_cast<char>(b & 0xff));
    return *this;
  }
  Pack& be(std::uint64_t v, int width) {  // big-endian, as MessagePack wants
    for (int i = width - 1; i >= 0; --i) byte(v >> (8 * i));
    return *this;
  }
  std::string bytes_;
};

using FieldValue = std::variant<std::string, std::uint64_t, double>;
using Fields = std::vector<std::pair<std::string, FieldValue>>;

// {"service": service, "data": {fields...}}
std::string envelope(std::string_view service, const Fields& fields) {
  Pack p;
  p.map(2).str("service").str(service).str("data").map(fields.size());
  for (const auto& [key, value] : fields) {
    p.str(key);
    if (const auto* s = std::get_if<std::string>(&value)) p.str(*s);
    else if (const auto* u = std::get_if<std::uint64_t>(&value)) p.uint(*u);
    else p.f64(std::get<double>(value));
  }
  return p.bytes();
}

// The same request with timestamp and clock, as docs/protocol.md asks of senders.
std::string stamped(std::string_view service, Fields fields, std::uint64_t clock) {
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  fields.emplace_back("timestamp", now);
  fields.emplace_back("clock", clock);
  return envelope(service, fields);
}

// --- reading replies with msgpack-cxx's object API ---------------------------------------------

const msgpack::object* field(const msgpack::object& map, std::string_view key) {
  if (map.type != msgpack::type::MAP) return nullptr;
  for (std::uint32_t i = 0; i < map.via.map.size; ++i) {
    const auto& kv = map.via.map.ptr[i];
    if (kv.key.type == msgpack::type::STR && std::string_view(kv.key.via.str.ptr, kv.key.via.str.size) == key)
      return &kv.val;
  }
  return nullptr;
}

std::optional<std::string> text(const msgpack::object* o) {
  if (!o || o->type != msgpack::type::STR) return std::nullopt;
  return std::string(o->via.str.ptr, o->via.str.size);
}

std::optional<std::uint64_t> unsigned_int(const msgpack::object* o) {
  if (!o || o->type != msgpack::type::POSITIVE_INTEGER) return std::nullopt;
  return o->via.u64;
}

bool is_float(const msgpack::object* o) {
  return o && (o->type == msgpack::type::FLOAT64 || o->type == msgpack::type::FLOAT32);
}

std::vector<const msgpack::object*> items(const msgpack::object* o) {
  std::vector<const msgpack::object*> out;
  if (o && o->type == msgpack::type::ARRAY)
    for (std::uint32_t i = 0; i < o->via.array.size; ++i) out.push_back(&o->via.array.ptr[i]);
  return out;
}

std::vector<std::string> texts(const msgpack::object* o) {
  std::vector<std::string> out;
  for (const auto* item : items(o)) out.push_back(text(item).value_or("<not a string>"));
  return out;
}

// One decoded reply; `data` points into `handle`.
struct Reply {
  msgpack::object_handle handle;
  std::string service;
  const msgpack::object* data = nullptr;

  std::string status() const { return text(field(*data, "status")).value_or(""); }
  std::string str(std::string_view key) const { return text(field(*data, key)).value_or(""); }
  const msgpack::object* get(std::string_view key) const { return field(*data, key); }
  std::string dump() const {
    std::ostringstream os;
    os << handle.get();
    return os.str();
  }
};

// --- a course client: one REQ socket per request ----------------------------------------------

class PlainClient {
 public:
  explicit PlainClient(std::string endpoint) : endpoint_(std::move(endpoint)) {}

  // Sends the bytes and returns the decoded reply; fails the test on silence or bad bytes.
  Reply ask(const std::string& request) {
    zmq::socket_t req(zmq_, zmq::socket_type::req);
    req.set(zmq::sockopt::linger, 0);
    req.set(zmq::sockopt::rcvtimeo, 10000);
    req.connect(endpoint_);
    req.send(zmq::buffer(request), zmq::send_flags::none);
    zmq::message_t bytes;
    if (!req.recv(bytes)) throw std::runtime_error("no reply from " + endpoint_ + " within 10 s");
    Reply reply{msgpack::unpack(static_cast<const char*>(bytes.data()), bytes.size()), "", nullptr};
    const msgpack::object& top = reply.handle.get();
    if (top.type != msgpack::type::MAP) throw std::runtime_error("reply is not a map");
    reply.service = text(field(top, "service")).value_or("");
    reply.data = field(top, "data");
    if (!reply.data || reply.data->type != msgpack::type::MAP) throw std::runtime_error("reply data is not a map");
    return reply;
  }

  // A stamped request; the clock grows like a Lamport clock would.
  Reply call(std::string_view service, Fields fields = {}) { return ask(stamped(service, std::move(fields), ++clock_)); }

 private:
  zmq::context_t zmq_;
  std::string endpoint_;
  std::uint64_t clock_ = 0;
};

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
}

}  // namespace
}  // namespace bib::test
