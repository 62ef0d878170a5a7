// The `topic` service's answers, without a host: sets become writes, reads show the current
// setting, and mistakes get the protocol's error reply.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <variant>

#include "topic_requests.hpp"

namespace topic {
namespace {

class Channels final : public bib::NameDirectory {
 public:
  bool contains(std::string_view name) const override { return names.count(std::string(name)) > 0; }
  std::set<std::string> names{"geral"};
};

class TopicRequests : public ::testing::Test {
 protected:
  bib::Outcome ask(bib::Map data) { return answer(bib::Value(std::move(data)), channels, board, 20); }
  static bib::Value reply_of(const bib::Outcome& outcome) { return std::get<bib::Reply>(outcome).data; }

  Channels channels;
  TopicBoard board;
};

TEST_F(TopicRequests, ASetIsAWriteCarryingChannelTopicAndUser) {
  const bib::Outcome outcome = ask({{"channel", "geral"}, {"topic", "news"}, {"user", "ana"}});
  ASSERT_TRUE(std::holds_alternative<bib::Write>(outcome));
  const bib::Value& event = std::get<bib::Write>(outcome).data;
  EXPECT_EQ(event.get_string("channel"), "geral");
  EXPECT_EQ(event.get_string("topic"), "news");
  EXPECT_EQ(event.get_string("user"), "ana");
}

TEST_F(TopicRequests, AReadShowsTheCurrentSettingOrAnEmptyTopic) {
  EXPECT_EQ(reply_of(ask({{"channel", "geral"}})).get_string("topic"), "");
  bib::Event event;
  event.origin = "server-2";
  event.seq = 7;
  event.timestamp = 1700000000.5;
  event.service = "topic";
  event.data = bib::Map{{"channel", "geral"}, {"topic", "news"}, {"user", "ana"}};
  board.apply("geral", setting_of(event));
  const bib::Value reply = reply_of(ask({{"channel", "geral"}}));
  EXPECT_EQ(reply.get_string("status"), "sucesso");
  EXPECT_EQ(reply.get_string("topic"), "news");
  EXPECT_EQ(reply.get_string("user"), "ana");
}

TEST_F(TopicRequests, MistakesGetAnErrorReplyThatSaysWhy) {
  const bib::Value unknown = reply_of(ask({{"channel", "nope"}, {"topic", "x"}}));
  EXPECT_EQ(unknown.get_string("status"), "erro");
  EXPECT_EQ(unknown.get_string("description"), "channel 'nope' does not exist");
  const bib::Value too_long = reply_of(ask({{"channel", "geral"}, {"topic", std::string(21, 'x')}}));
  EXPECT_EQ(too_long.get_string("status"), "erro");
  EXPECT_NE(too_long.get_string("message").find("topic: "), std::string::npos);
  EXPECT_THROW(ask({{"topic", "no channel"}}), bib::FieldError);
}

}  // namespace
}  // namespace topic
