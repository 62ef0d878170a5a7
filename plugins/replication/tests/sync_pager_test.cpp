// Answering a sync: events beyond the requester's vector, in pages, `more` exact, the cursor
// paging past gaps.
#include <gtest/gtest.h>

#include "fakes.hpp"
#include "sync_pager.hpp"

namespace bib::replication {
namespace {

using fakes::FakeReplica;
using fakes::make_event;

std::vector<std::string> ids(const SyncReplyMessage& reply) {
  std::vector<std::string> out;
  for (const Value& e : reply.events) out.push_back(e.get_string("origin") + "#" + std::to_string(e.get_int("seq")));
  return out;
}

FakeReplica replica_with(std::uint64_t s1, std::uint64_t s2) {
  FakeReplica replica("s2");
  for (std::uint64_t seq = 1; seq <= s1; ++seq) replica.add(make_event("s1", seq));
  for (std::uint64_t seq = 1; seq <= s2; ++seq) replica.add(make_event("s2", seq));
  return replica;
}

TEST(SyncPager, SendsWhatTheRequesterLacksAndItsOwnVector) {
  const FakeReplica replica = replica_with(3, 2);
  const auto reply = answer_sync(replica, SyncMessage{"s1", {{"s1", 3}, {"s2", 1}}, {}}, PageLimits{10, 1 << 20});
  EXPECT_EQ(reply.from, "s2");
  EXPECT_EQ(ids(reply), (std::vector<std::string>{"s2#2"}));
  EXPECT_FALSE(reply.more);
  EXPECT_EQ(reply.vv, (VersionVector{{"s1", 3}, {"s2", 2}}));
}

TEST(SyncPager, NothingMissingIsAnEmptyFinalPage) {
  const FakeReplica replica = replica_with(3, 2);
  const auto reply = answer_sync(replica, SyncMessage{"s1", {{"s1", 5}, {"s2", 2}}, {}}, PageLimits{10, 1 << 20});
  EXPECT_TRUE(reply.events.empty());
  EXPECT_FALSE(reply.more);
}

TEST(SyncPager, PagesAtTheBatchSizeAcrossOrigins) {
  const FakeReplica replica = replica_with(3, 2);
  SyncMessage request{"s3", {}, {}};
  auto page = answer_sync(replica, request, PageLimits{2, 1 << 20});
  EXPECT_EQ(ids(page), (std::vector<std::string>{"s1#1", "s1#2"}));
  EXPECT_TRUE(page.more);

  request.after = {{"s1", 2}};
  page = answer_sync(replica, request, PageLimits{2, 1 << 20});
  EXPECT_EQ(ids(page), (std::vector<std::string>{"s1#3", "s2#1"}));
  EXPECT_TRUE(page.more);

  request.after = {{"s1", 3}, {"s2", 1}};
  page = answer_sync(replica, request, PageLimits{2, 1 << 20});
  EXPECT_EQ(ids(page), (std::vector<std::string>{"s2#2"}));
  EXPECT_FALSE(page.more);
}

TEST(SyncPager, AFullPageThatEndsExactlyAtTheLastEventSaysNoMore) {
  const FakeReplica replica = replica_with(2, 0);
  const auto page = answer_sync(replica, SyncMessage{"s3", {}, {}}, PageLimits{2, 1 << 20});
  EXPECT_EQ(page.events.size(), 2u);
  EXPECT_FALSE(page.more);
}

TEST(SyncPager, TheCursorPagesPastAGapTheRequesterCannotClose) {
  // The requester holds s1#1..2 and lacks #3, which this server lacks too (#4..6 it has).
  FakeReplica replica("s2");
  for (std::uint64_t seq : {1, 2, 4, 5, 6}) replica.add(make_event("s1", seq));
  SyncMessage request{"s3", {{"s1", 2}}, {}};
  auto page = answer_sync(replica, request, PageLimits{2, 1 << 20});
  EXPECT_EQ(ids(page), (std::vector<std::string>{"s1#4", "s1#5"}));
  EXPECT_TRUE(page.more);
  request.after = {{"s1", 5}};  // the vv stays at 2: without the cursor this page repeats
  page = answer_sync(replica, request, PageLimits{2, 1 << 20});
  EXPECT_EQ(ids(page), (std::vector<std::string>{"s1#6"}));
  EXPECT_FALSE(page.more);
}

TEST(SyncPager, PagesStayUnderTheByteBudget) {
  const FakeReplica replica = replica_with(10, 0);
  const std::size_t one = encoded_size(to_value(make_event("s1", 1)));
  const auto page = answer_sync(replica, SyncMessage{"s3", {}, {}}, PageLimits{100, one * 3 + one / 2});
  EXPECT_EQ(page.events.size(), 3u);
  EXPECT_TRUE(page.more);
}

}  // namespace
}  // namespace bib::replication
