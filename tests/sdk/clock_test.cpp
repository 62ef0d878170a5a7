#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <thread>
#include <vector>

#include "bib/clock.hpp"

namespace {

using bib::LamportClock;
using bib::Map;
using bib::PhysicalClock;
using bib::Value;

TEST(LamportClock, TickIncrementsFromOne) {
  LamportClock c;
  EXPECT_EQ(c.value(), 0u);
  EXPECT_EQ(c.tick(), 1u);
  EXPECT_EQ(c.tick(), 2u);
  EXPECT_EQ(c.value(), 2u);
}

TEST(LamportClock, ObserveTakesMaxPlusOne) {
  LamportClock c;
  for (int i = 0; i < 5; ++i) c.tick();
  EXPECT_EQ(c.observe(3), 6u);   // own is larger
  EXPECT_EQ(c.observe(10), 11u); // received is larger
  EXPECT_EQ(c.observe(11), 12u); // equal
  EXPECT_EQ(c.value(), 12u);
}

TEST(LamportClock, ConcurrentTicksGiveUniqueValues) {
  LamportClock c;
  constexpr int kThreads = 4;
  constexpr int kTicks = 20000;
  std::vector<std::vector<std::uint64_t>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kTicks; ++i) seen[t].push_back(c.tick());
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::uint64_t> all;
  for (const auto& s : seen) all.insert(s.begin(), s.end());
  EXPECT_EQ(all.size(), std::size_t{kThreads * kTicks});
  EXPECT_EQ(c.value(), std::uint64_t{kThreads * kTicks});
}

TEST(LamportClock, ConcurrentObserveNeverGoesBackwards) {
  LamportClock c;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::uint64_t last = 0;
      for (std::uint64_t i = 0; i < 20000; ++i) {
        const std::uint64_t now = (t % 2) ? c.observe(i * 2) : c.tick();
        EXPECT_GT(now, last);
        last = now;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_GT(c.value(), 2u * 19999u);
}

TEST(PhysicalClock, SystemNowIsUnixSeconds) {
  const double t = PhysicalClock::system_now();
  EXPECT_GT(t, 1.7e9);
  EXPECT_LT(t, 1e10);
}

TEST(PhysicalClock, NowIsSystemPlusOffset) {
  PhysicalClock c;
  EXPECT_NEAR(c.now(), PhysicalClock::system_now(), 0.1);
  c.set_offset(0.5);
  EXPECT_DOUBLE_EQ(c.offset(), 0.5);
  EXPECT_NEAR(c.now() - PhysicalClock::system_now(), 0.5, 0.1);
}

TEST(PhysicalClock, AdjustAddsToTheOffset) {
  PhysicalClock c;
  c.set_offset(0.5);
  c.adjust(0.25);
  EXPECT_DOUBLE_EQ(c.offset(), 0.75);
  c.adjust(-1.0);
  EXPECT_DOUBLE_EQ(c.offset(), -0.25);
  EXPECT_NEAR(c.now() - PhysicalClock::system_now(), -0.25, 0.1);
}

TEST(PhysicalClock, ConcurrentAdjustsAreNotLost) {
  PhysicalClock c;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) c.adjust(0.5);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_DOUBLE_EQ(c.offset(), 20000.0);
}

TEST(Stamp, SetsTimestampAndTicksClock) {
  LamportClock lamport;
  PhysicalClock clock;
  clock.set_offset(100.0);
  Value data = Map{{"user", "ana"}};
  bib::stamp(data, lamport, clock);
  EXPECT_EQ(data.get_int("clock"), 1);
  EXPECT_NEAR(data.get_double("timestamp"), PhysicalClock::system_now() + 100.0, 0.1);
  EXPECT_TRUE(data.at("timestamp").is_double());
  EXPECT_EQ(data.get_string("user"), "ana");
  bib::stamp(data, lamport, clock);
  EXPECT_EQ(data.get_int("clock"), 2);
}

TEST(Stamp, TurnsNilDataIntoAMap) {
  LamportClock lamport;
  PhysicalClock clock;
  Value data;
  bib::stamp(data, lamport, clock);
  EXPECT_TRUE(data.is_map());
  EXPECT_EQ(data.get_int("clock"), 1);
}

TEST(Stamp, SaturatesAtInt64Max) {
  LamportClock lamport;
  PhysicalClock clock;
  lamport.observe(static_cast<std::uint64_t>(INT64_MAX));
  Value data;
  bib::stamp(data, lamport, clock);
  EXPECT_EQ(data.get_int("clock"), INT64_MAX);
}

TEST(Observe, FeedsAnIntegerClockToLamport) {
  LamportClock lamport;
  bib::observe(Map{{"clock", 41}}, lamport);
  EXPECT_EQ(lamport.value(), 42u);
  bib::observe(Map{{"clock", 3}}, lamport);
  EXPECT_EQ(lamport.value(), 43u);
}

TEST(Observe, IgnoresAbsentNegativeOrMistypedClock) {
  LamportClock lamport;
  bib::observe(Map{}, lamport);
  bib::observe(Map{{"clock", -5}}, lamport);
  bib::observe(Map{{"clock", "9"}}, lamport);
  bib::observe(Map{{"clock", 9.0}}, lamport);
  bib::observe(Value("not a map"), lamport);
  EXPECT_EQ(lamport.value(), 0u);
}

}  // namespace
