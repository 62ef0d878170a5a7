// The login service in-process: requests through handle(), committed events through apply().
#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "bib/reply.hpp"
#include "login_service.hpp"
#include "support/fake_context.hpp"
#include "support/outcome.hpp"

namespace {

using bib::test::reply_data;

using bib::ApplyMode;
using bib::Map;
using bib::Value;

bib::Event login_event(std::string origin, std::uint64_t seq, std::uint64_t clock, std::string user,
                       double timestamp = 1000.0) {
  return bib::Event{std::move(origin), seq, clock, timestamp, "login", Map{{"user", std::move(user)}}, ""};
}

class LoginServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { service.configure(ctx); }

  bib::Outcome handle(const std::string& name, Value data) { return service.handle({name, std::move(data), "test"}); }
  Value reply(const std::string& name, Value data = Map{}) {
    auto outcome = handle(name, std::move(data));
    EXPECT_TRUE(std::holds_alternative<bib::Reply>(outcome)) << "expected a reply to " << name;
    return std::holds_alternative<bib::Reply>(outcome) ? std::get<bib::Reply>(outcome).data : Value{};
  }
  // The reply a client would get for a login that the host commits as `origin`:`seq`.
  Value commit_login(const std::string& user, std::uint64_t seq = 1) {
    auto outcome = handle("login", Map{{"user", user}});
    EXPECT_TRUE(std::holds_alternative<bib::Write>(outcome)) << "expected a write for " << user;
    if (!std::holds_alternative<bib::Write>(outcome)) return {};
    bib::Event event = login_event("test-node", seq, seq, "");
    event.data = std::get<bib::Write>(outcome).data;
    return service.apply(event, ApplyMode::local);
  }

  bib::test::FakeContext ctx;
  bib::login::LoginService service;
};

TEST_F(LoginServiceTest, OffersLoginAndUsers) {
  EXPECT_EQ(service.services(), (std::vector<std::string>{"login", "users"}));
}

TEST_F(LoginServiceTest, ValidLoginIsAWriteOfJustTheUser) {
  // The request's own timestamp, clock and request_id stay out of the event's data.
  auto outcome = handle("login", Map{{"user", "ana"}, {"timestamp", 1.5}, {"clock", 3}, {"request_id", "r-1"}});
  ASSERT_TRUE(std::holds_alternative<bib::Write>(outcome));
  EXPECT_EQ(std::get<bib::Write>(outcome).data, Value(Map{{"user", "ana"}}));
}

TEST_F(LoginServiceTest, CommittedLoginRepliesSucesso) {
  EXPECT_EQ(commit_login("ana"), Value(Map{{"status", "sucesso"}}));
  EXPECT_TRUE(service.contains("ana"));
  EXPECT_FALSE(service.contains("bia"));
}

TEST_F(LoginServiceTest, InvalidNamesAreRefusedWithADescription) {
  const std::string cases[] = {
      "",                      // empty
      std::string(65, 'a'),    // one byte over the limit
      "ana\nbia",              // control character
      "ana\x7f",               // DEL
      "\xc3\x28",              // bad UTF-8
      "\xc0\xaf",              // overlong UTF-8
      "servers",               // infrastructure topic
  };
  for (const auto& name : cases) {
    Value r = reply("login", Map{{"user", name}});
    EXPECT_EQ(r.get_string("status"), "erro") << name;
    EXPECT_FALSE(r.get_string("description").empty()) << name;
    EXPECT_EQ(r, bib::error_reply(r.get_string("description"))) << r.to_string();
  }
  EXPECT_EQ(reply("login", Map{{"user", ""}}).get_string("description"), "name is empty");
  EXPECT_EQ(reply("login", Map{{"user", "servers"}}).get_string("description"), "name 'servers' is reserved");
  EXPECT_EQ(reply("users").get_array("users").size(), 0U);
}

TEST_F(LoginServiceTest, NamesUpTo64BytesOfUtf8AreAccepted) {
  EXPECT_TRUE(std::holds_alternative<bib::Write>(handle("login", Map{{"user", std::string(64, 'a')}})));
  EXPECT_TRUE(std::holds_alternative<bib::Write>(handle("login", Map{{"user", "jo\xc3\xa3o"}})));  // "joão"
  EXPECT_TRUE(std::holds_alternative<bib::Write>(handle("login", Map{{"user", "servers2"}})));
}

