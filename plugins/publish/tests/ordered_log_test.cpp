// The SDK's ordered log and its cursors (bib/ordered_log.hpp), first used by history.
#include <gtest/gtest.h>

#include <memory>

#include "bib/ordered_log.hpp"

namespace {

using bib::LogPosition;
using bib::Map;
using bib::Value;

TEST(Cursor, RoundTripsEvenWithColonsInTheOrigin) {
  for (const LogPosition& p : {LogPosition{0, "a", 0}, LogPosition{42, "server-1", 7},
                               LogPosition{18446744073709551615ULL, "host:5562", 3}}) {
    auto parsed = bib::parse_cursor(bib::to_cursor(p));
    ASSERT_TRUE(parsed) << bib::to_cursor(p);
    EXPECT_EQ(*parsed, p);
  }
  EXPECT_EQ(bib::to_cursor({42, "server-1", 7}), "42:server-1:7");
}

TEST(Cursor, RejectsWhatIsNotOne) {
  for (const char* text : {"", "7", "7:a", "7::3", ":a:3", "7:a:", "x:a:3", "7:a:3x", "-1:a:3", "7:a:+3",
                           "99999999999999999999:a:1"})
    EXPECT_FALSE(bib::parse_cursor(text)) << text;
}

TEST(PageQuery, DefaultsAndBounds) {
  auto plain = bib::page_query(Map{});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain.value().limit, bib::kDefaultPageLimit);
  EXPECT_FALSE(plain.value().before);
  auto nil = bib::page_query(Map{{"limit", nullptr}, {"before", nullptr}});
  ASSERT_TRUE(nil);
  EXPECT_EQ(nil.value().limit, 100U);
  auto clock = bib::page_query(Map{{"limit", 1}, {"before", 9}});
  ASSERT_TRUE(clock);
  EXPECT_EQ(clock.value().limit, 1U);
  EXPECT_EQ(clock.value().before, (LogPosition{9, "", 0}));
  EXPECT_EQ(bib::page_query(Map{{"limit", 1001}}).value().limit, bib::kMaxPageLimit);
}

TEST(OrderedLog, InsertsOnceAndPagesInOrder) {
  bib::OrderedLog log;
  auto entry = [](int n) { return std::make_shared<const Value>(n); };
  EXPECT_TRUE(log.insert({5, "b", 1}, entry(3)));
  EXPECT_TRUE(log.insert({5, "a", 2}, entry(2)));
  EXPECT_TRUE(log.insert({1, "z", 9}, entry(1)));
  EXPECT_TRUE(log.insert({6, "a", 1}, entry(4)));
  EXPECT_FALSE(log.insert({5, "a", 2}, entry(99)));
  EXPECT_EQ(log.size(), 4U);
  EXPECT_EQ(log.page({}, "items"), (Map{{"items", bib::Array{1, 2, 3, 4}}}));
  EXPECT_EQ(log.page({2, LogPosition{6, "a", 1}}, "items"), (Map{{"items", bib::Array{2, 3}}, {"next", "5:a:2"}}));
  EXPECT_EQ(log.page({10, LogPosition{5, "", 0}}, "items"), (Map{{"items", bib::Array{1}}}));
}

TEST(LogEntry, AddsTheEventIdentity) {
  bib::Event event{"server-1", 3, 42, 1.5, "publish", Map{}, ""};
  EXPECT_EQ(bib::log_entry(event, Map{{"message", "oi"}}),
            Value(Map{{"message", "oi"}, {"timestamp", 1.5}, {"clock", 42}, {"origin", "server-1"}, {"seq", 3}}));
}

TEST(OrderedLogTwins, OneRequestIdKeepsOnlyItsEarliestEntryWhateverTheOrder) {
  using Outcome = bib::OrderedLog::Outcome;
  auto entry = [](const char* text) { return std::make_shared<const Value>(Map{{"message", text}}); };
  const LogPosition early{5, "server-1", 2};
  const LogPosition late{7, "server-3", 1};
  bib::OrderedLog in_order;
  EXPECT_EQ(in_order.insert(early, entry("x"), "r1"), Outcome::added);
  EXPECT_EQ(in_order.insert(late, entry("x"), "r1"), Outcome::ignored);
  EXPECT_EQ(in_order.insert(early, entry("x"), "r1"), Outcome::ignored);
  bib::OrderedLog reversed;
  EXPECT_EQ(reversed.insert(late, entry("x"), "r1"), Outcome::added);
  EXPECT_EQ(reversed.insert(early, entry("x"), "r1"), Outcome::replaced);
  EXPECT_EQ(reversed.insert(late, entry("x"), "r1"), Outcome::ignored);
  EXPECT_EQ(in_order.size(), 1U);
  EXPECT_EQ(reversed.size(), 1U);
  EXPECT_EQ(in_order.page({}, "posts"), reversed.page({}, "posts"));
  // Other ids, and no id at all, are independent entries.
  EXPECT_EQ(in_order.insert({8, "server-2", 1}, entry("y"), "r2"), Outcome::added);
  EXPECT_EQ(in_order.insert({9, "server-2", 2}, entry("z"), ""), Outcome::added);
  EXPECT_EQ(in_order.insert({10, "server-2", 3}, entry("z"), ""), Outcome::added);
  EXPECT_EQ(in_order.size(), 4U);
}

}  // namespace
