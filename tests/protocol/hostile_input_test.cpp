// Robustness: malformed and hostile requests, sent as raw bytes to a real one-server cluster,
// both through the broker frontend (5555) and straight to the server's own port (5561). Each
// gets an `erro` reply whose sentence says what is wrong, or — a frame above ZMQ_MAXMSGSIZE —
// is dropped without a reply; after every case the same cluster still serves a normal request.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "bib/client.hpp"
#include "bib/codec.hpp"
#include "support/cluster.hpp"
#include "support/plain_client.hpp"

namespace bib::test {
namespace {

using plain::ask_raw;

using namespace std::chrono_literals;

enum class Target { broker, server };

std::string target_name(const ::testing::TestParamInfo<Target>& info) {
  return info.param == Target::broker ? "ThroughTheBroker" : "StraightToTheServer";
}

std::string envelope_bytes(Value top) { return encode(top); }

std::string request(const std::string& service, Map data) {
  return encode_envelope(Envelope{service, Value(std::move(data))});
}

// An error the client can act on: which reply field holds the sentence, and part of it.
struct HostileCase {
  std::string name;
  std::string bytes;
  std::string field;  // "description" (login, channel, host, broker) or "message" (publish, ...)
  std::string says;
  // The broker checks request_id's type; a server ignores a request_id that is not a string
  // (it is then never deduplicated, docs/commit.md), so that case has nothing to refuse there.
  bool broker_only = false;
};

std::vector<HostileCase> hostile_cases() {
  Value deep = Array{};
  for (int i = 0; i < 40; ++i) deep = Array{deep};
  std::string truncated = request("login", Map{{"user", "ana"}});
  truncated.resize(truncated.size() - 2);
  return {
      {"not MessagePack", "\xc1 this is not MessagePack", "description", "malformed MessagePack"},
      {"empty frame", "", "description", "empty message"},
      {"truncated MessagePack", truncated, "description", "truncated"},
      {"trailing bytes", request("ping", Map{}) + "xx", "description", "trailing bytes"},
      {"array instead of a map", envelope_bytes(Array{"login", Map{{"user", "ana"}}}), "description",
       "message must be a map, got array"},
      {"service not a string", envelope_bytes(Map{{"service", 7}, {"data", Map{{"user", "ana"}}}}), "description",
       "field 'service' must be a string, got integer"},
      {"service missing", envelope_bytes(Map{{"data", Map{{"user", "ana"}}}}), "description",
       "field 'service' is missing"},
      {"data not a map", envelope_bytes(Map{{"service", "login"}, {"data", "ana"}}), "description",
       "field 'data' must be a map, got string"},
      {"too deeply nested", envelope_bytes(Map{{"service", "login"}, {"data", Map{{"user", deep}}}}), "description",
       "nesting too deep"},
      {"data missing", envelope_bytes(Map{{"service", "login"}}), "description", "field 'user' is missing"},
      {"user is a number", request("login", Map{{"user", 7}}), "description",
       "field 'user' must be a string, got integer"},
      {"channel is an array", request("channel", Map{{"channel", Array{"geral"}}}), "description",
       "field 'channel' must be a string, got array"},
      {"limit is a string", request("history", Map{{"channel", "geral"}, {"limit", "x"}}), "message",
       "field 'limit' must be an integer, got string"},
      {"limit below 1", request("inbox", Map{{"user", "ana"}, {"limit", 0}}), "message",
       "field 'limit' must be at least 1, got 0"},
      {"before is no cursor", request("history", Map{{"channel", "geral"}, {"before", "x"}}), "message",
       "field 'before' is not a cursor"},
      {"publish without message", request("publish", Map{{"user", "ana"}, {"channel", "geral"}}), "message",
       "field 'message' is missing"},
      {"message without dst", request("message", Map{{"src", "ana"}, {"message", "oi"}}), "message",
       "field 'dst' is missing"},
      {"channel without name", request("channel", Map{}), "description", "field 'channel' is missing"},
      {"unknown service", request("teleport", Map{{"to", "mars"}}), "description", "unknown service 'teleport'"},
      {"5000-byte post",
       request("publish", Map{{"user", "ana"}, {"channel", "geral"}, {"message", std::string(5000, 'x')}}), "message",
       "message is 5000 bytes long, the limit is 4096"},
      {"5000-byte private message",
       request("message", Map{{"src", "ana"}, {"dst", "ana"}, {"message", std::string(5000, 'y')}}), "message",
       "message is 5000 bytes long, the limit is 4096"},
      {"post not UTF-8", request("publish", Map{{"user", "ana"}, {"channel", "geral"}, {"message", "\xff\xfe"}}),
       "message", "message is not valid UTF-8"},
      {"user name not UTF-8", request("login", Map{{"user", "\xc3\x28"}}), "description", "name is not valid UTF-8"},
      {"channel name not UTF-8", request("channel", Map{{"channel", "caf\xe9"}}), "description",
       "name is not valid UTF-8"},
      {"user name with a control character", request("login", Map{{"user", "a\nb"}}), "description",
       "name contains a control character"},
      {"user name too long", request("login", Map{{"user", std::string(65, 'n')}}), "description",
       "name is 65 bytes long, the limit is 64"},
      {"reserved channel name", request("channel", Map{{"channel", "servers"}}), "description",
       "name 'servers' is reserved"},
      {"request_id not a string", request("login", Map{{"user", "ana"}, {"request_id", 7}}), "description",
       "field 'request_id' must be a string, got integer", true},
  };
}

class HostileInputTest : public ::testing::TestWithParam<Target> {
 protected:
  void SetUp() override {
    cluster.up();
    // The cases name an existing user and channel, so only the hostile part can fail.
    Client setup(endpoint());
    auto login = setup.request("login", Map{{"user", "ana"}});
    ASSERT_TRUE(login && login.value().data.opt_string("status") == "sucesso") << describe(login);
    auto channel = setup.request("channel", Map{{"channel", "geral"}});
    ASSERT_TRUE(channel && channel.value().data.opt_string("status") == "sucesso") << describe(channel);
  }

