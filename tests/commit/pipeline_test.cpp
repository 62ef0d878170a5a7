// The commit pipeline in-process (host/commit.hpp), with fake plugins that write every call
// into one journal: the order of the steps, one flush per loop iteration, dedup by
// request_id, replay and ingest.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "bib/logger.hpp"

#include "commit.hpp"
#include "event_loop.hpp"
#include "fakes.hpp"

using namespace std::chrono_literals;

namespace bib::test {
namespace {

class CommitPipelineTest : public ::testing::Test {
 protected:
  CommitPipelineTest() : log_("commit-test", spdlog::sinks_init_list{}), loop_(log_), service_(journal_),
                         persistence_(journal_), replication_(journal_) {
    services_["add"] = host::ServiceRoute{&service_, "fake"};
    services_["fail"] = host::ServiceRoute{&service_, "fake"};
  }

  host::Committer& committer(bool with_persistence = true, bool with_replication = false) {
    committer_ = std::make_unique<host::Committer>(host::Committer::Deps{
        "n1", lamport_, clock_, loop_, services_, log_, with_persistence ? &persistence_ : nullptr,
        with_replication ? &replication_ : nullptr, 100});
    return *committer_;
  }

  // What the dispatcher does with one request: dedup, handle, commit. The reply lands in
  // replies (in arrival order) and as "reply <id>" in the journal.
  void request(const std::string& service, std::int64_t by, const std::string& request_id = "") {
    bib::Map data{{"by", by}};
    if (!request_id.empty()) data["request_id"] = request_id;
    bib::Request req{service, std::move(data), "test"};
    auto done = [this, request_id](bib::Result<bib::Value> r) {
      journal_.push_back("reply " + request_id);
      replies_.push_back(std::move(r));
    };
    if (committer_->answer_retry(req, done)) return;
    auto outcome = service_.handle(req);
    committer_->commit(service_, req, std::move(std::get<bib::Write>(outcome)), done);
  }

  void iterate() { loop_.run_once(0ms); }

