// Berkeley averaging with outliers and Cristian's estimate (sync_math.hpp).
#include <gtest/gtest.h>

#include "sync_math.hpp"

namespace bib::coordination {
namespace {

double correction_of(const BerkeleyRound& round, const std::string& server) {
  for (const Correction& c : round.corrections)
    if (c.server == server) return c.correction;
  ADD_FAILURE() << "no correction for " << server;
  return 0;
}

TEST(SyncMath, EstimateAddsHalfTheRoundTrip) {
  // The peer read 100.0 when it answered; the reply took rtt/2 = 0.1 s to come back, so it
  // reads 100.1 as we read 99.0 at receipt: it is 1.1 s ahead.
  EXPECT_NEAR(estimate_offset(100.0, 0.2, 99.0), 1.1, 1e-9);
  EXPECT_DOUBLE_EQ(estimate_offset(50.0, 0.0, 50.0), 0.0);
}

TEST(SyncMath, MedianOfOddAndEvenCounts) {
  EXPECT_DOUBLE_EQ(median({3.0, -1.0, 2.0}), 2.0);
  EXPECT_DOUBLE_EQ(median({4.0, 1.0, 2.0, 3.0}), 2.5);
  EXPECT_DOUBLE_EQ(median({}), 0.0);
}

TEST(SyncMath, EveryoneMovesToTheAverage) {
  // The coordinator (drift +1) sees the others at -1 s and -2 s (drifts 0 and -1).
  const auto round = berkeley_average({{"c", 0.0}, {"a", -1.0}, {"b", -2.0}}, 2.0);
  EXPECT_DOUBLE_EQ(round.median, -1.0);
  EXPECT_DOUBLE_EQ(round.average, -1.0);
  EXPECT_EQ(round.averaged, 3u);
  EXPECT_DOUBLE_EQ(correction_of(round, "c"), -1.0);
  EXPECT_DOUBLE_EQ(correction_of(round, "a"), 0.0);
  EXPECT_DOUBLE_EQ(correction_of(round, "b"), 1.0);
  // After the corrections every clock reads the same.
  for (const Correction& c : round.corrections) EXPECT_DOUBLE_EQ(c.offset_before + c.correction, round.average);
}

TEST(SyncMath, OutliersStayOutOfTheAverageButAreCorrected) {
  const auto round = berkeley_average({{"c", 0.0}, {"a", 0.2}, {"b", -0.2}, {"bad", 30.0}}, 2.0);
  EXPECT_DOUBLE_EQ(round.median, 0.1);
  EXPECT_EQ(round.averaged, 3u);
  EXPECT_NEAR(round.average, 0.0, 1e-12);
  ASSERT_EQ(round.corrections.size(), 4u);
  EXPECT_TRUE(round.corrections[3].outlier);
  EXPECT_FALSE(round.corrections[0].outlier);
  EXPECT_NEAR(correction_of(round, "bad"), -30.0, 1e-12);
}

TEST(SyncMath, OutlierBoundIsInclusive) {
  const auto round = berkeley_average({{"c", 0.0}, {"a", 2.0}, {"b", 4.0}}, 2.0);  // median 2: both ends at 2.0
  EXPECT_EQ(round.averaged, 3u);
  EXPECT_DOUBLE_EQ(round.average, 2.0);
}

TEST(SyncMath, NothingTrustedFallsBackToTheCoordinatorsClock) {
  const auto round = berkeley_average({{"c", 0.0}, {"a", 10.0}}, 2.0);  // median 5: both 5 away
  EXPECT_EQ(round.averaged, 0u);
  EXPECT_DOUBLE_EQ(round.average, 0.0);
  EXPECT_DOUBLE_EQ(correction_of(round, "c"), 0.0);
  EXPECT_DOUBLE_EQ(correction_of(round, "a"), -10.0);
}

TEST(SyncMath, ACoordinatorAloneKeepsItsClock) {
  const auto round = berkeley_average({{"c", 0.0}}, 2.0);
  EXPECT_DOUBLE_EQ(round.average, 0.0);
  EXPECT_DOUBLE_EQ(correction_of(round, "c"), 0.0);
}

TEST(SyncMath, CristianAdjustsOnlyBeyondHalfTheRoundTrip) {
  // 1 ms apart with a 10 ms round trip: within the estimate's own error, kept.
  auto step = cristian_step(100.001, 0.010, 100.005);
  EXPECT_NEAR(step.difference, 0.001, 1e-9);
  EXPECT_FALSE(step.adjust);
  // The coordinator is 0.5 s behind: step back by 0.5 s.
  step = cristian_step(99.5, 0.002, 100.001);
  EXPECT_NEAR(step.difference, -0.5, 1e-9);
  EXPECT_TRUE(step.adjust);
}

}  // namespace
}  // namespace bib::coordination