  std::string endpoint() const {
    return GetParam() == Target::broker ? cluster.broker_endpoint() : cluster.server_endpoint(1);
  }

  static std::string describe(const Result<Envelope>& r) {
    return r ? r.value().to_string() : "no reply: " + r.error().message;
  }

  // A normal request, as bib::Client sends it, still gets its normal answer.
  void expect_still_serving(const std::string& after) {
    Client client(endpoint());
    const std::string user = "after-" + std::to_string(++probes_);
    auto reply = client.request("login", Map{{"user", user}});
    EXPECT_TRUE(reply && reply.value().data.opt_string("status") == "sucesso")
        << "after " << after << ": " << describe(reply) << "\nserver log:\n" << cluster.log_of("server-1");
  }

  LocalCluster cluster;
  zmq::context_t zmq;

 private:
  int probes_ = 0;
};

TEST_P(HostileInputTest, EveryMalformedRequestGetsAnErrorSayingWhatIsWrong) {
  for (const HostileCase& c : hostile_cases()) {
    if (c.broker_only && GetParam() != Target::broker) continue;
    SCOPED_TRACE(c.name);
    const auto bytes = ask_raw(zmq, endpoint(), c.bytes, 10000ms);
    ASSERT_TRUE(bytes.has_value()) << "no reply to: " << c.name;
    auto reply = decode_envelope(*bytes);
    ASSERT_TRUE(reply) << "undecodable reply: " << reply.error().message;
    const Value& data = reply.value().data;
    EXPECT_EQ(data.opt_string("status"), "erro") << reply.value().to_string();
    const auto sentence = data.find(c.field);
    ASSERT_TRUE(sentence && sentence->is_string()) << "no '" << c.field << "' in " << reply.value().to_string();
    EXPECT_NE(sentence->as_string().find(c.says), std::string::npos)
        << "expected it to say \"" << c.says << "\": " << reply.value().to_string();
    EXPECT_TRUE(data.contains("timestamp") && data.contains("clock")) << reply.value().to_string();
    expect_still_serving(c.name);
  }
  // The unknown service's reply names the service it was asked for.
  auto unknown = decode_envelope(ask_raw(zmq, endpoint(), request("teleport", Map{}), 10000ms).value_or(""));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown.value().service, "teleport");
}

TEST_P(HostileInputTest, FramesAboveTheLimitAreDroppedAndServingGoesOn) {
  // A DEALER speaks like REQ ([""][body]) but may wait for a reply that never comes.
  zmq::socket_t dealer(zmq, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.set(zmq::sockopt::rcvtimeo, 1500);
  dealer.connect(endpoint());
  auto send = [&](const std::string& body) {
    dealer.send(zmq::buffer(std::string()), zmq::send_flags::sndmore);
    dealer.send(zmq::buffer(body), zmq::send_flags::none);
  };
  auto receive = [&]() -> std::optional<std::string> {
    zmq::message_t delimiter, body;
    if (!dealer.recv(delimiter)) return std::nullopt;
    if (!delimiter.more() || !dealer.recv(body)) return std::string("<malformed reply>");
    return body.to_string();
  };

  // First, this very socket gets answers: big but allowed frames are read and refused by size.
  const std::string half_mib(512 * 1024, 'z');
  send(request("publish", Map{{"user", "ana"}, {"channel", "geral"}, {"message", half_mib}}));
  const auto refused = receive();
  ASSERT_TRUE(refused.has_value()) << "a 512 KiB request got no reply";
  auto decoded = decode_envelope(*refused);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded.value().data.opt_string("status"), "erro") << decoded.value().to_string();
  EXPECT_EQ(decoded.value().data.opt_string("message"), "message is 524288 bytes long, the limit is 4096")
      << decoded.value().to_string();

  // 10 MiB: above host.max_message_bytes (1 MiB), ZeroMQ drops it before any handler.
  const std::string ten_mib(10 * 1024 * 1024, 'x');
  send(request("publish", Map{{"user", "ana"}, {"channel", "geral"}, {"message", ten_mib}}));
  EXPECT_EQ(receive(), std::nullopt) << "a 10 MiB frame was answered";
  expect_still_serving("a 10 MiB frame");

  // Not even an envelope: 10 MiB of garbage.
  send(std::string(10 * 1024 * 1024, '\xc1'));
  EXPECT_EQ(receive(), std::nullopt) << "10 MiB of garbage was answered";
  expect_still_serving("10 MiB of garbage");

  // The post never made it anywhere.
  Client client(endpoint());
  auto history = client.request("history", Map{{"channel", "geral"}});
  ASSERT_TRUE(history) << history.error().message;
  EXPECT_TRUE(history.value().data.get_array("posts").empty()) << history.value().to_string();
}

INSTANTIATE_TEST_SUITE_P(Targets, HostileInputTest, ::testing::Values(Target::broker, Target::server), target_name);

}  // namespace
}  // namespace bib::test
