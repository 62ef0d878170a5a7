// The reference server in a real bib-host process, spoken to by plain REQ clients with
// hand-built MessagePack, as the original course clients do.
#include <gtest/gtest.h>

#include "support/host_harness.hpp"
#include "support/loopback.hpp"

namespace bib::test {
namespace {

using std::chrono::milliseconds;

class ReferenceProcess : public HostProcessTest {
 protected:
  ReferenceProcess() : HostProcessTest("reference") {}

  std::string endpoint = net.endpoint(1, 5560);

  std::unique_ptr<Process> start_reference(const std::string& extra = "", const std::string& stem = "reference") {
    auto process = start_host(dir, stem, reference_config(endpoint, extra));
    EXPECT_TRUE(req_call_until_answered(zmq, endpoint, "list")) << process->log();
    return process;
  }

  std::int64_t rank_of(const std::string& name) {
    auto reply = req_call(zmq, endpoint, "rank", Map{{"user", name}});
    if (!reply) return -1;
    return reply->data.get_int("rank");
  }

  std::optional<Envelope> call(const std::string& service, Value data = Map{}) {
    return req_call(zmq, endpoint, service, std::move(data));
  }
};

TEST_F(ReferenceProcess, AnswersRankListAndHeartbeatToAPlainReqClient) {
  auto reference = start_reference();

  auto rank = call("rank", Map{{"user", "server-1"}, {"address", net.address(11)}});
  ASSERT_TRUE(rank) << reference->log();
  EXPECT_EQ(rank->service, "rank");
  EXPECT_EQ(rank->data.get_int("rank"), 1);
  EXPECT_TRUE(rank->data.at("timestamp").is_double());
  EXPECT_GT(rank->data.get_int("clock"), 1);  // observed our clock 1, then ticked

  auto list = call("list");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->service, "list");
  ASSERT_EQ(list->data.get_array("list").size(), 1u);
  const Value& entry = list->data.get_array("list")[0];
  EXPECT_EQ(entry.get_string("name"), "server-1");
  EXPECT_EQ(entry.get_int("rank"), 1);
  EXPECT_EQ(entry.get_string("address"), net.address(11));
  EXPECT_TRUE(list->data.contains("timestamp"));
  EXPECT_TRUE(list->data.contains("clock"));

  auto heartbeat = call("heartbeat", Map{{"user", "server-1"}});
  ASSERT_TRUE(heartbeat);
  EXPECT_EQ(heartbeat->service, "heartbeat");
  EXPECT_EQ(heartbeat->data.get_string("status"), "OK");

  auto unknown = call("heartbeat", Map{{"user", "ghost"}});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->data.get_string("status"), "erro");
  EXPECT_EQ(unknown->data.get_string("description"), "unknown server 'ghost': register with rank");
}

TEST_F(ReferenceProcess, BadRequestsGetErroRepliesAndTheServerGoesOn) {
  auto reference = start_reference();

  auto missing = call("rank");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->service, "rank");
  EXPECT_EQ(missing->data.get_string("status"), "erro");

  auto bad_name = call("rank", Map{{"user", std::string(65, 'x')}});
  ASSERT_TRUE(bad_name);
  EXPECT_EQ(bad_name->data.get_string("status"), "erro");

  // Not MessagePack at all: the reply comes under service "error".
  zmq::socket_t req(zmq, zmq::socket_type::req);
  req.set(zmq::sockopt::linger, 0);
  req.set(zmq::sockopt::rcvtimeo, 2000);
  req.connect(endpoint);
  req.send(zmq::str_buffer("\xc1 not msgpack"), zmq::send_flags::none);
  zmq::message_t reply;
  ASSERT_TRUE(req.recv(reply));
  auto decoded = decode_envelope(reply.to_string_view());
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded.value().service, "error");
  EXPECT_EQ(decoded.value().data.get_string("status"), "erro");

  EXPECT_EQ(rank_of("server-1"), 1);
}

