// The message service in-process: requests through handle(), committed events through apply(),
// users from a stand-in directory.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <variant>

#include "bib/reply.hpp"
#include "message_service.hpp"
#include "support/fake_context.hpp"
#include "support/fake_plugins.hpp"

namespace {

using bib::ApplyMode;
using bib::Array;
using bib::Map;
using bib::Value;

using bib::test::FakeDirectory;  // stands in for the login plugin

bib::Event message_event(std::string origin, std::uint64_t seq, std::uint64_t clock, std::string src, std::string dst,
                         std::string message, double timestamp = 1000.0) {
  return bib::Event{std::move(origin), seq, clock, timestamp, "message",
                    Map{{"src", std::move(src)}, {"dst", std::move(dst)}, {"message", std::move(message)}}, ""};
}

std::vector<std::string> texts_of(const Value& page) {
  std::vector<std::string> out;
  for (const auto& m : page.get_array("messages")) out.push_back(m.get_string("message"));
  return out;
}

class MessageServiceTest : public ::testing::Test {
 protected:
  MessageServiceTest() {
    users.names = {"ana", "bia", "caio"};
    ctx.plugins = {{"login", &users}};
  }
  void SetUp() override { service.configure(ctx); }

  bib::Outcome handle(const std::string& name, Value data) { return service.handle({name, std::move(data), "test"}); }
  Value reply(const std::string& name, Value data) {
    auto outcome = handle(name, std::move(data));
    EXPECT_TRUE(std::holds_alternative<bib::Reply>(outcome)) << "expected a reply to " << name;
    return std::holds_alternative<bib::Reply>(outcome) ? std::get<bib::Reply>(outcome).data : Value{};
  }
  Value inbox(const std::string& user, Map data = {}) {
    data.emplace("user", user);
    return reply("inbox", std::move(data));
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
  bib::message::MessageService service;
};

TEST_F(MessageServiceTest, OffersMessageAndInbox) {
  EXPECT_EQ(service.services(), (std::vector<std::string>{"message", "inbox"}));
}

TEST_F(MessageServiceTest, ValidMessageIsAWriteOfSrcDstAndMessage) {
  auto outcome = handle("message", Map{{"src", "ana"}, {"dst", "bia"}, {"message", "oi"}, {"clock", 9}});
  ASSERT_TRUE(std::holds_alternative<bib::Write>(outcome));
  EXPECT_EQ(std::get<bib::Write>(outcome).data, Value(Map{{"src", "ana"}, {"dst", "bia"}, {"message", "oi"}}));
}

TEST_F(MessageServiceTest, UnknownSrcOrDstIsAnErroInFieldMessage) {
  EXPECT_EQ(reply("message", Map{{"src", "zeca"}, {"dst", "bia"}, {"message", "oi"}}),
            bib::error_reply("unknown user 'zeca'"));
  EXPECT_EQ(reply("message", Map{{"src", "ana"}, {"dst", "zeca"}, {"message", "oi"}}),
            bib::error_reply("unknown user 'zeca'"));
}

TEST_F(MessageServiceTest, OversizedOrMalformedTextIsRefused) {
  EXPECT_EQ(reply("message", Map{{"src", "ana"}, {"dst", "bia"}, {"message", std::string(4097, 'x')}}),
            bib::error_reply("message is 4097 bytes long, the limit is 4096"));
  EXPECT_EQ(reply("message", Map{{"src", "ana"}, {"dst", "bia"}, {"message", "\x80"}}).get_string("message"),
            "message is not valid UTF-8");
  EXPECT_TRUE(std::holds_alternative<bib::Write>(
      handle("message", Map{{"src", "ana"}, {"dst", "bia"}, {"message", std::string(4096, 'x')}})));
}

TEST_F(MessageServiceTest, MissingOrMistypedFieldsAreAnErroInFieldMessage) {
  EXPECT_EQ(reply("message", Map{{"src", "ana"}, {"message", "oi"}}),
            bib::error_reply("field 'dst' is missing"));
  EXPECT_EQ(reply("inbox", Map{{"user", true}}),
            bib::error_reply("field 'user' must be a string, got bool"));
}

TEST_F(MessageServiceTest, LocalApplyRepliesOkAndPublishesOnTheRecipientsTopic) {
  EXPECT_EQ(apply(message_event("server-1", 2, 17, "ana", "bia", "oi", 1714.5), ApplyMode::local),
            Value(Map{{"status", "OK"}}));
  ASSERT_EQ(ctx.published.size(), 1U);
  EXPECT_EQ(ctx.published[0].first, "bia");
  EXPECT_EQ(ctx.published[0].second.service, "message");
  EXPECT_EQ(ctx.published[0].second.data, Value(Map{{"src", "ana"}, {"dst", "bia"}, {"message", "oi"},
                                                    {"timestamp", 1714.5}, {"clock", 17}}));
  EXPECT_EQ(ctx.published[0].second.flat,
            (Map{{"type", "user"}, {"topic", "bia"}, {"src", "ana"}, {"dst", "bia"}, {"message", "oi"},
                 {"timestamp", 1714.5}, {"clock", 17}}));
}

TEST_F(MessageServiceTest, ReplicatedAndReplayedMessagesAreNotPublished) {
  apply(message_event("server-2", 1, 3, "ana", "bia", "a"), ApplyMode::replicated);
  apply(message_event("server-1", 1, 4, "bia", "ana", "b"), ApplyMode::replay);
  EXPECT_TRUE(ctx.published.empty());
  EXPECT_EQ(status(), (Map{{"messages", 2}}));
}

TEST_F(MessageServiceTest, InboxHoldsWhatTheUserSentAndReceivedInOrder) {
  apply(message_event("server-2", 1, 5, "bia", "ana", "bia->ana"), ApplyMode::replicated);
  apply(message_event("server-1", 1, 5, "ana", "bia", "ana->bia"), ApplyMode::replicated);
  apply(message_event("server-1", 2, 3, "caio", "bia", "caio->bia"), ApplyMode::replicated);
  apply(message_event("server-1", 3, 8, "ana", "ana", "ana->ana"), ApplyMode::replicated);

  EXPECT_EQ(texts_of(inbox("ana")), (std::vector<std::string>{"ana->bia", "bia->ana", "ana->ana"}));
  EXPECT_EQ(texts_of(inbox("bia")), (std::vector<std::string>{"caio->bia", "ana->bia", "bia->ana"}));
  EXPECT_EQ(texts_of(inbox("caio")), (std::vector<std::string>{"caio->bia"}));
  EXPECT_EQ(status(), (Map{{"messages", 4}}));  // a message to oneself counts once
}

TEST_F(MessageServiceTest, InboxEntriesCarryTheEventIdentity) {
  apply(message_event("server-1", 2, 17, "ana", "bia", "oi", 1714.5), ApplyMode::local);
  const Value expected = Map{{"messages", Array{Map{{"src", "ana"}, {"dst", "bia"}, {"message", "oi"},
                                                    {"timestamp", 1714.5}, {"clock", 17},
                                                    {"origin", "server-1"}, {"seq", 2}}}}};
  EXPECT_EQ(inbox("ana"), expected);
  EXPECT_EQ(inbox("bia"), expected);
}

TEST_F(MessageServiceTest, InboxOfAnUnknownUserIsAnErro) {
  EXPECT_EQ(inbox("zeca"), bib::error_reply("unknown user 'zeca'"));
  EXPECT_EQ(inbox("caio"), Value(Map{{"messages", Array{}}}));
}

TEST_F(MessageServiceTest, InboxPagesLikeHistory) {
  for (std::uint64_t seq = 1; seq <= 5; ++seq)
    apply(message_event(seq % 2 ? "server-1" : "server-2", seq, 4, "ana", "bia", std::to_string(seq)),
                  ApplyMode::replicated);
  Value first = inbox("bia", {{"limit", 3}});
  // All share clock 4: server-1's 1, 3, 5 come before server-2's 2, 4.
  EXPECT_EQ(texts_of(first), (std::vector<std::string>{"5", "2", "4"}));
  ASSERT_TRUE(first.contains("next"));
  EXPECT_EQ(first.get_string("next"), "4:server-1:5");
  Value second = inbox("bia", {{"limit", 3}, {"before", first.get_string("next")}});
  EXPECT_EQ(texts_of(second), (std::vector<std::string>{"1", "3"}));
  EXPECT_FALSE(second.contains("next"));
  EXPECT_EQ(inbox("bia", {{"before", "nope"}}).get_string("status"), "erro");
}

TEST_F(MessageServiceTest, MessagesBeforeTheirUsersAreKept) {
  EXPECT_EQ(apply(message_event("server-3", 1, 2, "novo", "outro", "cedo"), ApplyMode::replicated),
            Value(Map{{"status", "OK"}}));
  users.names.insert("outro");
  EXPECT_EQ(texts_of(inbox("outro")), (std::vector<std::string>{"cedo"}));
}

TEST_F(MessageServiceTest, CountsArePerEventNotPerApplyCall) {
  const auto event = message_event("server-1", 1, 1, "ana", "bia", "oi");
  apply(event, ApplyMode::replicated);
  apply(event, ApplyMode::replicated);
  EXPECT_EQ(status(), (Map{{"messages", 1}}));
  EXPECT_EQ(texts_of(inbox("bia")).size(), 1U);
}

TEST_F(MessageServiceTest, MalformedEventIsSkippedWithoutThrowing) {
  auto event = message_event("server-1", 1, 1, "ana", "bia", "oi");
  event.data = Map{{"src", "ana"}, {"dst", 3}, {"message", "oi"}};
  EXPECT_NO_THROW(apply(event, ApplyMode::replicated));
  EXPECT_EQ(status(), (Map{{"messages", 0}}));
}

TEST(MessageConfigure, RefusesToRunWithoutTheUsersDirectory) {
  bib::test::FakeContext ctx;
  bib::message::MessageService service;
  try {
    service.configure(ctx);
    FAIL() << "configure accepted a missing login plugin";
  } catch (const std::exception& e) {
    EXPECT_STREQ(e.what(), "option 'users' names plugin 'login', which is not loaded: add [[plugins]] name = \"login\"");
  }
}

TEST(MessageConfigure, HonoursTheLimitOption) {
  bib::test::FakeContext ctx(Map{{"max_message_bytes", 2}});
  FakeDirectory users;
  users.names = {"ana"};
  ctx.plugins = {{"login", &users}};
  bib::message::MessageService service;
  service.configure(ctx);
  auto outcome = service.handle({"message", Map{{"src", "ana"}, {"dst", "ana"}, {"message", "abc"}}, "test"});
  ASSERT_TRUE(std::holds_alternative<bib::Reply>(outcome));
  EXPECT_EQ(std::get<bib::Reply>(outcome).data.get_string("message"), "message is 3 bytes long, the limit is 2");
}

TEST_F(MessageServiceTest, ATwiceCommittedRequestShowsOnceInBothInboxes) {
  bib::Event first = message_event("server-1", 4, 20, "ana", "bia", "oi");
  bib::Event twin = message_event("server-3", 2, 21, "ana", "bia", "oi");
  first.request_id = twin.request_id = "r7";
  apply(twin, ApplyMode::replicated);
  apply(first, ApplyMode::replicated);
  for (const char* user : {"ana", "bia"}) {
    const Value page = inbox(user);
    ASSERT_EQ(page.get_array("messages").size(), 1U) << user;
    EXPECT_EQ(page.get_array("messages")[0].get_string("origin"), "server-1") << user;
  }
}

// Retention (docs/services.md): each inbox keeps its newest max_messages, none older than
// max_age_s; a message counts in both its users' inboxes.
TEST(MessageRetention, EachInboxKeepsItsNewestMessagesWithinTheAgeLimit) {
  bib::test::FakeContext ctx(Map{{"max_messages", 3}, {"max_age_s", 60}});
  FakeDirectory users;
  users.names = {"ana", "bia", "caio"};
  ctx.plugins = {{"login", &users}};
  bib::message::MessageService service;
  service.configure(ctx);
  auto apply = [&](const bib::Event& event) {
    ctx.applied.add(event);
    service.apply(event, ApplyMode::replicated);
  };
  auto inbox = [&](const std::string& user) {
    return texts_of(std::get<bib::Reply>(service.handle({"inbox", Map{{"user", user}}, "test"})).data);
  };
  const double now = ctx.clock().now();
  apply(message_event("server-1", 1, 1, "caio", "ana", "too old", now - 61));
  for (std::uint64_t n = 2; n <= 6; ++n)
    apply(message_event("server-1", n, n, n % 2 ? "ana" : "bia", n % 2 ? "bia" : "ana", "m" + std::to_string(n), now - 5));
  apply(message_event("server-2", 1, 7, "caio", "caio", "self", now - 5));
  EXPECT_EQ(inbox("ana"), (std::vector<std::string>{"m4", "m5", "m6"}));
  EXPECT_EQ(inbox("bia"), (std::vector<std::string>{"m4", "m5", "m6"}));
  EXPECT_EQ(inbox("caio"), (std::vector<std::string>{"self"}));  // "too old" is past a minute

  bib::test::FakeContext bad(Map{{"max_messages", -2}});
  bad.plugins = {{"login", &users}};
  bib::message::MessageService refused;
  EXPECT_THROW(refused.configure(bad), std::invalid_argument);
  bib::test::FakeContext unknown(Map{{"max_posts", 2}});
  unknown.plugins = {{"login", &users}};
  EXPECT_THROW(refused.configure(unknown), std::invalid_argument);
}

}  // namespace
