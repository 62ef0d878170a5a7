// bib/refusal_log.hpp: a burst of refusals costs a line per kind per interval, with the count.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <spdlog/sinks/ostream_sink.h>

#include "bib/refusal_log.hpp"
#include "support/fake_context.hpp"

namespace {

using namespace std::chrono_literals;
using bib::RefusalLog;

class RefusalLogTest : public ::testing::Test {
 protected:
  RefusalLogTest() : sink(std::make_shared<spdlog::sinks::ostream_sink_st>(out)), logger("test", sink) {
    logger.set_pattern("%l %v");
  }

  std::vector<std::string> lines() const {
    std::vector<std::string> result;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);) result.push_back(line);
    return result;
  }

  std::ostringstream out;
  std::shared_ptr<spdlog::sinks::ostream_sink_st> sink;
  spdlog::logger logger;
  bib::test::ManualLoop loop;
};

TEST_F(RefusalLogTest, TheFirstIsWholeTheRestAreCountedOncePerInterval) {
  RefusalLog refusals(logger, loop, 1000ms);
  for (int i = 0; i < 20000; ++i) refusals.refuse("undecodable request", "from direct: garbage #" + std::to_string(i));
  EXPECT_EQ(lines(), (std::vector<std::string>{"warning refused undecodable request: from direct: garbage #0"}));
  loop.advance(1000ms);
  ASSERT_EQ(lines().size(), 2u);
  EXPECT_EQ(lines()[1],
            "warning refused undecodable request: 19999 more of this kind in the last 1 s; the last: from direct: "
            "garbage #19999");
  EXPECT_EQ(refusals.total("undecodable request"), 20000u);
}

TEST_F(RefusalLogTest, ASteadyFloodIsOneLinePerIntervalAndAQuietIntervalReopens) {
  RefusalLog refusals(logger, loop, 1000ms);
  for (int second = 0; second < 5; ++second) {
    for (int i = 0; i < 100; ++i) refusals.refuse("k", "x");
    loop.advance(1000ms);
  }
  // The first whole, then one count per interval: 99, then 100 four times.
  const auto flood = lines();
  ASSERT_EQ(flood.size(), 6u) << out.str();
  EXPECT_NE(flood[1].find(": 99 more of this kind"), std::string::npos);
  for (int i = 2; i < 6; ++i) EXPECT_NE(flood[i].find(": 100 more of this kind"), std::string::npos) << flood[i];
  loop.advance(1000ms);  // nothing came: the window closes without a line
  EXPECT_EQ(lines().size(), 6u);
  refusals.refuse("k", "again");
  ASSERT_EQ(lines().size(), 7u);
  EXPECT_EQ(lines().back(), "warning refused k: again");
}

TEST_F(RefusalLogTest, KindsAreCountedApart) {
  RefusalLog refusals(logger, loop, 1000ms);
  refusals.refuse("a", "1");
  refusals.refuse("b", "1");
  refusals.refuse("a", "2");
  EXPECT_EQ(lines().size(), 2u);
  loop.advance(1000ms);
  ASSERT_EQ(lines().size(), 3u);
  EXPECT_EQ(lines()[2], "warning refused a: 1 more of this kind in the last 1 s; the last: 2");
  EXPECT_EQ(refusals.total("a"), 2u);
  EXPECT_EQ(refusals.total("b"), 1u);
  EXPECT_EQ(refusals.total("c"), 0u);
}

TEST_F(RefusalLogTest, FlushReportsWhatIsCountedAndReopens) {
  RefusalLog refusals(logger, loop, 5000ms, spdlog::level::info, "forwarded");
  refusals.refuse("odd message", "1");
  refusals.refuse("odd message", "2");
  refusals.flush();
  ASSERT_EQ(lines().size(), 2u);
  EXPECT_EQ(lines()[0], "info forwarded odd message: 1");
  EXPECT_EQ(lines()[1], "info forwarded odd message: 1 more of this kind in the last 5 s; the last: 2");
  EXPECT_TRUE(loop.timers.empty());
  refusals.refuse("odd message", "3");
  EXPECT_EQ(lines().back(), "info forwarded odd message: 3");
}

TEST_F(RefusalLogTest, DetailsArePrintableAndCut) {
  EXPECT_EQ(RefusalLog::printable("a\nb\\c\xff"), "a\\x0ab\\x5cc\\xff");
  const std::string long_detail(1000, 'x');
  std::string cut(RefusalLog::kMaxDetail, 'x');
  cut.append("...");  // in steps: GCC 12 -O2 warns falsely (-Warray-bounds) on string + literal
  EXPECT_EQ(RefusalLog::printable(long_detail), cut);
  RefusalLog refusals(logger, loop, 1000ms);
  refusals.refuse("k", "line\n[forged] line");
  EXPECT_EQ(lines(), (std::vector<std::string>{"warning refused k: line\\x0a[forged] line"}));
}

TEST_F(RefusalLogTest, DestroyedWithCountsPendingCancelsItsTimers) {
  {
    RefusalLog refusals(logger, loop, 1000ms);
    refusals.refuse("k", "1");
    refusals.refuse("k", "2");
    EXPECT_EQ(loop.timers.size(), 1u);
  }
  EXPECT_TRUE(loop.timers.empty());
  loop.advance(5000ms);
  EXPECT_EQ(lines().size(), 1u);
}

}  // namespace
