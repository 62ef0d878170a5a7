// The channel service in-process: requests through handle(), committed events through apply().
#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "bib/reply.hpp"
#include "channel_service.hpp"
#include "support/fake_context.hpp"
#include "support/outcome.hpp"

namespace {

using bib::test::reply_data;

using bib::ApplyMode;
using bib::Map;
using bib::Value;

bib::Event channel_event(std::string origin, std::uint64_t seq, double timestamp, std::string channel,
                         std::uint64_t clock = 1) {
  return bib::Event{std::move(origin), seq, clock, timestamp, "channel", Map{{"channel", std::move(channel)}}, ""};
}

class ChannelServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { service.configure(ctx); }

  bib::Outcome handle(const std::string& name, Value data) { return service.handle({name, std::move(data), "test"}); }
  Value reply(const std::string& name, Value data = Map{}) {
    auto outcome = handle(name, std::move(data));
    EXPECT_TRUE(std::holds_alternative<bib::Reply>(outcome)) << "expected a reply to " << name;
    return std::holds_alternative<bib::Reply>(outcome) ? std::get<bib::Reply>(outcome).data : Value{};
  }
  // The reply a client would get for a creation that the host commits.
  Value commit_channel(const std::string& channel, std::uint64_t seq = 1) {
    auto outcome = handle("channel", Map{{"channel", channel}});
    if (!std::holds_alternative<bib::Write>(outcome)) return std::get<bib::Reply>(outcome).data;
    bib::Event event = channel_event("test-node", seq, 100.0 + static_cast<double>(seq), "", seq);
    event.data = std::get<bib::Write>(outcome).data;
    return service.apply(event, ApplyMode::local);
  }

  bib::test::FakeContext ctx;
  bib::channel::ChannelService service;
};

TEST_F(ChannelServiceTest, OffersChannelAndChannels) {
  EXPECT_EQ(service.services(), (std::vector<std::string>{"channel", "channels"}));
}

TEST_F(ChannelServiceTest, NewChannelIsAWriteOfJustTheName) {
  auto outcome = handle("channel", Map{{"channel", "geral"}, {"timestamp", 1.5}, {"clock", 3}});
  ASSERT_TRUE(std::holds_alternative<bib::Write>(outcome));
  EXPECT_EQ(std::get<bib::Write>(outcome).data, Value(Map{{"channel", "geral"}}));
}

TEST_F(ChannelServiceTest, CommittedCreationRepliesSucesso) {
  EXPECT_EQ(commit_channel("geral"), Value(Map{{"status", "sucesso"}}));
  EXPECT_TRUE(service.contains("geral"));
}

TEST_F(ChannelServiceTest, ExistingChannelIsRefused) {
  commit_channel("geral", 1);
  EXPECT_EQ(commit_channel("geral", 2),
            bib::error_reply("channel 'geral' already exists"));
}

TEST_F(ChannelServiceTest, InvalidNamesAreRefusedWithADescription) {
  const std::string cases[] = {"", std::string(65, 'c'), "a\tb", "\xff", "\xed\xa0\x80" /* surrogate */, "servers"};
  for (const auto& name : cases) {
    Value r = reply("channel", Map{{"channel", name}});
    EXPECT_EQ(r.get_string("status"), "erro") << name;
    EXPECT_FALSE(r.get_string("description").empty()) << name;
  }
  EXPECT_EQ(reply("channel", Map{{"channel", std::string(65, 'c')}}).get_string("description"),
            "name is 65 bytes long, the limit is 64");
  EXPECT_EQ(reply("channels"), Value(Map{{"channels", bib::Array{}}}));
  EXPECT_TRUE(std::holds_alternative<bib::Write>(handle("channel", Map{{"channel", std::string(64, 'c')}})));
}

TEST_F(ChannelServiceTest, MissingOrMistypedChannelIsAnErroNamingTheField) {
  EXPECT_EQ(reply("channel", Map{{"user", "ana"}}),
            bib::error_reply("field 'channel' is missing"));
  EXPECT_EQ(reply("channel", Map{{"channel", bib::Array{}}}).get_string("description"),
            "field 'channel' must be a string, got array");
}