  spdlog::logger log_;
  host::EventLoop loop_;
  Journal journal_;
  FakeService service_;
  FakePersistence persistence_;
  FakeReplication replication_;
  host::ServiceTable services_;
  bib::LamportClock lamport_;
  bib::PhysicalClock clock_;
  std::unique_ptr<host::Committer> committer_;
  std::vector<bib::Result<bib::Value>> replies_;
};

bib::Event event(const std::string& origin, std::uint64_t seq, std::int64_t by, const std::string& request_id = "") {
  bib::Event e;
  e.origin = origin;
  e.seq = seq;
  e.clock = seq * 10;
  e.service = "add";
  e.data = bib::Map{{"by", by}, {"fail", false}};
  e.request_id = request_id;
  return e;
}

TEST_F(CommitPipelineTest, StepsRunInOrderAndTheReplyWaitsForTheFlush) {
  committer();
  request("add", 2, "a");
  EXPECT_EQ(journal_, (Journal{"handle add", "apply n1#1", "append n1#1"}));
  EXPECT_TRUE(replies_.empty());  // not before the flush
  iterate();
  EXPECT_EQ(journal_, (Journal{"handle add", "apply n1#1", "append n1#1", "flush", "reply a"}));
  ASSERT_EQ(replies_.size(), 1u);
  EXPECT_EQ(replies_[0].value().get_int("total"), 2);
}

TEST_F(CommitPipelineTest, WritesOfOneIterationShareOneFlush) {
  committer();
  request("add", 1, "a");
  request("add", 1, "b");
  request("add", 1, "c");
  iterate();
  EXPECT_EQ(persistence_.flushes, 1);
  EXPECT_EQ(journal_, (Journal{"handle add", "apply n1#1", "append n1#1", "handle add", "apply n1#2", "append n1#2",
                               "handle add", "apply n1#3", "append n1#3", "flush", "reply a", "reply b", "reply c"}));
  request("add", 1, "d");
  iterate();
  EXPECT_EQ(persistence_.flushes, 2);
}

TEST_F(CommitPipelineTest, ReplicationComesAfterTheFlushAndTheReplyAfterItsDone) {
  committer(true, true);
  request("add", 1, "a");
  iterate();
  EXPECT_EQ(journal_, (Journal{"handle add", "apply n1#1", "append n1#1", "flush", "replicate n1#1"}));
  EXPECT_TRUE(replies_.empty());
  replication_.release(true);
  ASSERT_EQ(replies_.size(), 1u);
  EXPECT_TRUE(replies_[0].ok());
  EXPECT_EQ(journal_.back(), "reply a");
}

TEST_F(CommitPipelineTest, FailedReplicationAnswersErroWithItsReasonAndRetriesGetTheSame) {
  committer(true, true);
  request("add", 1, "a");
  iterate();
  replication_.release(false, "no quorum: 1 of 3 servers hold the event");
  request("add", 1, "a");
  ASSERT_EQ(replies_.size(), 2u);
  EXPECT_EQ(replies_[0].error().message, "no quorum: 1 of 3 servers hold the event");
  EXPECT_EQ(replies_[1].error().message, "no quorum: 1 of 3 servers hold the event");
  EXPECT_EQ(service_.total, 1);
}

TEST_F(CommitPipelineTest, WithoutPersistenceTheReplyIsImmediate) {
  committer(false);
  request("add", 1, "a");
  EXPECT_EQ(journal_, (Journal{"handle add", "apply n1#1", "reply a"}));
}

TEST_F(CommitPipelineTest, RetryGetsTheFirstReplyAndIsNotAppliedTwice) {
  committer();
  request("add", 5, "same");
  iterate();
  request("add", 7, "same");
  iterate();
  ASSERT_EQ(replies_.size(), 2u);
  EXPECT_EQ(replies_[1].value(), replies_[0].value());
  EXPECT_EQ(service_.total, 5);
  EXPECT_EQ(committer_->next_seq(), 2u);
  EXPECT_EQ(persistence_.stored.size(), 1u);
}

TEST_F(CommitPipelineTest, RetryWhileTheFirstIsInFlightWaitsForItsReply) {
  committer();
  request("add", 5, "same");
  request("add", 5, "same");  // same iteration: the first is not flushed yet
  EXPECT_TRUE(replies_.empty());
  iterate();
  ASSERT_EQ(replies_.size(), 2u);
  EXPECT_EQ(replies_[0].value(), replies_[1].value());
  EXPECT_EQ(service_.total, 5);
}

TEST_F(CommitPipelineTest, TheSameIdUnderAnotherServiceIsAnotherRequest) {
  committer();
  request("add", 1, "x");
  iterate();
  bib::Request other{"total", bib::Map{{"request_id", "x"}}, "test"};
  EXPECT_FALSE(committer_->answer_retry(other, [](bib::Result<bib::Value>) {}));
}

TEST_F(CommitPipelineTest, RequestsWithoutAnIdAreNeverDeduplicated) {
  committer();
  request("add", 1);
  request("add", 1);
  iterate();
  EXPECT_EQ(service_.total, 2);
}

TEST_F(CommitPipelineTest, ApplyThatThrowsCommitsNothingAndKeepsTheSeq) {
  committer();
  request("fail", 1, "x");
  ASSERT_EQ(replies_.size(), 1u);
  EXPECT_EQ(replies_[0].error().message, "apply refused");
  EXPECT_TRUE(persistence_.stored.empty());
  EXPECT_EQ(committer_->next_seq(), 1u);
  request("add", 1, "y");
  iterate();
  EXPECT_EQ(persistence_.stored.at(0).seq, 1u);
}

TEST_F(CommitPipelineTest, FailedFlushAnswersErro) {
  committer();
  persistence_.fail_flush = true;
  request("add", 1, "a");
  iterate();
  ASSERT_EQ(replies_.size(), 1u);
  EXPECT_EQ(replies_[0].error().message, "write not durable: disk full");
}

TEST_F(CommitPipelineTest, ReplayRebuildsStateAndTheLocalSeqContinues) {
  persistence_.stored = {event("n1", 1, 2, "r1"), event("n2", 1, 3), event("n1", 2, 4, "r2")};
  committer();
  EXPECT_EQ(committer_->replay(), 3u);
  EXPECT_EQ(service_.total, 9);
  EXPECT_EQ(service_.modes, std::vector<bib::ApplyMode>(3, bib::ApplyMode::replay));
  EXPECT_EQ(committer_->next_seq(), 3u);
  EXPECT_GE(lamport_.value(), 20u);  // after every replayed clock
  EXPECT_EQ(committer_->store().version_vector(), (host::VersionVector{{"n1", 2}, {"n2", 1}}));
  request("add", 1, "new");
  iterate();
  EXPECT_EQ(persistence_.stored.back().seq, 3u);
  EXPECT_GT(persistence_.stored.back().clock, 20u);
}

TEST_F(CommitPipelineTest, ReplayAppliesADuplicatedEventOnce) {
  persistence_.stored = {event("n2", 1, 3), event("n2", 1, 3), event("n2", 2, 1)};
  committer();
  EXPECT_EQ(committer_->replay(), 2u);
  EXPECT_EQ(service_.total, 4);
  EXPECT_EQ(committer_->next_seq(), 1u);  // nothing of our own
}

TEST_F(CommitPipelineTest, RetryOfAReplayedWriteIsAnsweredWithoutApplying) {
  persistence_.stored = {event("n1", 1, 2, "r1")};
  committer();
  committer_->replay();
  request("add", 2, "r1");
  ASSERT_EQ(replies_.size(), 1u);
  EXPECT_EQ(replies_[0].value().get_string("status"), "OK");
  EXPECT_EQ(replies_[0].value().get_int("total"), 2);  // apply's reply in replay mode
  EXPECT_EQ(service_.total, 2);
}

TEST_F(CommitPipelineTest, ReplayThatThrowsIsAnError) {
  persistence_.fail_replay = true;
  committer();
  EXPECT_THROW(committer_->replay(), std::runtime_error);
}

TEST_F(CommitPipelineTest, ReplayOfAnUnknownServiceIsAnError) {
  bib::Event e = event("n1", 1, 1);
  e.service = "gone";
  persistence_.stored = {e};
  committer();
  EXPECT_THROW(committer_->replay(), std::runtime_error);
}

TEST_F(CommitPipelineTest, IngestAppliesAndPersistsAPeerEventOnceWithoutReplicating) {
  committer(true, true);
  EXPECT_TRUE(committer_->ingest(event("n2", 1, 3, "peer-req")));
  EXPECT_FALSE(committer_->ingest(event("n2", 1, 3, "peer-req")));
  iterate();
  EXPECT_EQ(journal_, (Journal{"apply n2#1", "append n2#1", "flush"}));
  EXPECT_EQ(service_.modes, std::vector<bib::ApplyMode>{bib::ApplyMode::replicated});
  EXPECT_TRUE(replication_.held.empty());
  // A client retrying that request here is answered, not applied again.
  request("add", 3, "peer-req");
  EXPECT_EQ(service_.total, 3);
  ASSERT_EQ(replies_.size(), 1u);
}

TEST_F(CommitPipelineTest, IngestOutOfOrderKeepsTheVersionVectorContiguous) {
  committer();
  EXPECT_TRUE(committer_->ingest(event("n2", 2, 1)));
  EXPECT_EQ(committer_->store().version_vector().at("n2"), 0u);
  EXPECT_TRUE(committer_->ingest(event("n2", 1, 1)));
  EXPECT_EQ(committer_->store().version_vector().at("n2"), 2u);
  EXPECT_FALSE(committer_->ingest(event("n2", 2, 1)));
  EXPECT_EQ(service_.total, 2);
}

TEST_F(CommitPipelineTest, IngestOfOurOwnEventMovesTheLocalSeqOn) {
  committer();
  EXPECT_TRUE(committer_->ingest(event("n1", 4, 1)));
  EXPECT_EQ(committer_->next_seq(), 5u);
}

// --- the Committer as bib::Replica (what replication plugins see) -------------------------------

TEST_F(CommitPipelineTest, ReplicaIngestReportsDurableOnlyAfterTheFlush) {
  bib::Replica& replica = committer();
  std::vector<std::string> outcomes;
  replica.ingest(event("n2", 1, 5), [&](bool ok, const std::string& error) {
    outcomes.push_back(ok ? "durable" : "failed: " + error);
  });
  EXPECT_TRUE(outcomes.empty()) << "told durable before the flush";
  iterate();
  EXPECT_EQ(outcomes, (std::vector<std::string>{"durable"}));
  EXPECT_EQ(persistence_.flushes, 1);
  // The same event again: not applied twice, still acknowledged (the peer may have lost our ack).
  replica.ingest(event("n2", 1, 5), [&](bool ok, const std::string&) { outcomes.push_back(ok ? "again" : "no"); });
  iterate();
  EXPECT_EQ(outcomes, (std::vector<std::string>{"durable", "again"}));
  EXPECT_EQ(service_.total, 5);
}

TEST_F(CommitPipelineTest, ReplicaIngestOfAnUnknownServiceFailsWithTheReason) {
  bib::Replica& replica = committer();
  bib::Event odd = event("n2", 1, 5);
  odd.service = "nope";
  std::string failure;
  replica.ingest(odd, [&](bool ok, const std::string& error) { failure = ok ? "ok" : error; });
  EXPECT_NE(failure.find("no loaded plugin answers service 'nope'"), std::string::npos) << failure;
  EXPECT_EQ(replica.event_count(), 0u);
}

TEST_F(CommitPipelineTest, ReplicaReportsFlushFailuresToThePeer) {
  bib::Replica& replica = committer();
  persistence_.fail_flush = true;
  std::string failure;
  replica.ingest(event("n2", 1, 5), [&](bool ok, const std::string& error) { failure = ok ? "ok" : error; });
  iterate();
  EXPECT_EQ(failure.rfind("not durable: ", 0), 0u) << failure;
}

TEST_F(CommitPipelineTest, ReplicaKeepsEveryAppliedEventForPeersInSeqOrder) {
  bib::Replica& replica = committer(false);
  request("add", 1);
  request("add", 2);
  replica.ingest(event("n2", 2, 7), [](bool, const std::string&) {});
  replica.ingest(event("n2", 1, 3), [](bool, const std::string&) {});
  auto mine = replica.events_after("n1", 0, 10);
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].seq, 1u);
  EXPECT_EQ(mine[1].seq, 2u);
  auto theirs = replica.events_after("n2", 1, 10);
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(theirs[0].data.get_int("by"), 7);
  EXPECT_EQ(replica.events_after("n2", 0, 1).size(), 1u) << "the limit pages";
  EXPECT_TRUE(replica.events_after("n9", 0, 10).empty());
  EXPECT_EQ(replica.version_vector(), (bib::VersionVector{{"n1", 2}, {"n2", 2}}));
  EXPECT_EQ(replica.event_count(), 4u);
  EXPECT_EQ(replica.highest("n2"), 2u);
}

