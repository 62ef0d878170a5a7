// The plugin in-process with a FakeContext (manual timers, publishes recorded) and a fake
// discovery: services, drift, and the election as far as it goes without peers answering.
#include <gtest/gtest.h>

#include <sstream>
#include <variant>

#include <spdlog/sinks/ostream_sink.h>
#include <zmq_addon.hpp>

#include "support/wait.hpp"

#include "coordination.hpp"
#include "support/fake_context.hpp"
#include "support/fake_plugins.hpp"

namespace bib::coordination {
namespace {

using std::chrono::milliseconds;

// Peers point at a port nobody listens on: requests to them are never answered.
Map test_config(Map extra = {}) {
  Map config{{"subscribe", "tcp://127.0.0.1:1"}, {"peer_port", 2},       {"election_timeout_ms", 200},
             {"announce_ms", 300},               {"sync_interval_ms", 500}, {"request_timeout_ms", 100}};
  for (auto& [key, value] : extra) config[key] = value;
  return config;
}

class CoordinationPlugin : public ::testing::Test {
 protected:
  // The plugin runs as server-2, with server-1 as its one peer.
  CoordinationPlugin() {
    discovery.my_rank = 2;
    discovery.list = {{"server-1", 1, "127.0.0.1"}};
    peer_port_socket.set(zmq::sockopt::linger, 0);
    peer_port_socket.bind("tcp://127.0.0.1:*");
    const std::string endpoint = peer_port_socket.get(zmq::sockopt::last_endpoint);
    peer_port = std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
  }

  void start(Map config = test_config()) {
    ctx = std::make_unique<test::FakeContext>(Value(std::move(config)), "server-2");
    ctx->discovery_plugin = &discovery;
    ctx->log().sinks().push_back(std::make_shared<spdlog::sinks::ostream_sink_mt>(log_stream));
    plugin.configure(*ctx);
    plugin.start();
    started = true;
  }
  void TearDown() override {
    if (started) plugin.stop();
  }

  Value call(const std::string& service, Value data = Map{}) {
    auto outcome = plugin.handle(Request{service, std::move(data), "test"});
    EXPECT_TRUE(std::holds_alternative<Reply>(outcome));
    return std::get<Reply>(outcome).data;
  }
  std::vector<std::string> announced() const {
    std::vector<std::string> names;
    for (const auto& [topic, envelope] : ctx->published) {
      EXPECT_EQ(topic, "servers");
      EXPECT_EQ(envelope.service, "election");
      names.push_back(envelope.data.get_string("coordinator"));
    }
    return names;
  }
  Value status() const {
    Map map;
    plugin.describe(map);
    return map;
  }
  // A `servers` publisher the plugin subscribes to (start with subscribe_config()).
  std::string servers_endpoint() const {
    return "inproc://coordination-servers-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed());
  }
  // Peers' direct ports are peer_port_socket, which answers `clock` while answer_peers runs.
  Map subscribe_config(Map extra = {}) {
    extra["subscribe"] = servers_endpoint();
    extra["announce_ms"] = 600000;
    extra["peer_port"] = peer_port;
    return test_config(std::move(extra));
  }
  // Answers every `clock` request that reached the peers' port (a peer alive and reachable);
  // anything else is left unanswered.
  void answer_peers() {
    std::vector<zmq::message_t> frames;
    while (zmq::recv_multipart(peer_port_socket, std::back_inserter(frames), zmq::recv_flags::dontwait)) {
      auto request = frames.size() == 3 ? decode_envelope(frames[2].to_string_view()) : Result<Envelope>(Error{"frames"});
      if (request && request.value().service == "clock") {
        const std::string reply = encode_envelope(Envelope{"clock", Map{{"time", 1714000000.0}}});
        peer_port_socket.send(frames[0], zmq::send_flags::sndmore);
        peer_port_socket.send(zmq::message_t(), zmq::send_flags::sndmore);
        peer_port_socket.send(zmq::buffer(reply), zmq::send_flags::none);
        ++clock_requests_answered;
      }
      frames.clear();
    }
  }
  // Publishes the announcement until the plugin's SUB has its subscription and has read it, or
  // until `done` holds.
  // With reachable, the announcer answers the plugin's direct probe (answer_peers).
  bool announce(zmq::socket_t& pub, Map announcement, const std::function<bool()>& done, bool reachable = true) {
    const std::string bytes = encode_envelope(Envelope{"election", std::move(announcement)});
    return test::wait_until(
        [&] {
          pub.send(zmq::str_buffer("servers"), zmq::send_flags::sndmore);
          pub.send(zmq::buffer(bytes), zmq::send_flags::none);
          for (auto& [socket, on_readable] : ctx->loop_.sockets) on_readable();
          if (reachable) answer_peers();
          return done();
        },
        milliseconds(5000), milliseconds(10));
  }
  zmq::socket_t announcer() {
    zmq::socket_t pub(ctx->zmq_context(), zmq::socket_type::pub);
    pub.set(zmq::sockopt::linger, 0);
    pub.bind(servers_endpoint());
    return pub;
  }

