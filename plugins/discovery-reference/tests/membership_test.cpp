// discovery-reference's conversation with the reference server, without sockets.
#include <gtest/gtest.h>

#include "membership.hpp"

namespace bib::discovery {
namespace {

Envelope reply(const std::string& service, Value data) { return Envelope{service, std::move(data)}; }

Value server(const std::string& name, int rank, const std::string& address) {
  return Map{{"name", name}, {"rank", rank}, {"address", address}};
}

class MembershipTest : public ::testing::Test {
 protected:
  Membership membership{"server-2", "127.0.2.2"};

  void register_with_rank(int rank) { membership.on_reply(reply("rank", Map{{"rank", rank}})); }
};

TEST_F(MembershipTest, AsksForARankFirst) {
  EXPECT_FALSE(membership.registered());
  EXPECT_FALSE(membership.rank());
  const auto due = membership.due_requests();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].service, "rank");
  EXPECT_EQ(due[0].data, Value(Map{{"user", "server-2"}, {"address", "127.0.2.2"}}));
}

TEST_F(MembershipTest, ARankReplyRegistersThenHeartbeatAndListFollow) {
  const auto outcome = membership.on_reply(reply("rank", Map{{"rank", 2}, {"timestamp", 1.0}, {"clock", 4}}));
  EXPECT_TRUE(outcome.changed);
  EXPECT_TRUE(outcome.registered_now);
  EXPECT_TRUE(outcome.problem.empty());
  EXPECT_EQ(membership.rank(), 2);
  const auto due = membership.due_requests();
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].service, "heartbeat");
  EXPECT_EQ(due[0].data, Value(Map{{"user", "server-2"}}));
  EXPECT_EQ(due[1].service, "list");

  const auto again = membership.on_reply(reply("rank", Map{{"rank", 2}}));
  EXPECT_FALSE(again.changed);
  EXPECT_FALSE(again.registered_now);
}

TEST_F(MembershipTest, PeersAreTheListWithoutThisServerSortedByRank) {
  register_with_rank(2);
  const auto outcome = membership.on_reply(reply(
      "list", Map{{"list", Array{server("server-3", 3, "127.0.2.3"), server("server-2", 2, "127.0.2.2"),
                                 server("server-1", 1, "127.0.2.1")}}}));
  EXPECT_TRUE(outcome.changed);
  ASSERT_EQ(membership.peers().size(), 2u);
  EXPECT_EQ(membership.peers()[0].name, "server-1");
  EXPECT_EQ(membership.peers()[0].rank, 1);
  EXPECT_EQ(membership.peers()[0].address, "127.0.2.1");
  EXPECT_EQ(membership.peers()[1].name, "server-3");
  EXPECT_EQ(membership.describe_peers(), "server-1 (rank 1, 127.0.2.1), server-3 (rank 3, 127.0.2.3)");

  // The same list again is no change; a peer leaving is one.
  EXPECT_FALSE(membership.on_reply(reply("list", Map{{"list", Array{server("server-1", 1, "127.0.2.1"),
                                                                    server("server-3", 3, "127.0.2.3")}}}))
                   .changed);
  EXPECT_TRUE(membership.on_reply(reply("list", Map{{"list", Array{server("server-3", 3, "127.0.2.3")}}})).changed);
  EXPECT_EQ(membership.describe_peers(), "server-3 (rank 3, 127.0.2.3)");
  EXPECT_TRUE(membership.on_reply(reply("list", Map{{"list", Array{}}})).changed);
  EXPECT_EQ(membership.describe_peers(), "none");
}

TEST_F(MembershipTest, MalformedListEntriesAreSkippedWithAProblem) {
  const auto outcome = membership.on_reply(
      reply("list", Map{{"list", Array{Map{{"name", "x"}}, Map{{"name", 3}, {"rank", 1}}, 7,
                                       server("server-1", 1, "127.0.2.1")}}}));
  EXPECT_FALSE(outcome.problem.empty());
  ASSERT_EQ(membership.peers().size(), 1u);
  EXPECT_EQ(membership.peers()[0].name, "server-1");
  EXPECT_FALSE(membership.on_reply(reply("list", Map{{"status", "erro"}})).problem.empty());
}

TEST_F(MembershipTest, AnErroHeartbeatRegistersAgainAskingForTheSameRank) {
  register_with_rank(2);
  const auto outcome = membership.on_reply(
      reply("heartbeat", Map{{"status", "erro"}, {"description", "unknown server 'server-2': register with rank"}}));
  EXPECT_TRUE(outcome.register_again);
  EXPECT_NE(outcome.problem.find("unknown server 'server-2'"), std::string::npos);
  EXPECT_FALSE(membership.registered());
  EXPECT_EQ(membership.rank(), 2);  // kept until the reference says otherwise
  const auto due = membership.due_requests();
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].data, Value(Map{{"user", "server-2"}, {"address", "127.0.2.2"}, {"rank", 2}}));

  // The restarted reference gives another rank: that is a change.
  const auto again = membership.on_reply(reply("rank", Map{{"rank", 1}}));
  EXPECT_TRUE(again.registered_now);
  EXPECT_TRUE(again.changed);
  EXPECT_EQ(membership.rank(), 1);
}

TEST_F(MembershipTest, AnOKHeartbeatChangesNothing) {
  register_with_rank(2);
  const auto outcome = membership.on_reply(reply("heartbeat", Map{{"status", "OK"}}));
  EXPECT_FALSE(outcome.changed);
  EXPECT_FALSE(outcome.register_again);
  EXPECT_TRUE(outcome.problem.empty());
  EXPECT_TRUE(membership.registered());
}

TEST_F(MembershipTest, ARefusedRankIsAProblemAndNoRegistration) {
  const auto outcome = membership.on_reply(
      reply("rank", Map{{"status", "erro"}, {"description", "invalid name '': name is empty"}}));
  EXPECT_EQ(outcome.problem, "rank refused: invalid name '': name is empty");
  EXPECT_FALSE(membership.registered());
  EXPECT_FALSE(membership.on_reply(reply("rank", Map{{"rank", 0}})).problem.empty());
  EXPECT_FALSE(membership.on_reply(reply("rank", Map{{"rank", "2"}})).problem.empty());
  EXPECT_FALSE(membership.registered());
}

TEST_F(MembershipTest, UnexpectedRepliesAreProblems) {
  const auto outcome = membership.on_reply(reply("error", Map{{"status", "erro"}, {"description", "undecodable"}}));
  EXPECT_EQ(outcome.problem, "unexpected reply 'error': undecodable");
  EXPECT_FALSE(outcome.changed);
}

TEST_F(MembershipTest, WithoutAnAddressTheRankRequestLeavesItOut) {
  Membership anonymous{"server-9", ""};
  EXPECT_EQ(anonymous.rank_request().data, Value(Map{{"user", "server-9"}}));
}

}  // namespace
}  // namespace bib::discovery