TEST_F(CommitPipelineTest, WithAStoreOnlyTheRecentEventsStayInMemoryAndTheRestIsReadBack) {
  committer_ = std::make_unique<host::Committer>(host::Committer::Deps{
      "n1", lamport_, clock_, loop_, services_, log_, &persistence_, nullptr, 100, /*recent_events=*/2});
  bib::Replica& replica = *committer_;
  for (int by = 1; by <= 5; ++by) request("add", by);
  replica.ingest(event("n2", 1, 9), [](bool, const std::string&) {});
  iterate();
  EXPECT_EQ(committer_->events().in_memory(), 2u);
  EXPECT_EQ(replica.event_count(), 6u);

  const int reads_before = persistence_.reads;
  auto newest = replica.event("n2", 1);
  ASSERT_TRUE(newest);
  EXPECT_EQ(newest->data.get_int("by"), 9);
  EXPECT_EQ(persistence_.reads, reads_before) << "a recent event comes from memory";
  auto oldest = replica.event("n1", 1);
  ASSERT_TRUE(oldest);
  EXPECT_EQ(oldest->data.get_int("by"), 1);
  EXPECT_EQ(persistence_.reads, reads_before + 1) << "an old one from the store";
  EXPECT_FALSE(replica.event("n1", 6));
  auto mine = replica.events_after("n1", 2, 2);
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].seq, 3u);
  EXPECT_EQ(mine[1].seq, 4u);
}

