// The SDK's ordered log and its cursors (bib/ordered_log.hpp), first used by history.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <set>

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

// The log keeps positions; a page reads each entry back. Here an entry is its cursor.
std::optional<Value> cursor_entry(const LogPosition& p) { return Value(bib::to_cursor(p)); }

TEST(OrderedLog, InsertsOnceAndPagesInOrder) {
  bib::OrderedLog log;
  EXPECT_TRUE(log.insert({5, "b", 1}));
  EXPECT_TRUE(log.insert({5, "a", 2}));
  EXPECT_TRUE(log.insert({1, "z", 9}));
  EXPECT_TRUE(log.insert({6, "a", 1}));
  EXPECT_FALSE(log.insert({5, "a", 2}));
  EXPECT_EQ(log.size(), 4U);
  EXPECT_EQ(log.page({}, "items", cursor_entry),
            (Map{{"items", bib::Array{"1:z:9", "5:a:2", "5:b:1", "6:a:1"}}}));
  EXPECT_EQ(log.page({2, LogPosition{6, "a", 1}}, "items", cursor_entry),
            (Map{{"items", bib::Array{"5:a:2", "5:b:1"}}, {"next", "5:a:2"}}));
  EXPECT_EQ(log.page({10, LogPosition{5, "", 0}}, "items", cursor_entry), (Map{{"items", bib::Array{"1:z:9"}}}));
}

TEST(OrderedLog, OrdersByOriginNameNotByWhenTheOriginWasFirstSeen) {
  // Origins are interned in arrival order ("zeta" first); the order must still be by name.
  std::mt19937 random(7);
  std::set<LogPosition> expected;
  bib::OrderedLog log;
  const char* origins[] = {"zeta", "alpha", "mid", "server-10", "server-2"};
  for (int n = 0; n < 2000; ++n) {
    LogPosition p{random() % 50, origins[random() % 5], random() % 40};
    EXPECT_EQ(log.insert(p), expected.insert(p).second);
  }
  bib::Array all;
  for (const LogPosition& p : expected) all.push_back(bib::to_cursor(p));
  EXPECT_EQ(log.page({bib::kMaxPageLimit, std::nullopt}, "items", cursor_entry).at("items").as_array().size(),
            std::min<std::size_t>(all.size(), bib::kMaxPageLimit));
  // Page backwards through everything with the cursors the pages give.
  bib::Array paged;
  bib::PageQuery query{37, std::nullopt};
  for (;;) {
    Map page = log.page(query, "items", cursor_entry);
    const auto& items = page.at("items").as_array();
    paged.insert(paged.begin(), items.begin(), items.end());
    if (!page.count("next")) break;
    query.before = bib::parse_cursor(page.at("next").as_string());
  }
  EXPECT_EQ(paged, all);
}

TEST(OrderedLog, AnEntryTheLoaderCannotFindIsLeftOutAndPagingGoesOn) {
  bib::OrderedLog log;
  for (std::uint64_t clock = 1; clock <= 4; ++clock) log.insert({clock, "s", clock});
  auto all_but_the_third = [](const LogPosition& p) -> std::optional<Value> {
    if (p.seq == 3) return std::nullopt;
    return Value(bib::to_cursor(p));
  };
  EXPECT_EQ(log.page({2, std::nullopt}, "items", all_but_the_third), (Map{{"items", bib::Array{"4:s:4"}}, {"next", "3:s:3"}}));
}

TEST(StringFields, TakesTheNamedStringsOrNothing) {
  bib::Event event{"server-1", 3, 42, 1.5, "publish", Map{{"user", "ana"}, {"message", "oi"}, {"n", 1}}, ""};
  EXPECT_EQ(bib::string_fields(event, {"user", "message"}), (Map{{"user", "ana"}, {"message", "oi"}}));
  EXPECT_FALSE(bib::string_fields(event, {"user", "channel"}));
  EXPECT_FALSE(bib::string_fields(event, {"n"}));
}

TEST(LogEntry, AddsTheEventIdentity) {
  bib::Event event{"server-1", 3, 42, 1.5, "publish", Map{}, ""};
  EXPECT_EQ(bib::log_entry(event, Map{{"message", "oi"}}),
            Value(Map{{"message", "oi"}, {"timestamp", 1.5}, {"clock", 42}, {"origin", "server-1"}, {"seq", 3}}));
}

TEST(OrderedLogTwins, OneRequestIdKeepsOnlyItsEarliestEntryWhateverTheOrder) {
  using Outcome = bib::OrderedLog::Outcome;
  const LogPosition early{5, "server-1", 2};
  const LogPosition late{7, "server-3", 1};
  bib::OrderedLog in_order;
  EXPECT_EQ(in_order.insert(early, "r1"), Outcome::added);
  EXPECT_EQ(in_order.insert(late, "r1"), Outcome::ignored);
  EXPECT_EQ(in_order.insert(early, "r1"), Outcome::ignored);
  bib::OrderedLog reversed;
  EXPECT_EQ(reversed.insert(late, "r1"), Outcome::added);
  EXPECT_EQ(reversed.insert(early, "r1"), Outcome::replaced);
  EXPECT_EQ(reversed.insert(late, "r1"), Outcome::ignored);
  EXPECT_EQ(in_order.size(), 1U);
  EXPECT_EQ(reversed.size(), 1U);
  EXPECT_EQ(in_order.page({}, "posts", cursor_entry), reversed.page({}, "posts", cursor_entry));
  EXPECT_EQ(in_order.page({}, "posts", cursor_entry), (Map{{"posts", bib::Array{"5:server-1:2"}}}));
  // Other ids, and no id at all, are independent entries.
  EXPECT_EQ(in_order.insert({8, "server-2", 1}, "r2"), Outcome::added);
  EXPECT_EQ(in_order.insert({9, "server-2", 2}, ""), Outcome::added);
  EXPECT_EQ(in_order.insert({10, "server-2", 3}, ""), Outcome::added);
  EXPECT_EQ(in_order.size(), 4U);
}

TEST(OrderedLogTwins, ManyRequestsEachKeepOneEntryWhateverTheOrderOfTheirTwins) {
  using Outcome = bib::OrderedLog::Outcome;
  bib::OrderedLog log;
  constexpr std::uint64_t kRequests = 20000;  // the request table grows many times
  for (std::uint64_t n = 1; n <= kRequests; ++n)
    ASSERT_EQ(log.insert({2 * n, "server-2", n}, "r" + std::to_string(n)), Outcome::added);
  // An earlier twin of every 1000th request replaces it; a later twin of every 999th is ignored.
  for (std::uint64_t n = 1000; n <= kRequests; n += 1000)
    EXPECT_EQ(log.insert({2 * n - 1, "server-1", n}, "r" + std::to_string(n)), Outcome::replaced) << n;
  for (std::uint64_t n = 999; n <= kRequests; n += 999)
    EXPECT_EQ(log.insert({2 * n + 1, "server-3", n}, "r" + std::to_string(n)), Outcome::ignored) << n;
  EXPECT_EQ(log.size(), kRequests);
  auto page = log.page({1, bib::LogPosition{2 * 1000, "", 0}}, "items", cursor_entry);
  EXPECT_EQ(page.at("items"), (bib::Array{"1999:server-1:1000"}));
}

}  // namespace
