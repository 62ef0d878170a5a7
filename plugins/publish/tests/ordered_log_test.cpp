// The SDK's ordered log and its cursors (bib/ordered_log.hpp), first used by history.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "bib/ordered_log.hpp"
#include "support/fake_context.hpp"

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

// Retention (bib/retention.hpp): what a log shows and keeps is a function of the entries it
// holds and of the clock, never of the order they arrived in.
std::vector<std::string> whole_log(const bib::OrderedLog& log, const bib::Retention& retention, double now) {
  std::vector<std::string> out;
  bib::PageQuery query{7, std::nullopt};
  for (;;) {
    Map page = log.page(query, "items", cursor_entry, retention, now);
    const auto& items = page.at("items").as_array();
    std::vector<std::string> texts;
    for (const Value& item : items) texts.push_back(item.as_string());
    out.insert(out.begin(), texts.begin(), texts.end());
    if (!page.count("next")) return out;
    query.before = bib::parse_cursor(page.at("next").as_string());
  }
}

TEST(OrderedLogRetention, ACountLimitKeepsTheSameNewestEntriesWhateverTheArrivalOrder) {
  std::vector<LogPosition> all;
  for (std::uint64_t n = 1; n <= 3000; ++n) all.push_back({n / 2, n % 3 ? "server-1" : "server-2", n});
  const bib::Retention keep{500, 0};
  std::vector<std::vector<std::string>> seen;
  for (unsigned seed : {1U, 2U, 3U}) {
    std::vector<LogPosition> order = all;
    std::shuffle(order.begin(), order.end(), std::mt19937(seed));
    bib::OrderedLog log;
    for (const LogPosition& p : order) {
      log.insert(p, "r" + std::to_string(p.seq), 1000.0);
      log.trim(keep, 1000.0);
    }
    // Trimmed in batches: never much more than the limit held, never less than it shown.
    EXPECT_LE(log.size(), 500U + 1024U);
    seen.push_back(whole_log(log, keep, 1000.0));
    log.trim(keep, 1000.0, true);
    EXPECT_EQ(log.size(), 500U);
    EXPECT_EQ(whole_log(log, keep, 1000.0), seen.back());
  }
  ASSERT_EQ(seen[0].size(), 500U);
  EXPECT_EQ(seen[0].front(), bib::to_cursor(all[2500]));
  EXPECT_EQ(seen[0].back(), bib::to_cursor(all.back()));
  EXPECT_EQ(seen[1], seen[0]);
  EXPECT_EQ(seen[2], seen[0]);
}

TEST(OrderedLogRetention, AnAgeLimitHidesOlderEntriesAndTrimGivesTheirMemoryBack) {
  bib::OrderedLog log;
  // Ten entries a minute apart, the newest at t = 10,000 s; the fourth has no time at all.
  for (std::uint64_t n = 1; n <= 10; ++n) {
    if (n == 4)
      log.insert({n, "s", n}, "");
    else
      log.insert({n, "s", n}, "", 10000.0 - 60.0 * static_cast<double>(10 - n));
  }
  const bib::Retention five_minutes{0, 300};
  // At 10,000.5 s: entries from 9,700 s on are kept (the 5th on), and the one without a time.
  EXPECT_EQ(whole_log(log, five_minutes, 10000.5),
            (std::vector<std::string>{"4:s:4", "5:s:5", "6:s:6", "7:s:7", "8:s:8", "9:s:9", "10:s:10"}));
  EXPECT_EQ(log.page({2, LogPosition{6, "s", 6}}, "items", cursor_entry, five_minutes, 10000.5),
            (Map{{"items", bib::Array{"4:s:4", "5:s:5"}}}));
  // A minute later the 5th is gone too; an hour later only the timeless entry is left.
  EXPECT_EQ(whole_log(log, five_minutes, 10060.0).front(), "4:s:4");
  EXPECT_EQ(whole_log(log, five_minutes, 10060.0).size(), 6U);
  EXPECT_EQ(whole_log(log, five_minutes, 13600.0), (std::vector<std::string>{"4:s:4"}));
  // Trimming stops at the first entry kept: the timeless 4th keeps the later ones in memory,
  // though pages leave them out.
  EXPECT_EQ(log.trim(five_minutes, 13600.0, true), 3U);
  EXPECT_EQ(log.size(), 7U);
  EXPECT_EQ(whole_log(log, five_minutes, 13600.0), (std::vector<std::string>{"4:s:4"}));
  // No limit shows everything that is held.
  EXPECT_EQ(whole_log(log, bib::Retention{}, 13600.0).size(), 7U);
}