  std::string log_text() const { return log_stream.str(); }

  zmq::context_t peer_zmq;
  zmq::socket_t peer_port_socket{peer_zmq, zmq::socket_type::router};
  int peer_port = 0;
  int clock_requests_answered = 0;
  std::ostringstream log_stream;  // what the plugin logged, besides stderr
  test::FakeDiscovery discovery;  // tests/support/fake_plugins.hpp
  std::unique_ptr<test::FakeContext> ctx;
  Coordination plugin;
  bool started = false;
};

TEST_F(CoordinationPlugin, OffersItsServices) {
  EXPECT_EQ(plugin.services(), (std::vector<std::string>{"clock", "election", "clock_adjust", "coordinator"}));
}

TEST_F(CoordinationPlugin, WithoutDiscoveryTheConfigIsRefused) {
  test::FakeContext bare(test_config());
  try {
    plugin.configure(bare);
    FAIL() << "configured without a discovery plugin";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("needs a discovery plugin"), std::string::npos) << e.what();
  }
}

TEST_F(CoordinationPlugin, DriftSetsTheClockOffsetAtStart) {
  start(test_config({{"drift_s", -0.75}}));
  EXPECT_DOUBLE_EQ(ctx->clock().offset(), -0.75);
  EXPECT_DOUBLE_EQ(status().get_double("clock_offset"), -0.75);
}

TEST_F(CoordinationPlugin, ClockAnswersThePhysicalClock) {
  start(test_config({{"drift_s", 1.0}}));
  const double before = ctx->clock().now();
  const double time = call("clock").get_double("time");
  EXPECT_GE(time, before);
  EXPECT_LE(time, ctx->clock().now());
  EXPECT_GT(time - PhysicalClock::system_now(), 0.9);  // the drift shows
}

TEST_F(CoordinationPlugin, ClockAdjustAddsTheDeltaSentByTheCoordinatorItFollows) {
  discovery.my_rank = 1;
  discovery.list = {{"server-3", 3, "127.0.0.1"}, {"server-4", 0, "127.0.0.1"}};
  start(subscribe_config({{"drift_s", 0.5}}));
  zmq::socket_t pub = announcer();
  ASSERT_TRUE(announce(pub, Map{{"coordinator", "server-3"}, {"rank", 3}, {"clock", 5}},
                       [&] { return plugin.bully().coordinator() == "server-3"; }));

  EXPECT_EQ(call("clock_adjust", Map{{"delta", -0.25}, {"from", "server-3"}}), Value(Map{{"status", "OK"}}));
  EXPECT_DOUBLE_EQ(ctx->clock().offset(), 0.25);
  EXPECT_EQ(status().get_int("sync_rounds"), 1);
  EXPECT_TRUE(status().find("last_sync")->is_double());
  EXPECT_THROW(call("clock_adjust", Map{}), FieldError);

  // Forged corrections change nothing (docs/security.md): unnamed, from a non-member, from a
  // member that is not the coordinator.
  EXPECT_EQ(call("clock_adjust", Map{{"delta", 9.0}}).get_string("status"), "erro");
  EXPECT_EQ(call("clock_adjust", Map{{"delta", 9.0}, {"from", "intruder"}}).get_string("status"), "erro");
  const Value not_ours = call("clock_adjust", Map{{"delta", 9.0}, {"from", "server-4"}});
  EXPECT_EQ(not_ours.get_string("description"), "refused: server-4 is not the coordinator this server follows");
  EXPECT_DOUBLE_EQ(ctx->clock().offset(), 0.25);
  EXPECT_EQ(status().get_int("sync_rounds"), 1);
}

TEST_F(CoordinationPlugin, AnAnnouncementFromANonMemberOrAtAForgedRankIsNotFollowed) {
  discovery.my_rank = 1;
  discovery.list = {{"server-3", 3, "127.0.0.1"}};
  start(subscribe_config());
  zmq::socket_t pub = announcer();
  // Sent until the SUB reads them (its subscription takes a moment): never followed.
  auto refused = [&](const std::string& kind) {
    return log_text().find("refused coordinator announcement " + kind) != std::string::npos;
  };
  ASSERT_TRUE(announce(pub, Map{{"coordinator", "intruder"}, {"rank", 9}, {"clock", 5}},
                       [&] { return refused("from a non-member"); }))
      << log_text();
  ASSERT_TRUE(announce(pub, Map{{"coordinator", "server-3"}, {"rank", 0}, {"clock", 5}},
                       [&] { return refused("with a forged rank"); }))
      << log_text();
  EXPECT_NE(plugin.bully().coordinator(), std::optional<std::string>("intruder"));
  EXPECT_NE(plugin.bully().coordinator(), std::optional<std::string>("server-3"));
  // The member at its own rank is followed.
  ASSERT_TRUE(announce(pub, Map{{"coordinator", "server-3"}, {"rank", 3}, {"clock", 6}},
                       [&] { return plugin.bully().coordinator() == "server-3"; }));
}

TEST_F(CoordinationPlugin, TheHighestRankBecomesCoordinatorAtOnceAndReannounces) {
  start();  // rank 2, the only peer has rank 1
  EXPECT_TRUE(plugin.bully().is_coordinator());
  ASSERT_EQ(announced(), (std::vector<std::string>{"server-2"}));
  const Value& data = ctx->published[0].second.data;
  EXPECT_EQ(data.get_int("rank"), 2);
  EXPECT_TRUE(data.contains("timestamp"));
  EXPECT_TRUE(data.contains("clock"));
  EXPECT_EQ(status().get_string("coordinator"), "server-2");
  EXPECT_EQ(status().get_string("election"), "coordinator");

  ctx->loop_.advance(milliseconds(650));
  EXPECT_EQ(announced().size(), 3u);  // at start, 300 ms, 600 ms
}

TEST_F(CoordinationPlugin, NoOkFromHigherRanksInTimeMakesUsCoordinator) {
  discovery.list = {{"server-1", 1, "127.0.0.1"}, {"server-3", 3, "127.0.0.1"}};
  start();
  EXPECT_EQ(plugin.bully().phase(), Phase::electing);
  EXPECT_TRUE(announced().empty());
  EXPECT_TRUE(status().find("coordinator")->is_nil());
  ctx->loop_.advance(milliseconds(199));
  EXPECT_EQ(plugin.bully().phase(), Phase::electing);
  ctx->loop_.advance(milliseconds(1));
  EXPECT_TRUE(plugin.bully().is_coordinator());
  EXPECT_EQ(announced(), (std::vector<std::string>{"server-2"}));
}

TEST_F(CoordinationPlugin, ElectionFromALowerRankIsAnsweredOk) {
  discovery.list = {{"server-1", 1, "127.0.0.1"}, {"server-3", 3, "127.0.0.1"}};
  start();
  ctx->loop_.advance(milliseconds(200));
  ASSERT_TRUE(plugin.bully().is_coordinator());
  const auto before = announced().size();
  EXPECT_EQ(call("election", Map{{"rank", 1}, {"from", "server-1"}}), Value(Map{{"election", "OK"}}));
  ctx->loop_.run_posted();
  EXPECT_EQ(announced().size(), before + 1);  // a coordinator answers by announcing itself again

  const Value refused = call("election", Map{{"rank", 3}, {"from", "server-3"}});
  EXPECT_EQ(refused.get_string("status"), "erro");
  EXPECT_EQ(refused.get_string("description"), "rank 3 is not below ours (2)");
}

TEST_F(CoordinationPlugin, AnElectionFromANonMemberOrAtAForgedRankIsRefused) {
  discovery.list = {{"server-1", 1, "127.0.0.1"}, {"server-3", 3, "127.0.0.1"}};
  start();
  ctx->loop_.advance(milliseconds(200));
  ASSERT_TRUE(plugin.bully().is_coordinator());
  const auto before = announced().size();
  for (const Map& forged : {Map{{"rank", 1}}, Map{{"rank", 1}, {"from", "intruder"}},
                            Map{{"rank", 0}, {"from", "server-1"}}}) {
    const Value reply = call("election", forged);
    EXPECT_EQ(reply.get_string("description"), "refused: elections are taken from members only") << reply.to_string();
  }
  ctx->loop_.run_posted();
  EXPECT_EQ(announced().size(), before);  // none of them moved the election
  for (const char* kind : {"election from an unnamed sender", "election from a non-member", "election with a forged rank"})
    EXPECT_NE(log_text().find(std::string("refused ") + kind), std::string::npos) << kind << "\n" << log_text();
}

TEST_F(CoordinationPlugin, RankUnknownDefersTheElection) {
  discovery.my_rank.reset();
  start();
  EXPECT_EQ(plugin.bully().phase(), Phase::following);
  EXPECT_EQ(call("election", Map{{"rank", 1}, {"from", "server-1"}}).get_string("description"), "rank not known yet");
  discovery.my_rank = 2;
  discovery.changed();
  EXPECT_TRUE(plugin.bully().is_coordinator());
}

TEST_F(CoordinationPlugin, AFollowerWithoutACoordinatorKeepsElecting) {
  discovery.list = {{"server-3", 3, "127.0.0.1"}};
  start();
  ASSERT_EQ(plugin.bully().phase(), Phase::electing);
  EXPECT_EQ(call("coordinator").get_string("name"), "server-2");
  EXPECT_EQ(call("coordinator").get_int("rank"), 2);
  EXPECT_EQ(call("coordinator").get_string("election"), "electing");
}

// A follower asks the coordinator `clock` once it handled ask_every requests; here the
// coordinator never answers, so the ask's timeout is what shows it was sent: an election.
TEST_F(CoordinationPlugin, AFollowerAsksTheCoordinatorEveryTenRequestsAndElectsWhenItIsSilent) {
  discovery.my_rank = 1;
  discovery.list = {{"server-3", 3, "127.0.0.1"}};
  start(subscribe_config());
  zmq::socket_t pub = announcer();
  // server-3 answers the probe that comes with its announcement, then falls silent.
  ASSERT_TRUE(announce(pub, Map{{"coordinator", "server-3"}, {"rank", 3}, {"clock", 5}},
                       [&] { return plugin.bully().coordinator() == "server-3"; }));
  ASSERT_EQ(plugin.bully().phase(), Phase::following);
  EXPECT_GT(ctx->lamport().value(), 5u);  // the announcement's clock was observed

  ctx->requests = 9;
  ctx->loop_.advance(milliseconds(300));
  EXPECT_EQ(plugin.bully().phase(), Phase::following);  // 9 requests: not asked

  ctx->requests = 10;
  ctx->loop_.advance(milliseconds(100));  // asks
  EXPECT_EQ(plugin.bully().phase(), Phase::following);
  ctx->loop_.advance(milliseconds(100));  // request_timeout_ms: no answer
  EXPECT_EQ(plugin.bully().phase(), Phase::electing);
  EXPECT_FALSE(plugin.bully().coordinator());
}

// Through a partition the proxy may bring the announcements of a server this one cannot reach:
// following it would lose it at the next probe and elect again, every few seconds.
TEST_F(CoordinationPlugin, AnAnnouncementOfAServerThatDoesNotAnswerDirectlyIsNotFollowed) {
  discovery.my_rank = 1;
  discovery.list = {{"server-3", 3, "127.0.0.1"}};
  start(subscribe_config());
  zmq::socket_t pub = announcer();
  const Map announcement{{"coordinator", "server-3"}, {"rank", 3}, {"clock", 5}};
  auto refused = [&] {
    return log_text().find("refused coordinator announcement from a server this one cannot reach") !=
           std::string::npos;
  };
  // Announced again and again, never answering: each probe runs out (request timers advanced).
  ASSERT_TRUE(announce(pub, announcement, [&] { ctx->loop_.advance(milliseconds(250)); return refused(); },
                       /*reachable=*/false))
      << log_text();
  EXPECT_NE(plugin.bully().coordinator(), std::optional<std::string>("server-3"));
  const auto elections = plugin.bully().elections_started();
  const auto phase = plugin.bully().phase();
  for (int i = 0; i < 10; ++i)
    announce(pub, announcement, [&] { ctx->loop_.advance(milliseconds(250)); return true; }, false);
  EXPECT_EQ(plugin.bully().elections_started(), elections) << "unreachable announcements started elections";
  EXPECT_EQ(plugin.bully().phase(), phase);
  EXPECT_NE(plugin.bully().coordinator(), std::optional<std::string>("server-3"));

  // Once it answers (the partition healed), it is followed.
  ASSERT_TRUE(announce(pub, announcement, [&] { return plugin.bully().coordinator() == "server-3"; })) << log_text();
  EXPECT_GT(clock_requests_answered, 0);
}

}  // namespace
}  // namespace bib::coordination
