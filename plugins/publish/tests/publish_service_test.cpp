// The publish service in-process: requests through handle(), committed events through apply(),
// users and channels from stand-in directories.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <variant>

#include "bib/reply.hpp"
#include "publish_service.hpp"
#include "support/fake_context.hpp"
#include "support/fake_plugins.hpp"
#include "support/outcome.hpp"

namespace {

using bib::ApplyMode;
using bib::Array;
using bib::Map;
using bib::Value;

using bib::test::FakeDirectory;
using bib::test::reply_data;  // stands in for the login and channel plugins

class NotADirectory final : public bib::Plugin {
 public:
  void configure(bib::Context&) override {}
};

bib::Event post_event(std::string origin, std::uint64_t seq, std::uint64_t clock, std::string message,
                      std::string channel = "geral", std::string user = "ana", double timestamp = 1000.0) {
  return bib::Event{std::move(origin), seq, clock, timestamp, "publish",
                    Map{{"user", std::move(user)}, {"channel", std::move(channel)}, {"message", std::move(message)}}, ""};
}

// The messages of a page, in page order.
std::vector<std::string> messages_of(const Value& page) {
  std::vector<std::string> out;
  for (const auto& post : page.get_array("posts")) out.push_back(post.get_string("message"));
  return out;
}

class PublishServiceTest : public ::testing::Test {
 protected:
  explicit PublishServiceTest(Value config = Map{}) : ctx(std::move(config)) {
    users.names = {"ana", "bia"};
    channels.names = {"geral", "vazio"};
    ctx.plugins = {{"login", &users}, {"channel", &channels}};
  }
  void SetUp() override { service.configure(ctx); }

  bib::Outcome handle(const std::string& name, Value data) { return service.handle({name, std::move(data), "test"}); }
  Value reply(const std::string& name, Value data) {
    auto outcome = handle(name, std::move(data));
    EXPECT_TRUE(std::holds_alternative<bib::Reply>(outcome)) << "expected a reply to " << name;
    return std::holds_alternative<bib::Reply>(outcome) ? std::get<bib::Reply>(outcome).data : Value{};
  }
  Value history(Map data) {
    data.emplace("channel", "geral");
    return reply("history", std::move(data));
  }
  // As the host commits: the event is in the node's store (pages read it back), and applied.
  Value apply(const bib::Event& event, ApplyMode mode) {
    ctx.applied.add(event);
    return service.apply(event, mode);
  }
  Map status() const {
    Map s;
    service.describe(s);
    return s;
  }

