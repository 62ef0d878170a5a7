// The bully election's decisions (bully.hpp), without sockets or timers.
#include <gtest/gtest.h>

#include "bully.hpp"

namespace bib::coordination {
namespace {

const std::vector<Peer> kPeers{{"server-3", 3, "a3"}, {"server-1", 1, "a1"}, {"server-4", 4, "a4"}};

std::vector<std::string> names(const std::vector<Peer>& peers) {
  std::vector<std::string> out;
  for (const Peer& p : peers) out.push_back(p.name);
  return out;
}

TEST(Bully, OnlyHigherRanksAreAskedLowestFirst) {
  EXPECT_EQ(names(higher_ranked(kPeers, 2)), (std::vector<std::string>{"server-3", "server-4"}));
  EXPECT_TRUE(higher_ranked(kPeers, 4).empty());
}

TEST(Bully, OkOnlyToALowerRank) {
  EXPECT_TRUE(answers_ok(3, 1));
  EXPECT_FALSE(answers_ok(3, 3));
  EXPECT_FALSE(answers_ok(2, 3));
}

TEST(Bully, TheHighestRankWinsAtOnce) {
  Bully bully("server-5");
  const auto start = bully.start(5, kPeers);
  EXPECT_TRUE(start.started);
  EXPECT_TRUE(start.won);
  EXPECT_TRUE(start.ask.empty());
  EXPECT_EQ(bully.phase(), Phase::coordinator);
  EXPECT_EQ(bully.coordinator(), "server-5");
}

TEST(Bully, NoOkInTimeWins) {
  Bully bully("server-2");
  const auto start = bully.start(2, kPeers);
  EXPECT_FALSE(start.won);
  EXPECT_EQ(names(start.ask), (std::vector<std::string>{"server-3", "server-4"}));
  EXPECT_EQ(bully.phase(), Phase::electing);
  EXPECT_TRUE(bully.on_election_timeout());
  EXPECT_EQ(bully.phase(), Phase::coordinator);
  EXPECT_EQ(bully.coordinator(), "server-2");
}

TEST(Bully, AnOkWaitsForTheAnnouncement) {
  Bully bully("server-2");
  bully.start(2, kPeers);
  EXPECT_TRUE(bully.on_ok());
  EXPECT_FALSE(bully.on_ok());  // the second OK changes nothing
  EXPECT_EQ(bully.phase(), Phase::waiting);
  EXPECT_FALSE(bully.on_election_timeout());  // a late election timer does not make us win
  EXPECT_EQ(bully.on_announcement("server-4", 4, 2), Bully::Heard::new_coordinator);
  EXPECT_EQ(bully.phase(), Phase::following);
  EXPECT_EQ(bully.coordinator(), "server-4");
  EXPECT_FALSE(bully.on_wait_timeout());
}

TEST(Bully, NoAnnouncementAfterAnOkElectsAgain) {
  Bully bully("server-2");
  bully.start(2, kPeers);
  bully.on_ok();
  EXPECT_TRUE(bully.on_wait_timeout());
  EXPECT_EQ(bully.phase(), Phase::following);
  EXPECT_FALSE(bully.coordinator());
  EXPECT_TRUE(bully.start(2, kPeers).started);
}

TEST(Bully, OneElectionAtATime) {
  Bully bully("server-2");
  bully.start(2, kPeers);
  EXPECT_FALSE(bully.start(2, kPeers).started);
  bully.on_ok();
  EXPECT_FALSE(bully.start(2, kPeers).started);
}

TEST(Bully, FollowersRecogniseTheSameCoordinator) {
  Bully bully("server-1");
  EXPECT_EQ(bully.on_announcement("server-3", 3, 1), Bully::Heard::new_coordinator);
  EXPECT_EQ(bully.on_announcement("server-3", 3, 1), Bully::Heard::same);
  EXPECT_EQ(bully.on_announcement("server-1", 1, 1), Bully::Heard::own);
}

TEST(Bully, AHigherRankComingBackTakesOver) {
  // server-4 was down; server-3 coordinates. server-4 hears server-3's announcement: challenge.
  Bully back("server-4");
  EXPECT_EQ(back.on_announcement("server-3", 3, 4), Bully::Heard::challenge);
  EXPECT_EQ(back.coordinator(), "server-3");
  EXPECT_TRUE(back.start(4, kPeers).won);

  // server-3 hears server-4's announcement: steps down and follows it.
  Bully old("server-3");
  old.start(3, {{"server-1", 1, "a1"}});
  ASSERT_TRUE(old.is_coordinator());
  EXPECT_EQ(old.on_announcement("server-4", 4, 3), Bully::Heard::new_coordinator);
  EXPECT_EQ(old.phase(), Phase::following);
  EXPECT_EQ(old.coordinator(), "server-4");
}

TEST(Bully, ACoordinatorReassertsAgainstALowerRank) {
  Bully bully("server-4");
  bully.start(4, kPeers);
  EXPECT_EQ(bully.on_announcement("server-3", 3, 4), Bully::Heard::reassert);
  EXPECT_TRUE(bully.is_coordinator());
}

TEST(Bully, ALowerRankIsIgnoredWhileCampaigning) {
  Bully bully("server-3");
  bully.start(3, kPeers);
  EXPECT_EQ(bully.on_announcement("server-1", 1, 3), Bully::Heard::ignored);
  EXPECT_EQ(bully.phase(), Phase::electing);
}

TEST(Bully, AnUnknownRankCountsAsHigher) {
  Bully bully("server-3");
  bully.start(3, {});
  EXPECT_EQ(bully.on_announcement("newcomer", std::nullopt, 3), Bully::Heard::new_coordinator);
  EXPECT_EQ(bully.coordinator(), "newcomer");
}

TEST(Bully, LosingTheCoordinatorCallsAnElection) {
  Bully bully("server-1");
  bully.on_announcement("server-3", 3, 1);
  EXPECT_FALSE(bully.lose_coordinator("server-4"));  // not ours
  EXPECT_TRUE(bully.lose_coordinator("server-3"));
  EXPECT_FALSE(bully.coordinator());
  EXPECT_FALSE(bully.lose_coordinator("server-3"));
}

}  // namespace
}  // namespace bib::coordination
