// The quorum rule on the manual loop: majority of N, answered once, the timeout's sentence.
#include <gtest/gtest.h>

#include <optional>

#include "quorum_tracker.hpp"
#include "support/fake_context.hpp"

namespace bib::replication {
namespace {

using namespace std::chrono_literals;

struct Answer {
  bool ok = false;
  std::string error;
  int calls = 0;
};

QuorumTracker::Done recorder(Answer& answer) {
  return [&answer](bool ok, const std::string& error) {
    answer.ok = ok;
    answer.error = error;
    ++answer.calls;
  };
}

TEST(QuorumTracker, MajorityIsFloorHalfPlusOne) {
  EXPECT_EQ(QuorumTracker::majority(1), 1u);
  EXPECT_EQ(QuorumTracker::majority(2), 2u);
  EXPECT_EQ(QuorumTracker::majority(3), 2u);
  EXPECT_EQ(QuorumTracker::majority(4), 3u);
  EXPECT_EQ(QuorumTracker::majority(5), 3u);
}

TEST(QuorumTracker, AloneTheWriteIsConfirmedAtOnce) {
  bib::test::ManualLoop loop;
  QuorumTracker quorum(loop, 3000ms, [] { return std::size_t{1}; });
  Answer answer;
  quorum.track({"s1", 1}, "s1", recorder(answer));
  EXPECT_EQ(answer.calls, 1);
  EXPECT_TRUE(answer.ok);
  EXPECT_EQ(quorum.pending(), 0u);
}

TEST(QuorumTracker, OfThreeOnePeerMoreConfirmsOnce) {
  bib::test::ManualLoop loop;
  QuorumTracker quorum(loop, 3000ms, [] { return std::size_t{3}; });
  Answer answer;
  quorum.track({"s1", 1}, "s1", recorder(answer));
  EXPECT_EQ(answer.calls, 0);
  quorum.held_by({"s1", 1}, "s1");  // the same server twice is still one
  EXPECT_EQ(answer.calls, 0);
  quorum.held_by({"s1", 2}, "s2");  // another event
  EXPECT_EQ(answer.calls, 0);
  quorum.held_by({"s1", 1}, "s2");
  EXPECT_EQ(answer.calls, 1);
  EXPECT_TRUE(answer.ok);
  quorum.held_by({"s1", 1}, "s3");  // late: no second answer
  loop.advance(10s);
  EXPECT_EQ(answer.calls, 1);
  EXPECT_EQ(quorum.confirmed(), 1u);
  EXPECT_EQ(quorum.failed(), 0u);
}

TEST(QuorumTracker, TimeoutAnswersHowFarItGot) {
  bib::test::ManualLoop loop;
  QuorumTracker quorum(loop, 3000ms, [] { return std::size_t{5}; });
  Answer answer;
  quorum.track({"s1", 1}, "s1", recorder(answer));
  quorum.held_by({"s1", 1}, "s2");
  loop.advance(2999ms);
  EXPECT_EQ(answer.calls, 0);
  loop.advance(1ms);
  ASSERT_EQ(answer.calls, 1);
  EXPECT_FALSE(answer.ok);
  EXPECT_EQ(answer.error, "write not confirmed by a quorum: 2 of 5 servers hold it, 3 needed after 3000 ms");
  EXPECT_EQ(quorum.failed(), 1u);
  quorum.held_by({"s1", 1}, "s3");  // after the answer: nothing more
  EXPECT_EQ(answer.calls, 1);
}

TEST(QuorumTracker, ClusterSizeIsAskedAtEachDecision) {
  bib::test::ManualLoop loop;
  std::size_t servers = 3;
  QuorumTracker quorum(loop, 1000ms, [&] { return servers; });
  Answer answer;
  quorum.track({"s1", 1}, "s1", recorder(answer));
  servers = 5;  // discovery showed two more servers meanwhile
  quorum.held_by({"s1", 1}, "s2");
  EXPECT_EQ(answer.calls, 0);
  quorum.held_by({"s1", 1}, "s3");
  EXPECT_TRUE(answer.ok);
}

TEST(QuorumTracker, FailAllAnswersEveryPendingWrite) {
  bib::test::ManualLoop loop;
  QuorumTracker quorum(loop, 1000ms, [] { return std::size_t{3}; });
  Answer a, b;
  quorum.track({"s1", 1}, "s1", recorder(a));
  quorum.track({"s1", 2}, "s1", recorder(b));
  quorum.fail_all("server stopping");
  EXPECT_EQ(a.calls, 1);
  EXPECT_EQ(b.error, "server stopping");
  EXPECT_TRUE(loop.timers.empty());
}

}  // namespace
}  // namespace bib::replication