TEST_F(LoginServiceTest, MissingOrMistypedUserIsAnErroNamingTheField) {
  EXPECT_EQ(reply("login", Map{}), bib::error_reply("field 'user' is missing"));
  EXPECT_EQ(reply("login", Map{{"user", 7}}),
            bib::error_reply("field 'user' must be a string, got integer"));
}

TEST_F(LoginServiceTest, UsersAreListedOnceSorted) {
  commit_login("bia", 1);
  commit_login("ana", 2);
  commit_login("bia", 3);
  commit_login("Zeca", 4);
  EXPECT_EQ(reply("users"), Value(Map{{"users", bib::Array{"Zeca", "ana", "bia"}}}));
}

TEST_F(LoginServiceTest, EveryLoginIsRecordedWithItsTimestamp) {
  service.apply(login_event("server-2", 1, 9, "ana", 20.5), ApplyMode::replicated);
  service.apply(login_event("server-1", 1, 4, "ana", 10.25), ApplyMode::replay);
  service.apply(login_event("server-1", 2, 5, "bia", 11.0), ApplyMode::local);

  ASSERT_EQ(service.logins().size(), 3U);
  auto it = service.logins().begin();  // in (clock, origin, seq) order
  EXPECT_EQ(it->first, (bib::LogPosition{4, "server-1", 1}));
  EXPECT_EQ(it->second, Value(Map{{"user", "ana"}, {"timestamp", 10.25}}));
  ++it;
  EXPECT_EQ(it->second, Value(Map{{"user", "bia"}, {"timestamp", 11.0}}));
  ++it;
  EXPECT_EQ(it->second, Value(Map{{"user", "ana"}, {"timestamp", 20.5}}));
}

TEST_F(LoginServiceTest, DescribeCountsUsersAndLogins) {
  service.apply(login_event("server-1", 1, 1, "ana"), ApplyMode::local);
  service.apply(login_event("server-1", 2, 2, "ana"), ApplyMode::local);
  service.apply(login_event("server-2", 1, 2, "bia"), ApplyMode::replicated);
  service.apply(login_event("server-2", 1, 2, "bia"), ApplyMode::replicated);  // the same event again
  Map status{{"other", 1}};
  service.describe(status);
  EXPECT_EQ(status, (Map{{"other", 1}, {"users", 2}, {"logins", 3}}));
}

TEST_F(LoginServiceTest, ApplyNeverRejectsAndPublishesNothing) {
  // Validation happened at the origin: apply records whatever name the event carries.
  EXPECT_EQ(service.apply(login_event("server-9", 1, 1, "servers"), ApplyMode::replicated),
            Value(Map{{"status", "sucesso"}}));
  EXPECT_TRUE(service.contains("servers"));
  EXPECT_TRUE(ctx.published.empty());
}

TEST_F(LoginServiceTest, MalformedEventIsSkippedWithoutThrowing) {
  bib::Event event = login_event("server-9", 1, 1, "");
  event.data = Map{{"user", 42}};
  EXPECT_NO_THROW(service.apply(event, ApplyMode::replicated));
  Map status;
  service.describe(status);
  EXPECT_EQ(status, (Map{{"users", 0}, {"logins", 0}}));
}

TEST_F(LoginServiceTest, IsTheUsersDirectoryForOtherPlugins) {
  commit_login("ana");
  bib::Plugin* plugin = &service;
  auto* directory = dynamic_cast<bib::NameDirectory*>(plugin);
  ASSERT_NE(directory, nullptr);
  EXPECT_TRUE(directory->contains("ana"));
  EXPECT_FALSE(directory->contains("an"));
}

TEST_F(LoginServiceTest, SavedStateRestoredElsewhereHasTheSameUsersAndLogins) {
  service.apply(login_event("server-2", 1, 9, "ana", 20.5), ApplyMode::replicated);
  service.apply(login_event("server-1", 1, 4, "bia", 10.25), ApplyMode::replay);
  service.apply(login_event("server-1", 2, 5, "ana", 11.0), ApplyMode::local);
  const std::optional<std::string> state = service.save_state();
  ASSERT_TRUE(state);
  bib::login::LoginService restored;
  restored.configure(ctx);
  restored.restore_state(*state);
  EXPECT_EQ(reply_data(restored.handle({"users", Map{}, "test"})), reply_data(service.handle({"users", Map{}, "test"})));
  EXPECT_EQ(restored.logins(), service.logins());
  EXPECT_TRUE(restored.contains("bia"));
  EXPECT_THROW(restored.restore_state(*state + "x"), std::runtime_error);
  EXPECT_TRUE(restored.contains("bia")) << "a refused state changes nothing";
}

}  // namespace
