// Which server answered, from the `seen` version vectors of replies.
#include <gtest/gtest.h>

#include "answering_server.hpp"

namespace bib::chat {
namespace {

Value reply(Map seen) { return Map{{"status", "OK"}, {"seen", std::move(seen)}}; }

TEST(AnsweringServer, AWriteNamesTheOneOriginThatGrew) {
  AnsweringServer answering;
  answering.observe(reply(Map{{"server-1", 4}, {"server-2", 7}}), false);
  EXPECT_EQ(answering.last(), "");  // a read names nobody
  answering.observe(reply(Map{{"server-1", 4}, {"server-2", 8}}), true);
  EXPECT_EQ(answering.last(), "server-2");
}

TEST(AnsweringServer, SeveralGrowingOrAnUnreadableReplyKeepsThePreviousAnswer) {
  AnsweringServer answering;
  answering.observe(reply(Map{{"server-1", 1}}), true);
  EXPECT_EQ(answering.last(), "server-1");
  answering.observe(reply(Map{{"server-1", 2}, {"server-3", 5}}), true);
  EXPECT_EQ(answering.last(), "server-1");
  answering.observe(Map{{"seen", "nonsense"}}, true);
  answering.observe(Map{{"seen", Map{{"server-2", "x"}}}}, true);
  EXPECT_EQ(answering.last(), "server-1");
}

TEST(AnsweringServer, AReplyThatNamesItsServerSaysItExactly) {
  AnsweringServer answering;
  Value reply_data = reply(Map{{"server-1", 3}, {"server-2", 9}});
  reply_data["node"] = "server-2";
  answering.observe(reply_data, false);
  EXPECT_EQ(answering.last(), "server-2");
}

}  // namespace
}  // namespace bib::chat
