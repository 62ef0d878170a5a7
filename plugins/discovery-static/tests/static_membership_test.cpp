// discovery-static's options: a fixed rank and peer list, checked at configure time.
#include <gtest/gtest.h>

#include "static_membership.hpp"
#include "support/refusal.hpp"

namespace bib::discovery {
namespace {

Value peer(const std::string& name, int rank, const std::string& address) {
  return Map{{"name", name}, {"rank", rank}, {"address", address}};
}

std::string refusal(const Value& config, const std::string& self = "server-2") {
  return test::refusal(parse_static_membership, config, self);
}

TEST(StaticMembership, RankAndPeersComeFromTheOptions) {
  const auto m = parse_static_membership(
      Map{{"rank", 2}, {"peers", Array{peer("server-3", 3, "127.0.2.3"), peer("server-1", 1, "127.0.2.1")}}},
      "server-2");
  EXPECT_EQ(m.rank, 2);
  ASSERT_EQ(m.peers.size(), 2u);
  EXPECT_EQ(m.peers[0].name, "server-1");
  EXPECT_EQ(m.peers[1].address, "127.0.2.3");
}

TEST(StaticMembership, NoPeersIsASingleServer) {
  const auto m = parse_static_membership(Map{{"rank", 1}}, "server-1");
  EXPECT_EQ(m.rank, 1);
  EXPECT_TRUE(m.peers.empty());
}

TEST(StaticMembership, OneSharedListGivesEachServerItsRank) {
  const Value shared = Map{{"peers", Array{peer("server-1", 1, "a"), peer("server-2", 2, "b"), peer("server-3", 3, "c")}}};
  const auto m = parse_static_membership(shared, "server-2");
  EXPECT_EQ(m.rank, 2);
  ASSERT_EQ(m.peers.size(), 2u);
  EXPECT_EQ(m.peers[0].name, "server-1");
  EXPECT_EQ(m.peers[1].name, "server-3");
}

TEST(StaticMembership, MistakesAreRefusedWithTheOptionNamed) {
  EXPECT_EQ(refusal(Map{{"rank", 1}, {"peer", Array{}}}), "unknown option 'peer' (options: rank, peers)");
  EXPECT_EQ(refusal(Map{}), "option 'rank' is missing (and 'server-2' is not in option 'peers')");
  EXPECT_EQ(refusal(Map{{"rank", 0}}), "option 'rank': rank must be a positive integer");
  EXPECT_EQ(refusal(Map{{"rank", "2"}}), "option 'rank' must be an integer, got string");
  EXPECT_EQ(refusal(Map{{"rank", 1}, {"peers", "server-1"}}),
            "option 'peers' must be an array of {name, rank, address}");
  EXPECT_EQ(refusal(Map{{"rank", 1}, {"peers", Array{Map{{"name", "x"}, {"rank", 2}}}}}),
            "option 'peers' entry 0: field 'address' is missing");
  EXPECT_EQ(refusal(Map{{"rank", 1}, {"peers", Array{peer("a", 2, "x"), peer("a", 3, "y")}}}),
            "option 'peers' entry 1: name 'a' used twice");
  EXPECT_EQ(refusal(Map{{"rank", 1}, {"peers", Array{peer("a", 2, "x"), peer("b", 2, "y")}}}),
            "option 'peers' entry 1: rank 2 used twice");
  EXPECT_EQ(refusal(Map{{"rank", 2}, {"peers", Array{peer("a", 2, "x")}}}), "option 'rank' 2 is also a peer's rank");
  EXPECT_EQ(refusal(Map{{"rank", 3}, {"peers", Array{peer("server-2", 2, "x")}}}),
            "option 'rank' is 3 but option 'peers' gives 'server-2' rank 2");
}

}  // namespace
}  // namespace bib::discovery