TEST_F(ReferenceProcess, RanksAreStablePerName) {
  auto reference = start_reference();
  EXPECT_EQ(rank_of("server-a"), 1);
  EXPECT_EQ(rank_of("server-b"), 2);
  EXPECT_EQ(rank_of("server-c"), 3);
  EXPECT_EQ(rank_of("server-b"), 2);
  EXPECT_EQ(rank_of("server-a"), 1);
  EXPECT_EQ(rank_of("server-d"), 4);
}

TEST_F(ReferenceProcess, AServerThatStopsHeartbeatingLeavesTheListWithinTheTimeout) {
  auto reference = start_reference("heartbeat_timeout_ms = 600\n");
  ASSERT_EQ(rank_of("quiet"), 1);
  ASSERT_EQ(rank_of("chatty"), 2);
  auto names = [&] {
    auto list = call("list");
    return list ? listed_names(*list) : std::vector<std::string>{"(no reply)"};
  };
  EXPECT_EQ(names(), (std::vector<std::string>{"quiet", "chatty"}));

  const auto silent_since = std::chrono::steady_clock::now();
  bool chatty_alive = true;
  const bool left = wait_until(
      [&] {
        auto hb = call("heartbeat", Map{{"user", "chatty"}});
        chatty_alive = chatty_alive && hb && hb->data.get_string("status") == "OK";
        return names() == std::vector<std::string>{"chatty"};
      },
      milliseconds(5000), milliseconds(50));
  EXPECT_TRUE(left) << reference->log();
  EXPECT_TRUE(chatty_alive);
  EXPECT_GE(std::chrono::steady_clock::now() - silent_since, milliseconds(500));

  EXPECT_TRUE(wait_until([&] { return reference->log().find("'quiet' (rank 1) left the list") != std::string::npos; },
                         milliseconds(5000)))
      << reference->log();

  // A heartbeat brings it back, still with its rank.
  auto back = call("heartbeat", Map{{"user", "quiet"}});
  ASSERT_TRUE(back);
  EXPECT_EQ(back->data.get_string("status"), "OK");
  EXPECT_EQ(names(), (std::vector<std::string>{"quiet", "chatty"}));
}

TEST_F(ReferenceProcess, WithAStateFileARestartedReferenceGivesTheSameRanks) {
  const std::string state = "state_file = \"" + dir + "/ranks.txt\"\n";
  {
    auto reference = start_reference(state, "reference-1");
    EXPECT_EQ(rank_of("server-x"), 1);
    EXPECT_EQ(rank_of("server-y"), 2);
    EXPECT_EQ(reference->stop(), 0);
  }
  auto reference = start_reference(state, "reference-2");
  // Forgotten as live: a heartbeat says to register again.
  auto heartbeat = call("heartbeat", Map{{"user", "server-x"}});
  ASSERT_TRUE(heartbeat);
  EXPECT_EQ(heartbeat->data.get_string("status"), "erro");
  // But the ranks are kept, whatever the order of re-registration.
  EXPECT_EQ(rank_of("server-z"), 3);
  EXPECT_EQ(rank_of("server-y"), 2);
  EXPECT_EQ(rank_of("server-x"), 1);
}

TEST_F(ReferenceProcess, WithoutAStateFileRanksStartOverAfterARestart) {
  {
    auto reference = start_reference("", "reference-1");
    EXPECT_EQ(rank_of("server-x"), 1);
    EXPECT_EQ(rank_of("server-y"), 2);
  }
  auto reference = start_reference("", "reference-2");
  EXPECT_EQ(rank_of("server-y"), 1);
  EXPECT_EQ(rank_of("server-x"), 2);
}

TEST_F(ReferenceProcess, AMalformedStateFileStopsStartUpWithAClearError) {
  std::ofstream(dir + "/ranks.txt") << "1 a\nbroken\n";
  auto reference =
      start_host(dir, "reference", reference_config(endpoint, "state_file = \"" + dir + "/ranks.txt\"\n"));
  EXPECT_NE(reference->wait_exit(milliseconds(10000)), 0);
  EXPECT_NE(reference->log().find("ranks.txt:2"), std::string::npos) << reference->log();
}

}  // namespace
}  // namespace bib::test