TEST_F(ChannelServiceTest, ChannelsAreListedOnceSorted) {
  commit_channel("noticias", 1);
  commit_channel("geral", 2);
  service.apply(channel_event("server-2", 1, 50.0, "geral"), ApplyMode::replicated);
  EXPECT_EQ(reply("channels"), Value(Map{{"channels", bib::Array{"geral", "noticias"}}}));
}

TEST_F(ChannelServiceTest, ConcurrentCreationsConvergeOnTheEarliest) {
  // Two servers accepted "geral" concurrently; every replica applies both, in either order.
  const auto a = channel_event("server-2", 4, 10.0, "geral");
  const auto b = channel_event("server-1", 7, 10.0, "geral");  // same timestamp, smaller origin
  const auto c = channel_event("server-3", 1, 12.0, "geral");

  bib::test::FakeContext other_ctx;
  bib::channel::ChannelService other;
  other.configure(other_ctx);

  for (const auto& e : {a, b, c})
    EXPECT_EQ(service.apply(e, ApplyMode::replicated), Value(Map{{"status", "sucesso"}}));
  for (const auto& e : {c, b, a}) other.apply(e, ApplyMode::replicated);

  for (const auto* replica : {&service, &other}) {
    const auto* created = replica->creation("geral");
    ASSERT_NE(created, nullptr);
    EXPECT_EQ(created->origin, "server-1");
    EXPECT_EQ(created->seq, 7U);
    EXPECT_EQ(created->timestamp, 10.0);
  }
  EXPECT_EQ(reply("channels"), Value(Map{{"channels", bib::Array{"geral"}}}));
  Map status;
  service.describe(status);
  EXPECT_EQ(status, (Map{{"channels", 1}}));
}

TEST_F(ChannelServiceTest, EarlierTimestampWinsOverSmallerOrigin) {
  service.apply(channel_event("server-1", 1, 10.0, "geral"), ApplyMode::replicated);
  service.apply(channel_event("server-9", 1, 9.5, "geral"), ApplyMode::replicated);
  EXPECT_EQ(service.creation("geral")->origin, "server-9");
  EXPECT_EQ(service.creation("nada"), nullptr);
}

TEST_F(ChannelServiceTest, ApplyPublishesNothingAndSkipsMalformedEvents) {
  bib::Event bad = channel_event("server-1", 1, 1.0, "");
  bad.data = Map{};
  EXPECT_NO_THROW(service.apply(bad, ApplyMode::replicated));
  commit_channel("geral");
  EXPECT_TRUE(ctx.published.empty());
  Map status;
  service.describe(status);
  EXPECT_EQ(status, (Map{{"channels", 1}}));
}

TEST_F(ChannelServiceTest, IsTheChannelsDirectoryForOtherPlugins) {
  commit_channel("geral");
  bib::Plugin* plugin = &service;
  auto* directory = dynamic_cast<bib::NameDirectory*>(plugin);
  ASSERT_NE(directory, nullptr);
  EXPECT_TRUE(directory->contains("geral"));
  EXPECT_FALSE(directory->contains("ger"));
}

TEST_F(ChannelServiceTest, SavedStateRestoredElsewhereHasTheSameChannelsAndCreations) {
  commit_channel("geral", 1);
  commit_channel("esportes", 2);
  service.apply(channel_event("server-2", 1, 50.0, "geral", 7), ApplyMode::replicated);  // an earlier creation
  const std::optional<std::string> state = service.save_state();
  ASSERT_TRUE(state);
  bib::channel::ChannelService restored;
  restored.configure(ctx);
  restored.restore_state(*state);
  EXPECT_EQ(reply_data(restored.handle({"channels", Map{}, "test"})), reply_data(service.handle({"channels", Map{}, "test"})));
  ASSERT_NE(restored.creation("geral"), nullptr);
  EXPECT_EQ(restored.creation("geral")->origin, "server-2");
  EXPECT_EQ(restored.creation("geral")->timestamp, 50.0);
  EXPECT_THROW(restored.restore_state(state->substr(0, 10)), std::runtime_error);
  EXPECT_TRUE(restored.contains("esportes"));
}

}  // namespace