  bib::test::FakeContext ctx;
  FakeDirectory users;
  FakeDirectory channels;
  bib::publish::PublishService service;
};

TEST_F(PublishServiceTest, OffersPublishAndHistory) {
  EXPECT_EQ(service.services(), (std::vector<std::string>{"publish", "history"}));
}

TEST_F(PublishServiceTest, ValidPostIsAWriteOfUserChannelAndMessage) {
  auto outcome = handle("publish", Map{{"user", "ana"}, {"channel", "geral"}, {"message", "oi"},
                                       {"timestamp", 3.5}, {"clock", 4}, {"request_id", "r-1"}});
  ASSERT_TRUE(std::holds_alternative<bib::Write>(outcome));
  EXPECT_EQ(std::get<bib::Write>(outcome).data,
            Value(Map{{"user", "ana"}, {"channel", "geral"}, {"message", "oi"}}));
}

TEST_F(PublishServiceTest, UnknownUserOrChannelIsAnErroInFieldMessage) {
  EXPECT_EQ(reply("publish", Map{{"user", "zeca"}, {"channel", "geral"}, {"message", "oi"}}),
            bib::error_reply("unknown user 'zeca'"));
  EXPECT_EQ(reply("publish", Map{{"user", "ana"}, {"channel", "nada"}, {"message", "oi"}}),
            bib::error_reply("unknown channel 'nada'"));
}

TEST_F(PublishServiceTest, MessageOverTheDefaultLimitIsRefused) {
  EXPECT_TRUE(std::holds_alternative<bib::Write>(
      handle("publish", Map{{"user", "ana"}, {"channel", "geral"}, {"message", std::string(4096, 'x')}})));
  EXPECT_EQ(reply("publish", Map{{"user", "ana"}, {"channel", "geral"}, {"message", std::string(4097, 'x')}}),
            bib::error_reply("message is 4097 bytes long, the limit is 4096"));
  EXPECT_EQ(reply("publish", Map{{"user", "ana"}, {"channel", "geral"}, {"message", "\xc3"}}),
            bib::error_reply("message is not valid UTF-8"));
  // Line breaks are text, not names: they are fine in a post.
  EXPECT_TRUE(std::holds_alternative<bib::Write>(
      handle("publish", Map{{"user", "ana"}, {"channel", "geral"}, {"message", "linha 1\nlinha 2"}})));
}

TEST_F(PublishServiceTest, MissingOrMistypedFieldsAreAnErroInFieldMessage) {
  EXPECT_EQ(reply("publish", Map{{"user", "ana"}, {"channel", "geral"}}),
            bib::error_reply("field 'message' is missing"));
  EXPECT_EQ(reply("publish", Map{{"user", "ana"}, {"channel", 3}, {"message", "oi"}}),
            bib::error_reply("field 'channel' must be a string, got integer"));
  EXPECT_EQ(reply("history", Map{}), bib::error_reply("field 'channel' is missing"));
}

TEST_F(PublishServiceTest, LocalApplyRepliesOkAndPublishesOnTheChannelTopic) {
  auto event = post_event("server-1", 3, 42, "oi", "geral", "ana", 1714.25);
  EXPECT_EQ(apply(event, ApplyMode::local), Value(Map{{"status", "OK"}}));
  ASSERT_EQ(ctx.published.size(), 1U);
  EXPECT_EQ(ctx.published[0].first, "geral");
  EXPECT_EQ(ctx.published[0].second.service, "publish");
  EXPECT_EQ(ctx.published[0].second.data, Value(Map{{"user", "ana"}, {"channel", "geral"}, {"message", "oi"},
                                                    {"timestamp", 1714.25}, {"clock", 42}}));
  // The same fields flat, with type and topic, for clients of the original implementation.
  EXPECT_EQ(ctx.published[0].second.flat,
            (Map{{"type", "channel"}, {"topic", "geral"}, {"user", "ana"}, {"channel", "geral"}, {"message", "oi"},
                 {"timestamp", 1714.25}, {"clock", 42}}));
}

TEST_F(PublishServiceTest, ReplicatedAndReplayedPostsAreNotPublished) {
  apply(post_event("server-2", 1, 5, "a"), ApplyMode::replicated);
  apply(post_event("server-1", 1, 4, "b"), ApplyMode::replay);
  EXPECT_TRUE(ctx.published.empty());
  EXPECT_EQ(messages_of(history({})), (std::vector<std::string>{"b", "a"}));
}

TEST_F(PublishServiceTest, HistoryEntriesCarryTheEventIdentity) {
  apply(post_event("server-1", 3, 42, "oi", "geral", "ana", 1714.25), ApplyMode::local);
  EXPECT_EQ(history({}), Value(Map{{"posts", Array{Map{{"user", "ana"}, {"channel", "geral"}, {"message", "oi"},
                                                           {"timestamp", 1714.25}, {"clock", 42},
                                                           {"origin", "server-1"}, {"seq", 3}}}}}));
}

TEST_F(PublishServiceTest, HistoryOfAnUnknownChannelIsAnErro) {
  EXPECT_EQ(reply("history", Map{{"channel", "nada"}}),
            bib::error_reply("unknown channel 'nada'"));
  EXPECT_EQ(reply("history", Map{{"channel", "vazio"}}), Value(Map{{"posts", Array{}}}));
}

TEST_F(PublishServiceTest, HistoryIsInClockOriginSeqOrderWhateverTheApplyOrder) {
  std::vector<bib::Event> events = {
      post_event("server-1", 1, 3, "1"), post_event("server-2", 1, 3, "2"), post_event("server-2", 2, 3, "3"),
      post_event("server-1", 2, 4, "4"), post_event("server-10", 1, 4, "5"), post_event("server-3", 1, 9, "6"),
  };
  std::mt19937 shuffle_with(7);
  std::shuffle(events.begin(), events.end(), shuffle_with);
  for (const auto& e : events) apply(e, ApplyMode::replicated);
  // "server-10" < "server-3": origins compare as bytes.
  EXPECT_EQ(messages_of(history({})), (std::vector<std::string>{"1", "2", "3", "4", "5", "6"}));
}

TEST_F(PublishServiceTest, PostBeforeItsChannelIsKeptAndShownOnceTheChannelExists) {
  // Replicated events may overtake the creation of the channel they refer to.
  EXPECT_EQ(apply(post_event("server-2", 1, 5, "cedo", "novo", "zeca"), ApplyMode::replicated),
            Value(Map{{"status", "OK"}}));
  EXPECT_EQ(reply("history", Map{{"channel", "novo"}}).get_string("status"), "erro");
  channels.names.insert("novo");
  EXPECT_EQ(messages_of(reply("history", Map{{"channel", "novo"}})), (std::vector<std::string>{"cedo"}));
}

TEST_F(PublishServiceTest, PagesWalkBackExactlyThroughEqualClocksAcrossOrigins) {
  // Seven posts, all with clock 7, from three origins; pages of two must neither skip nor repeat.
  const std::pair<const char*, std::uint64_t> ids[] = {{"a", 1}, {"a", 2}, {"b", 1}, {"b", 5}, {"c", 1}, {"c", 2}, {"c", 3}};
  for (const auto& [origin, seq] : ids)
    apply(post_event(origin, seq, 7, std::string(origin) + std::to_string(seq)), ApplyMode::replicated);
  apply(post_event("a", 3, 8, "newest"), ApplyMode::replicated);

  std::vector<std::string> seen;
  Map query{{"limit", 2}, {"before", 8}};  // everything with clock < 8
  std::vector<std::string> cursors;
  for (int page = 0; page < 10; ++page) {
    Value r = history(query);
    auto messages = messages_of(r);
    EXPECT_LE(messages.size(), 2U);
    seen.insert(seen.begin(), messages.begin(), messages.end());
    if (!r.contains("next")) break;
    cursors.push_back(r.get_string("next"));
    query.insert_or_assign("before", r.get_string("next"));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a1", "a2", "b1", "b5", "c1", "c2", "c3"}));
  EXPECT_EQ(cursors, (std::vector<std::string>{"7:c:2", "7:b:5", "7:a:2"}));
}

TEST_F(PublishServiceTest, LastPageHasNoNext) {
  apply(post_event("a", 1, 1, "x"), ApplyMode::replicated);
  apply(post_event("a", 2, 2, "y"), ApplyMode::replicated);
  EXPECT_FALSE(history({{"limit", 2}}).contains("next"));
  Value first = history({{"limit", 1}});
  EXPECT_EQ(messages_of(first), (std::vector<std::string>{"y"}));
  EXPECT_EQ(first.get_string("next"), "2:a:2");
  Value second = history({{"limit", 1}, {"before", "2:a:2"}});
  EXPECT_EQ(messages_of(second), (std::vector<std::string>{"x"}));
  EXPECT_FALSE(second.contains("next"));
  EXPECT_EQ(history({{"before", 1}}), Value(Map{{"posts", Array{}}}));
}

TEST_F(PublishServiceTest, LimitDefaultsTo100AndIsCappedAt1000) {
  for (std::uint64_t seq = 1; seq <= 1100; ++seq)
    apply(post_event("server-1", seq, seq, std::to_string(seq)), ApplyMode::replicated);
  auto newest = messages_of(history({}));
  ASSERT_EQ(newest.size(), 100U);
  EXPECT_EQ(newest.front(), "1001");
  EXPECT_EQ(newest.back(), "1100");
  auto capped = messages_of(history({{"limit", 5000}}));
  ASSERT_EQ(capped.size(), 1000U);
  EXPECT_EQ(capped.front(), "101");
  EXPECT_EQ(status(), (Map{{"posts", 1100}}));
}

TEST_F(PublishServiceTest, BadLimitOrCursorIsAnErroInFieldMessage) {
  auto error_of = [&](Map data) { return history(std::move(data)).get_string("message"); };
  EXPECT_EQ(error_of({{"limit", 0}}), "field 'limit' must be at least 1, got 0");
  EXPECT_EQ(error_of({{"limit", "10"}}), "field 'limit' must be an integer, got string");
  EXPECT_EQ(error_of({{"before", -1}}), "field 'before' must not be negative");
  EXPECT_EQ(error_of({{"before", 2.5}}), "field 'before' must be an integer clock or a cursor string, got float");
  EXPECT_EQ(error_of({{"before", "7:a"}}), "field 'before' is not a cursor \"clock:origin:seq\": '7:a'");
  EXPECT_EQ(history({{"limit", 1}, {"before", "7:a"}}).get_string("status"), "erro");
}

TEST_F(PublishServiceTest, CountsArePerEventNotPerApplyCall) {
  const auto event = post_event("server-1", 1, 1, "oi");
  apply(event, ApplyMode::replicated);
  apply(event, ApplyMode::replicated);
  apply(post_event("server-1", 2, 2, "oi", "vazio"), ApplyMode::replicated);
  EXPECT_EQ(status(), (Map{{"posts", 2}}));
  EXPECT_EQ(messages_of(history({})).size(), 1U);
}

TEST_F(PublishServiceTest, MalformedEventIsSkippedWithoutThrowing) {
  auto event = post_event("server-1", 1, 1, "oi");
  event.data = Map{{"user", "ana"}, {"channel", "geral"}};
  EXPECT_NO_THROW(apply(event, ApplyMode::replicated));
  EXPECT_EQ(status(), (Map{{"posts", 0}}));
}

// Configuration: which plugins hold users and channels, and the size of a post.
class PublishConfigureTest : public ::testing::Test {
 protected:
  FakeDirectory users;
  FakeDirectory channels;
  NotADirectory other;
  bib::publish::PublishService service;
};

std::string configure_error(bib::publish::PublishService& service, bib::test::FakeContext& ctx) {
  try {
    service.configure(ctx);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST_F(PublishConfigureTest, RefusesToRunWithoutTheDirectories) {
  bib::test::FakeContext ctx;
  ctx.plugins = {{"channel", &channels}};
  EXPECT_EQ(configure_error(service, ctx),
            "option 'users' names plugin 'login', which is not loaded: add [[plugins]] name = \"login\"");
  ctx.plugins = {{"login", &users}};
  EXPECT_EQ(configure_error(service, ctx),
            "option 'channels' names plugin 'channel', which is not loaded: add [[plugins]] name = \"channel\"");
  ctx.plugins = {{"login", &users}, {"channel", &other}};
  EXPECT_EQ(configure_error(service, ctx),
            "option 'channels' names plugin 'channel', which does not keep a directory of names");
}

TEST_F(PublishConfigureTest, OptionsNameOtherDirectoriesAndTheLimit) {
  bib::test::FakeContext ctx(Map{{"users", "accounts"}, {"channels", "rooms"}, {"max_message_bytes", 3}});
  users.names = {"ana"};
  channels.names = {"geral"};
  ctx.plugins = {{"accounts", &users}, {"rooms", &channels}};
  ASSERT_EQ(configure_error(service, ctx), "");
  EXPECT_TRUE(std::holds_alternative<bib::Write>(
      service.handle({"publish", Map{{"user", "ana"}, {"channel", "geral"}, {"message", "abc"}}, "test"})));
  EXPECT_EQ(std::get<bib::Reply>(service.handle({"publish", Map{{"user", "ana"}, {"channel", "geral"}, {"message", "abcd"}}, "test"}))
                .data.get_string("message"),
            "message is 4 bytes long, the limit is 3");
}

TEST_F(PublishConfigureTest, RefusesABadLimit) {
  bib::test::FakeContext ctx(Map{{"max_message_bytes", 0}});
  ctx.plugins = {{"login", &users}, {"channel", &channels}};
  EXPECT_EQ(configure_error(service, ctx), "option 'max_message_bytes' must be a positive integer, got 0");
  bib::test::FakeContext ctx2(Map{{"users", 1}});
  EXPECT_EQ(configure_error(service, ctx2), "option 'users' must be a plugin name, got 1");
}

TEST_F(PublishServiceTest, ATwiceCommittedRequestShowsOnceOnEveryReplica) {
  // Two servers both took request r7 (a retry during a stall): the earlier event wins.
  bib::Event first = post_event("server-1", 4, 20, "oi");
  bib::Event twin = post_event("server-3", 2, 21, "oi");
  first.request_id = twin.request_id = "r7";
  apply(twin, ApplyMode::replicated);
  apply(first, ApplyMode::replicated);
  const Value page = history({});
  ASSERT_EQ(page.get_array("posts").size(), 1U);
  EXPECT_EQ(page.get_array("posts")[0].get_string("origin"), "server-1");
  EXPECT_EQ(status().at("posts"), Value(1));
}

// Checkpoints: what save_state() wrote, restored in a new instance, pages the same posts and
// still keeps a twin request out; bytes it did not write are refused and change nothing.
TEST_F(PublishServiceTest, SavedStateRestoredElsewhereAnswersTheSameHistory) {
  for (std::uint64_t n = 1; n <= 30; ++n)
    apply(post_event(n % 2 ? "server-1" : "server-2", n, n * 3 % 17, "m" + std::to_string(n), n % 3 ? "geral" : "vazio"),
          ApplyMode::replicated);
  bib::Event first = post_event("server-1", 40, 50, "oi");
  first.request_id = "r9";
  apply(first, ApplyMode::replicated);
  const std::optional<std::string> state = service.save_state();
  ASSERT_TRUE(state);

  bib::publish::PublishService restored;
  restored.configure(ctx);
  restored.restore_state(*state);
  for (Map query : {Map{}, Map{{"limit", 4}}, Map{{"limit", 3}, {"before", "10:server-2:8"}}}) {
    Map in_vazio = query;
    in_vazio.insert_or_assign("channel", "vazio");
    query.insert_or_assign("channel", "geral");
    EXPECT_EQ(reply_data(restored.handle({"history", query, "test"})), history(query));
    EXPECT_EQ(reply_data(restored.handle({"history", in_vazio, "test"})),
              reply_data(service.handle({"history", in_vazio, "test"})));
  }
  Map restored_status;
  restored.describe(restored_status);
  EXPECT_EQ(restored_status, status());
  bib::Event twin = post_event("server-3", 1, 60, "oi");  // the same request, later: not shown
  twin.request_id = "r9";
  ctx.applied.add(twin);
  restored.apply(twin, ApplyMode::replicated);
  EXPECT_EQ(reply_data(restored.handle({"history", Map{{"channel", "geral"}, {"limit", 1}}, "test"})),
            history({{"limit", 1}}));

  EXPECT_THROW(restored.restore_state(state->substr(0, state->size() - 5)), std::runtime_error);
  Map after_refusal;
  restored.describe(after_refusal);
  EXPECT_EQ(after_refusal.at("posts"), Value(31));  // the twin was not counted
  restored.restore_state("");
  Map empty;
  restored.describe(empty);
  EXPECT_EQ(empty.at("posts"), Value(0));
}

// Retention (docs/services.md): the newest max_posts of a channel, none older than max_age_s,
// and a channel's own limits in channel_retention.
class PublishRetentionTest : public PublishServiceTest {
 protected:
  PublishRetentionTest()
      : PublishServiceTest(Map{{"max_posts", 5},
                               {"max_age_s", 3600},
                               {"channel_retention", Map{{"vazio", Map{{"max_posts", 2}}}}}}) {}
};

TEST_F(PublishRetentionTest, HistoryShowsOnlyWhatEachChannelKeeps) {
  const double now = ctx.clock().now();
  for (std::uint64_t n = 1; n <= 12; ++n) {
    apply(post_event("server-1", n, n, "g" + std::to_string(n), "geral", "ana", now - 10), ApplyMode::replicated);
    apply(post_event("server-2", n, n, "v" + std::to_string(n), "vazio", "bia", now - 7200), ApplyMode::replicated);
  }
  // geral: the newest five. vazio: its own limit of two, and no age limit (its table leaves
  // max_age_s out), so two-hour-old posts still show.
  EXPECT_EQ(messages_of(history({})), (std::vector<std::string>{"g8", "g9", "g10", "g11", "g12"}));
  EXPECT_EQ(messages_of(reply("history", Map{{"channel", "vazio"}})), (std::vector<std::string>{"v11", "v12"}));
  // Paging ends at the oldest post kept.
  const Value page = history({{"limit", 3}});
  EXPECT_EQ(messages_of(page), (std::vector<std::string>{"g10", "g11", "g12"}));
  const Value older = history({{"limit", 3}, {"before", page.get_string("next")}});
  EXPECT_EQ(messages_of(older), (std::vector<std::string>{"g8", "g9"}));
  EXPECT_FALSE(older.contains("next"));
  // Posts older than an hour are not shown in geral, however few there are.
  apply(post_event("server-3", 1, 100, "old", "geral", "ana", now - 4000), ApplyMode::replicated);
  EXPECT_EQ(messages_of(history({})), (std::vector<std::string>{"g9", "g10", "g11", "g12"}));
  // `posts` in status still counts every post applied.
  EXPECT_EQ(status().at("posts"), Value(25));
}

TEST_F(PublishRetentionTest, TheSweepGivesBackWhatAnIdleChannelNoLongerKeeps) {
  service.start();
  const double now = ctx.clock().now();
  for (std::uint64_t n = 1; n <= 3; ++n)
    apply(post_event("server-1", n, n, "p" + std::to_string(n), "geral", "ana", now - 3590), ApplyMode::replicated);
  EXPECT_EQ(messages_of(history({})).size(), 3U);
  ctx.clock().set_offset(20);  // twenty seconds on: past the hour
  EXPECT_EQ(messages_of(history({})).size(), 0U);
  const std::optional<std::string> before = service.save_state();
  ctx.loop_.advance(std::chrono::seconds(31));
  const std::optional<std::string> after = service.save_state();
  ASSERT_TRUE(before && after);
  EXPECT_LT(after->size(), before->size());  // three positions fewer in the checkpoint state
  service.stop();
  EXPECT_TRUE(ctx.loop_.timers.empty());
}

TEST_F(PublishConfigureTest, RefusesBadRetentionAndUnknownOptions) {
  auto error_of = [&](Map config) {
    bib::test::FakeContext ctx(std::move(config));
    ctx.plugins = {{"login", &users}, {"channel", &channels}};
    return configure_error(service, ctx);
  };
  EXPECT_EQ(error_of(Map{{"max_posts", -1}}), "option 'max_posts' must be at least 0, got -1");
  EXPECT_EQ(error_of(Map{{"max_age_s", "a day"}}), "option 'max_age_s' must be a whole number, got 'a day'");
  EXPECT_EQ(error_of(Map{{"channel_retention", Map{{"geral", Map{{"max_post", 3}}}}}}),
            "option 'channel_retention.geral': unknown option 'max_post' (options: max_posts, max_age_s)");
  EXPECT_EQ(error_of(Map{{"channel_retention", Map{{"geral", 3}}}}),
            "option 'channel_retention.geral' must be a table, got integer");
  EXPECT_EQ(error_of(Map{{"max_post", 3}}).rfind("unknown option 'max_post'", 0), 0U);
  EXPECT_EQ(error_of(Map{{"max_posts", "100"}, {"max_age_s", 0}}), "");
}

}  // namespace