TEST(OrderedLogRetention, BothLimitsTogetherAndTheTwinRuleAfterATrim) {
  using Outcome = bib::OrderedLog::Outcome;
  bib::OrderedLog log;
  for (std::uint64_t n = 1; n <= 2000; ++n)
    log.insert({10 * n, "server-2", n}, "r" + std::to_string(n), 5000.0 + static_cast<double>(n));
  const bib::Retention keep{100, 50};  // the newest 100, and none older than 50 s
  // At 7,000 s the entries of 6,950 s (exactly 50 s old) and later: the newest 51.
  EXPECT_EQ(whole_log(log, keep, 7000.0).size(), 51U);
  EXPECT_EQ(whole_log(log, keep, 7000.0).front(), "19500:server-2:1950");
  EXPECT_EQ(log.trim(keep, 7000.0, true), 1949U);
  // The ids of the entries left are still known: an earlier twin replaces, a later is ignored.
  EXPECT_EQ(log.insert({19995, "server-1", 7}, "r2000", 6999.0), Outcome::replaced);
  EXPECT_EQ(log.insert({19991, "server-3", 8}, "r1999", 6999.0), Outcome::ignored);
  EXPECT_EQ(log.size(), 51U);
}

TEST(OrderedLogRetention, SavedLogsKeepTheirTimesAndAnEarlierFormatIsRefused) {
  bib::NamedLogs logs;
  for (std::uint64_t n = 1; n <= 20; ++n)
    logs["geral"].insert({n, "s", n}, "", 100.0 * static_cast<double>(n));
  const bib::Retention ten_minutes{0, 600};
  const std::string bytes = bib::save_named_logs(logs, 20);
  auto [loaded, count] = bib::load_named_logs(bytes);
  EXPECT_EQ(count, 20U);
  EXPECT_EQ(whole_log(loaded.at("geral"), ten_minutes, 2000.0), whole_log(logs.at("geral"), ten_minutes, 2000.0));
  EXPECT_EQ(whole_log(loaded.at("geral"), ten_minutes, 2000.0).size(), 7U);
  // Version 1 began with the count: such a checkpoint is refused, so the host replays instead.
  bib::StateWriter old;
  old.u64(20);
  old.u64(0);
  EXPECT_THROW(bib::load_named_logs(old.take()), std::runtime_error);
}

TEST(OrderedLogRetention, RetentionSweepTrimsEveryLogOnTheLoop) {
  bib::test::FakeContext ctx;
  bib::RetentionRules rules;
  rules.fallback = bib::Retention{10, 0};
  rules.by_name["small"] = bib::Retention{2, 0};
  bib::NamedLogs logs;
  for (std::uint64_t n = 1; n <= 100; ++n) {
    logs["big"].insert({n, "s", n}, "", 1.0);
    logs["small"].insert({n, "s", n}, "", 1.0);
  }
  bib::Timer sweep = bib::start_retention_sweep(ctx, logs, rules);
  ctx.loop_.advance(std::chrono::seconds(31));
  EXPECT_EQ(logs.at("big").size(), 10U);
  EXPECT_EQ(logs.at("small").size(), 2U);
  EXPECT_FALSE(bib::start_retention_sweep(ctx, logs, bib::RetentionRules{}));
}

}  // namespace
