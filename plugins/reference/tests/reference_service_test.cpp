// The reference protocol (docs/protocol.md) without sockets: request envelope in, reply out.
#include <gtest/gtest.h>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "bib/reply.hpp"
#include "reference_service.hpp"
#include "support/process.hpp"

namespace bib::reference {
namespace {

using std::chrono::milliseconds;

class ReferenceServiceTest : public ::testing::Test {
 protected:
  std::shared_ptr<spdlog::logger> log = std::make_shared<spdlog::logger>(
      "reference-test", std::make_shared<spdlog::sinks::null_sink_mt>());
  Registry registry{milliseconds(3000)};
  ReferenceService service{registry, nullptr, *log};
  Registry::TimePoint t0 = Registry::TimePoint{} + std::chrono::hours(1);

  Envelope call(const std::string& name, Value data, Registry::TimePoint now, const std::string& ip = "") {
    return service.handle(Envelope{name, std::move(data)}, ip, now);
  }
  Envelope call(const std::string& name, Value data) { return call(name, std::move(data), t0); }
};

TEST_F(ReferenceServiceTest, RankAnswersTheRankUnderTheSameService) {
  const auto reply = call("rank", Map{{"user", "server-1"}, {"timestamp", 1.5}, {"clock", 3}});
  EXPECT_EQ(reply.service, "rank");
  EXPECT_EQ(reply.data, Value(Map{{"rank", 1}}));
  EXPECT_EQ(call("rank", Map{{"user", "server-2"}}).data.get_int("rank"), 2);
  EXPECT_EQ(call("rank", Map{{"user", "server-1"}}).data.get_int("rank"), 1);
}

TEST_F(ReferenceServiceTest, ListHoldsLiveServersWithAddressesSortedByRank) {
  EXPECT_EQ(call("list", Map{}).data, Value(Map{{"list", Array{}}}));
  call("rank", Map{{"user", "server-1"}, {"address", "127.0.2.1"}});
  call("rank", Map{{"user", "server-2"}}, t0, "10.0.0.9");  // no address: the source IP
  const auto reply = call("list", Map{});
  EXPECT_EQ(reply.service, "list");
  EXPECT_EQ(reply.data, Value(Map{{"list", Array{Map{{"name", "server-1"}, {"rank", 1}, {"address", "127.0.2.1"}},
                                                  Map{{"name", "server-2"}, {"rank", 2}, {"address", "10.0.0.9"}}}}}));
}

TEST_F(ReferenceServiceTest, AServerThatStopsHeartbeatingLeavesTheList) {
  call("rank", Map{{"user", "server-1"}});
  call("rank", Map{{"user", "server-2"}});
  call("heartbeat", Map{{"user", "server-2"}}, t0 + milliseconds(2000));
  const auto reply = call("list", Map{}, t0 + milliseconds(3500));
  ASSERT_EQ(reply.data.get_array("list").size(), 1u);
  EXPECT_EQ(reply.data.get_array("list")[0].get_string("name"), "server-2");
}

TEST_F(ReferenceServiceTest, HeartbeatOfAKnownServerIsOK) {
  call("rank", Map{{"user", "server-1"}});
  const auto reply = call("heartbeat", Map{{"user", "server-1"}});
  EXPECT_EQ(reply.service, "heartbeat");
  EXPECT_EQ(reply.data, Value(Map{{"status", "OK"}}));
}

TEST_F(ReferenceServiceTest, HeartbeatOfAnUnknownServerSaysToRegister) {
  const auto reply = call("heartbeat", Map{{"user", "x"}});
  EXPECT_EQ(reply.service, "heartbeat");
  EXPECT_EQ(reply.data, bib::error_reply("unknown server 'x': register with rank"));
}

TEST_F(ReferenceServiceTest, ARankHintKeepsTheRankAcrossAReferenceRestart) {
  EXPECT_EQ(call("rank", Map{{"user", "server-2"}, {"rank", 2}}).data.get_int("rank"), 2);
  EXPECT_EQ(call("rank", Map{{"user", "server-1"}, {"rank", 1}}).data.get_int("rank"), 1);
  EXPECT_EQ(call("rank", Map{{"user", "server-3"}}).data.get_int("rank"), 3);
  EXPECT_EQ(call("rank", Map{{"user", "server-4"}, {"rank", "x"}}).data.get_string("status"), "erro");
}

TEST_F(ReferenceServiceTest, BadFieldsGetAnErroWithADescription) {
  const auto missing = call("rank", Map{});
  EXPECT_EQ(missing.service, "rank");
  EXPECT_EQ(missing.data.get_string("status"), "erro");
  EXPECT_NE(missing.data.get_string("description").find("user"), std::string::npos);

  EXPECT_EQ(call("rank", Map{{"user", 5}}).data.get_string("status"), "erro");
  EXPECT_EQ(call("heartbeat", Map{}).data.get_string("status"), "erro");
  EXPECT_EQ(call("rank", Map{{"user", ""}}).data.get_string("description"), "invalid name '': name is empty");
  EXPECT_EQ(call("rank", Map{{"user", std::string(65, 'a')}}).data.get_string("status"), "erro");
  EXPECT_EQ(call("rank", Map{{"user", "a\nb"}}).data.get_string("status"), "erro");
  EXPECT_EQ(call("rank", Map{{"user", "ok"}, {"address", std::string(300, 'a')}}).data.get_string("status"), "erro");
  EXPECT_EQ(call("rank", Map{{"user", "ok"}, {"address", 7}}).data.get_string("status"), "erro");
  EXPECT_TRUE(registry.live(t0).empty());  // nothing was registered by a bad request
}

TEST_F(ReferenceServiceTest, UnknownServicesGetAnErroUnderTheirOwnName) {
  const auto reply = call("login", Map{{"user", "ana"}});
  EXPECT_EQ(reply.service, "login");
  EXPECT_EQ(reply.data.get_string("status"), "erro");
  EXPECT_NE(reply.data.get_string("description").find("unknown service 'login'"), std::string::npos);
}

TEST_F(ReferenceServiceTest, UndecodableRequestsGetServiceError) {
  const auto reply = ReferenceService::undecodable("truncated");
  EXPECT_EQ(reply.service, "error");
  EXPECT_EQ(reply.data.get_string("status"), "erro");
  EXPECT_EQ(reply.data.get_string("description"), "undecodable request: truncated");
}

TEST_F(ReferenceServiceTest, NewRanksAreSavedToTheStateFile) {
  const std::string path = bib::test::make_temp_dir("reference-service") + "/ranks.txt";
  RankStore store(path);
  Registry fresh{milliseconds(3000)};
  ReferenceService with_store{fresh, &store, *log};
  with_store.handle(Envelope{"rank", Map{{"user", "server-1"}}}, "", t0);
  with_store.handle(Envelope{"rank", Map{{"user", "server-2"}}}, "", t0);
  EXPECT_EQ(store.load(), (std::map<std::string, int>{{"server-1", 1}, {"server-2", 2}}));
}

}  // namespace
}  // namespace bib::reference
