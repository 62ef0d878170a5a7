// MajorityWatch: whether a majority of the cluster is in reach, told only when that changes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "majority_watch.hpp"
#include "support/fake_context.hpp"

namespace bib::replication {
namespace {

using namespace std::chrono_literals;
using Clock = MajorityWatch::Clock;

struct Verdicts {
  std::vector<std::pair<bool, std::string>> seen;
  MajorityWatch::Notify recorder() {
    return [this](bool available, const std::string& why) { seen.emplace_back(available, why); };
  }
};

TEST(MajorityWatch, OfThreeOnePeerHeardWithinTheWindowIsEnough) {
  bib::test::ManualLoop loop;
  MajorityWatch watch(loop, 5000ms, [] { return std::size_t{3}; });
  Verdicts verdicts;
  watch.on_change(verdicts.recorder());
  const auto t0 = Clock::now();
  watch.add_peer("s2", t0);
  watch.add_peer("s3", t0);
  watch.check(t0 + 1s);
  EXPECT_TRUE(watch.available());
  EXPECT_EQ(watch.reachable(), 3u);

  watch.heard_from("s2", t0 + 4s);  // s3 silent from here on
  watch.check(t0 + 6s);
  EXPECT_TRUE(watch.available());
  EXPECT_EQ(watch.reachable(), 2u);
  EXPECT_TRUE(verdicts.seen.empty()) << "no change, nothing told";
}

TEST(MajorityWatch, BothPeersSilentForTheWindowPausesAndOneHeardAgainResumes) {
  bib::test::ManualLoop loop;
  MajorityWatch watch(loop, 5000ms, [] { return std::size_t{3}; });
  Verdicts verdicts;
  watch.on_change(verdicts.recorder());
  const auto t0 = Clock::now();
  watch.add_peer("s2", t0);  // the benefit of the doubt for one window
  watch.add_peer("s3", t0);
  watch.check(t0 + 5s);
  EXPECT_TRUE(watch.available());
  watch.check(t0 + 5001ms);
  EXPECT_FALSE(watch.available());
  ASSERT_EQ(verdicts.seen.size(), 1u);
  EXPECT_FALSE(verdicts.seen[0].first);
  EXPECT_EQ(verdicts.seen[0].second, "1 of 3 servers reachable (this one included), 2 needed");
  watch.check(t0 + 8s);  // still out of reach: told once
  EXPECT_EQ(verdicts.seen.size(), 1u);

  watch.heard_from("s3", t0 + 9s);
  watch.check(t0 + 9s);
  EXPECT_TRUE(watch.available());
  ASSERT_EQ(verdicts.seen.size(), 2u);
  EXPECT_TRUE(verdicts.seen[1].first);
  EXPECT_EQ(verdicts.seen[1].second, "");
}

TEST(MajorityWatch, TheClusterSizeIsAskedAtEachVerdictAndAPeerRemovedNoLongerCounts) {
  bib::test::ManualLoop loop;
  std::size_t servers = 3;
  MajorityWatch watch(loop, 5000ms, [&] { return servers; });
  const auto t0 = Clock::now();
  watch.add_peer("s2", t0);
  watch.check(t0 + 1s);
  EXPECT_TRUE(watch.available());  // 2 of 3
  servers = 5;                     // discovery showed more servers: 2 of 5 is no majority
  watch.check(t0 + 2s);
  EXPECT_FALSE(watch.available());
  servers = 3;
  watch.remove_peer("s2");
  watch.heard_from("s2", t0 + 2s);  // a removed peer is not heard
  watch.check(t0 + 2s);
  EXPECT_FALSE(watch.available());
  EXPECT_EQ(watch.reachable(), 1u);
}

TEST(MajorityWatch, AnUnavailableVerdictIsToldAtOnceToWhoeverAsksLater) {
  bib::test::ManualLoop loop;
  MajorityWatch watch(loop, 5000ms, [] { return std::size_t{3}; });
  watch.check(Clock::now());  // no peer at all: 1 of 3
  Verdicts verdicts;
  watch.on_change(verdicts.recorder());
  ASSERT_EQ(verdicts.seen.size(), 1u);
  EXPECT_FALSE(verdicts.seen[0].first);
}

TEST(MajorityWatch, AloneInAClusterOfOneIsAlwaysAvailable) {
  bib::test::ManualLoop loop;
  MajorityWatch watch(loop, 5000ms, [] { return std::size_t{1}; });
  watch.check(Clock::now() + 1h);
  EXPECT_TRUE(watch.available());
}

}  // namespace
}  // namespace bib::replication