TEST_F(CommitPipelineTest, WithoutAStoreEveryEventStaysInMemory) {
  committer_ = std::make_unique<host::Committer>(host::Committer::Deps{
      "n1", lamport_, clock_, loop_, services_, log_, nullptr, nullptr, 100, /*recent_events=*/2});
  for (int by = 1; by <= 5; ++by) request("add", by);
  EXPECT_EQ(committer_->events().in_memory(), 5u);
  auto first = committer_->event("n1", 1);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->data.get_int("by"), 1);
}

TEST_F(CommitPipelineTest, ReplicaTellsListenersOfEveryAppliedEvent) {
  bib::Replica& replica = committer(false);
  std::vector<std::string> seen;
  replica.on_applied([&](const bib::Event& e) { seen.push_back(e.origin + "#" + std::to_string(e.seq)); });
  request("add", 1);
  replica.ingest(event("n2", 1, 3), [](bool, const std::string&) {});
  replica.ingest(event("n2", 1, 3), [](bool, const std::string&) {});  // a duplicate: not applied
  EXPECT_EQ(seen, (std::vector<std::string>{"n1#1", "n2#1"}));
}

TEST_F(CommitPipelineTest, DigestsAgreeWhateverTheOrderAndDifferForOtherEvents) {
  bib::Replica& a = committer(false);
  a.ingest(event("n2", 1, 3), [](bool, const std::string&) {});
  a.ingest(event("n3", 1, 4), [](bool, const std::string&) {});
  const std::string digest_a = a.digest();
  auto b = std::make_unique<host::Committer>(
      host::Committer::Deps{"n1", lamport_, clock_, loop_, services_, log_, nullptr, nullptr, 100});
  b->ingest(event("n3", 1, 4), [](bool, const std::string&) {});
  EXPECT_NE(b->digest(), digest_a) << "a missing event must show";
  b->ingest(event("n2", 1, 3), [](bool, const std::string&) {});
  EXPECT_EQ(b->digest(), digest_a);
  EXPECT_EQ(digest_a.size(), 16u);
}

}  // namespace
}  // namespace bib::test
