// Every replica ends with the same topic whatever order the settings arrive in.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "topic_board.hpp"

namespace topic {
namespace {

TEST(TopicBoard, TheNewestSettingWinsInAnyArrivalOrder) {
  std::vector<Setting> settings{{"first", "ana", 10.0, "server-1", 1},
                                {"second", "bia", 20.0, "server-2", 1},
                                {"tie, later origin", "caio", 20.0, "server-3", 1}};
  std::sort(settings.begin(), settings.end(),
            [](const Setting& a, const Setting& b) { return a.topic < b.topic; });
  do {
    TopicBoard board;
    for (const Setting& s : settings) board.apply("geral", s);
    ASSERT_NE(board.find("geral"), nullptr);
    EXPECT_EQ(board.find("geral")->topic, "tie, later origin");
  } while (std::next_permutation(settings.begin(), settings.end(),
                                 [](const Setting& a, const Setting& b) { return a.topic < b.topic; }));
}

TEST(TopicBoard, AnOlderSettingIsNotCurrent) {
  TopicBoard board;
  EXPECT_TRUE(board.apply("geral", Setting{"new", "ana", 20.0, "server-1", 2}));
  EXPECT_FALSE(board.apply("geral", Setting{"old", "ana", 10.0, "server-1", 1}));
  EXPECT_EQ(board.find("geral")->topic, "new");
  EXPECT_EQ(board.size(), 1u);
  EXPECT_EQ(board.find("other"), nullptr);
}

TEST(TopicBoard, SavedAndLoadedHoldsTheSameSettings) {
  TopicBoard board;
  board.apply("geral", {"oi", "ana", 10.0, "server-1", 1});
  board.apply("esportes", {"gol", "", 12.5, "server-2", 4});
  const TopicBoard loaded = TopicBoard::load(board.save());
  ASSERT_EQ(loaded.size(), 2U);
  ASSERT_NE(loaded.find("esportes"), nullptr);
  EXPECT_EQ(loaded.find("esportes")->topic, "gol");
  EXPECT_EQ(loaded.find("esportes")->timestamp, 12.5);
  EXPECT_EQ(loaded.find("geral")->user, "ana");
  EXPECT_THROW(TopicBoard::load(board.save().substr(0, 20)), std::runtime_error);
  EXPECT_EQ(TopicBoard::load("").size(), 0U);
}

}  // namespace
}  // namespace topic
