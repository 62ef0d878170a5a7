// Ranks and liveness at the reference server, driven by a fake clock.
#include <gtest/gtest.h>

#include "registry.hpp"

namespace bib::reference {
namespace {

using std::chrono::milliseconds;

class RegistryTest : public ::testing::Test {
 protected:
  Registry registry{milliseconds(3000)};
  Registry::TimePoint t0 = Registry::TimePoint{} + std::chrono::hours(1);

  std::vector<std::string> live_names(Registry::TimePoint now) const {
    std::vector<std::string> names;
    for (const auto& server : registry.live(now)) names.push_back(server.name);
    return names;
  }
};

TEST_F(RegistryTest, RanksFollowTheOrderOfFirstRegistrationFromOne) {
  EXPECT_EQ(registry.register_server("server-b", "", t0).rank, 1);
  EXPECT_EQ(registry.register_server("server-a", "", t0).rank, 2);
  EXPECT_EQ(registry.register_server("server-c", "", t0).rank, 3);
}

TEST_F(RegistryTest, ANameKeepsItsRankWhenItRegistersAgain) {
  registry.register_server("server-1", "", t0);
  registry.register_server("server-2", "", t0);
  const auto again = registry.register_server("server-1", "", t0 + milliseconds(10000));
  EXPECT_EQ(again.rank, 1);
  EXPECT_FALSE(again.new_rank);
  EXPECT_FALSE(again.was_live);  // it had gone stale
  EXPECT_TRUE(registry.register_server("server-3", "", t0).new_rank);
}

TEST_F(RegistryTest, AWantedRankIsGivenWhenFreeAndIgnoredOtherwise) {
  EXPECT_EQ(registry.register_server("server-2", "", t0, 2).rank, 2);
  EXPECT_EQ(registry.register_server("server-x", "", t0, 2).rank, 3);  // taken: next after the highest
  EXPECT_EQ(registry.register_server("server-1", "", t0, 1).rank, 1);
  EXPECT_EQ(registry.register_server("server-y", "", t0, 0).rank, 4);
  EXPECT_EQ(registry.register_server("server-z", "", t0, kMaxWantedRank + 1).rank, 5);
  EXPECT_EQ(registry.register_server("server-1", "", t0, 7).rank, 1);  // a known name keeps its rank
}

TEST_F(RegistryTest, RestoredRanksStayReservedButMustRegisterAgain) {
  registry.restore({{"server-1", 1}, {"server-2", 2}});
  EXPECT_TRUE(registry.live(t0).empty());
  EXPECT_EQ(registry.heartbeat("server-1", t0), Registry::Heartbeat::unknown);
  EXPECT_EQ(registry.register_server("server-new", "", t0).rank, 3);
  const auto back = registry.register_server("server-2", "10.0.0.2", t0);
  EXPECT_EQ(back.rank, 2);
  EXPECT_FALSE(back.new_rank);
  EXPECT_EQ(live_names(t0), (std::vector<std::string>{"server-2", "server-new"}));
}

TEST_F(RegistryTest, HeartbeatOfANameNeverRegisteredIsUnknown) {
  EXPECT_EQ(registry.heartbeat("ghost", t0), Registry::Heartbeat::unknown);
  EXPECT_TRUE(registry.live(t0).empty());
}

TEST_F(RegistryTest, ListHoldsOnlyServersHeardFromWithinTheTimeoutSortedByRank) {
  registry.register_server("server-3", "127.0.2.3", t0);
  registry.register_server("server-1", "127.0.2.1", t0);
  registry.register_server("server-2", "127.0.2.2", t0 + milliseconds(2000));
  const auto live = registry.live(t0 + milliseconds(3000));
  ASSERT_EQ(live.size(), 3u);
  EXPECT_EQ(live[0].name, "server-3");
  EXPECT_EQ(live[0].rank, 1);
  EXPECT_EQ(live[0].address, "127.0.2.3");
  EXPECT_EQ(live[2].name, "server-2");

  EXPECT_EQ(registry.heartbeat("server-1", t0 + milliseconds(2500)), Registry::Heartbeat::alive);
  EXPECT_EQ(live_names(t0 + milliseconds(3001)), (std::vector<std::string>{"server-1", "server-2"}));
  EXPECT_EQ(live_names(t0 + milliseconds(5001)), (std::vector<std::string>{"server-1"}));
  EXPECT_TRUE(registry.live(t0 + milliseconds(5501)).empty());
}

TEST_F(RegistryTest, AHeartbeatAfterASilenceBringsTheServerBack) {
  registry.register_server("server-1", "", t0);
  EXPECT_TRUE(registry.live(t0 + milliseconds(4000)).empty());
  EXPECT_EQ(registry.heartbeat("server-1", t0 + milliseconds(4000)), Registry::Heartbeat::revived);
  EXPECT_EQ(live_names(t0 + milliseconds(4000)), (std::vector<std::string>{"server-1"}));
}

TEST_F(RegistryTest, EachSilenceIsReportedOnce) {
  registry.register_server("server-1", "", t0);
  registry.register_server("server-2", "", t0);
  EXPECT_TRUE(registry.newly_stale(t0 + milliseconds(3000)).empty());
  registry.heartbeat("server-2", t0 + milliseconds(2000));
  const auto stale = registry.newly_stale(t0 + milliseconds(3001));
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].name, "server-1");
  EXPECT_TRUE(registry.newly_stale(t0 + milliseconds(3002)).empty());
  registry.heartbeat("server-1", t0 + milliseconds(4000));
  EXPECT_EQ(registry.newly_stale(t0 + milliseconds(8000)).size(), 2u);
}

TEST_F(RegistryTest, AnEmptyAddressKeepsTheOneKnown) {
  registry.register_server("server-1", "127.0.2.1", t0);
  registry.register_server("server-1", "", t0);
  EXPECT_EQ(registry.live(t0).at(0).address, "127.0.2.1");
  registry.register_server("server-1", "10.1.1.1", t0);
  EXPECT_EQ(registry.live(t0).at(0).address, "10.1.1.1");
}

TEST_F(RegistryTest, RanksListsEveryNameEverRanked) {
  registry.restore({{"old", 4}});
  registry.register_server("new", "", t0);
  EXPECT_EQ(registry.ranks(), (std::map<std::string, int>{{"new", 5}, {"old", 4}}));
}

}  // namespace
}  // namespace bib::reference
