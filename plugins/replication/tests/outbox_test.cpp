// One peer's outbox: batches by count and size, one in flight, acknowledgements, overflow;
// and the retry back-off.
#include <gtest/gtest.h>

#include "fakes.hpp"
#include "peer_outbox.hpp"

namespace bib::replication {
namespace {

using fakes::make_event;

void push_events(PeerOutbox& outbox, std::uint64_t from, std::uint64_t to, std::size_t bytes = 10) {
  for (std::uint64_t seq = from; seq <= to; ++seq) {
    const Event e = make_event("s1", seq);
    outbox.push(id_of(e), to_value(e), bytes);
  }
}

std::vector<std::uint64_t> seqs(const std::vector<PeerOutbox::Entry>& batch) {
  std::vector<std::uint64_t> out;
  for (const auto& entry : batch) out.push_back(entry.id.second);
  return out;
}

std::vector<EventId> ids(std::uint64_t from, std::uint64_t to) {
  std::vector<EventId> out;
  for (std::uint64_t seq = from; seq <= to; ++seq) out.emplace_back("s1", seq);
  return out;
}

TEST(PeerOutbox, BatchesAtMostBatchEventsOneInFlight) {
  PeerOutbox outbox(OutboxLimits{3, 1 << 20, 100});
  push_events(outbox, 1, 5);
  EXPECT_EQ(seqs(outbox.take_batch()), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(outbox.batch_number(), 1u);
  // Still in flight: the same batch, not the next.
  EXPECT_EQ(seqs(outbox.take_batch()), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(outbox.queued(), 2u);

  const auto result = outbox.acknowledge(1, ids(1, 3));
  EXPECT_TRUE(result.completed);
  EXPECT_TRUE(result.unanswered.empty());
  EXPECT_EQ(seqs(outbox.take_batch()), (std::vector<std::uint64_t>{4, 5}));
  EXPECT_EQ(outbox.batch_number(), 2u);
  EXPECT_TRUE(outbox.acknowledge(2, ids(4, 5)).completed);
  EXPECT_TRUE(outbox.take_batch().empty());
  EXPECT_EQ(outbox.size(), 0u);
}

TEST(PeerOutbox, BatchesStayUnderTheByteBudgetButCarryAtLeastOneEvent) {
  PeerOutbox outbox(OutboxLimits{100, 250, 100});
  push_events(outbox, 1, 3, 100);   // 100 + 100 fit, the third would pass 250
  push_events(outbox, 4, 4, 1000);  // alone above the budget
  EXPECT_EQ(seqs(outbox.take_batch()), (std::vector<std::uint64_t>{1, 2}));
  outbox.acknowledge(1, ids(1, 2));
  EXPECT_EQ(seqs(outbox.take_batch()), (std::vector<std::uint64_t>{3}));
  outbox.acknowledge(2, ids(3, 3));
  EXPECT_EQ(seqs(outbox.take_batch()), (std::vector<std::uint64_t>{4}));
}

TEST(PeerOutbox, AnAnswerToTheBatchCompletesItEvenWithoutSomeIds) {
  PeerOutbox outbox(OutboxLimits{10, 1 << 20, 100});
  push_events(outbox, 1, 3);
  outbox.take_batch();
  // Ids of the batch from an older answer: removed, batch not complete.
  auto partial = outbox.acknowledge(0, ids(1, 1));
  EXPECT_FALSE(partial.completed);
  EXPECT_EQ(seqs(outbox.in_flight()), (std::vector<std::uint64_t>{2, 3}));
  // The batch's own answer, which left out #3 (unreadable there): complete, #3 reported.
  auto answer = outbox.acknowledge(1, ids(2, 2));
  EXPECT_TRUE(answer.completed);
  EXPECT_EQ(answer.unanswered, ids(3, 3));
  EXPECT_FALSE(outbox.has_in_flight());
}

TEST(PeerOutbox, OverflowDropsTheQueueKeepsTheBatchInFlight) {
  PeerOutbox outbox(OutboxLimits{2, 1 << 20, 5});
  push_events(outbox, 1, 2);
  outbox.take_batch();               // 1, 2 in flight
  push_events(outbox, 3, 5);         // 5 events: at the limit
  EXPECT_EQ(outbox.size(), 5u);
  const Event sixth = make_event("s1", 6);
  EXPECT_EQ(outbox.push(id_of(sixth), to_value(sixth), 10), 4u);  // 3, 4, 5 and 6 itself
  EXPECT_EQ(outbox.dropped(), 4u);
  EXPECT_EQ(outbox.queued(), 0u);
  EXPECT_EQ(seqs(outbox.in_flight()), (std::vector<std::uint64_t>{1, 2}));
  // Events after the overflow queue again.
  push_events(outbox, 7, 7);
  EXPECT_EQ(outbox.queued(), 1u);
}

TEST(Backoff, DoublesFromFirstUpToMaxAndResets) {
  using std::chrono::milliseconds;
  Backoff backoff(milliseconds(200), milliseconds(1000));
  std::vector<long> delays;
  for (int i = 0; i < 5; ++i) {
    delays.push_back(backoff.delay().count());
    backoff.grow();
  }
  EXPECT_EQ(delays, (std::vector<long>{200, 400, 800, 1000, 1000}));
  backoff.reset();
  EXPECT_EQ(backoff.delay().count(), 200);
}

}  // namespace
}  // namespace bib::replication
