// The Replicator on the manual loop with a fake replica, transport and discovery: what it
// sends when, how it answers peers, the quorum rule.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>

#include <spdlog/sinks/ostream_sink.h>

#include "fakes.hpp"
#include "replicator.hpp"
#include "support/fake_context.hpp"

namespace bib::replication {
namespace {

using namespace std::chrono_literals;
using fakes::FakeDiscovery;
using fakes::FakeReplica;
using fakes::FakeTransport;
using fakes::make_event;

struct Answer {
  bool ok = false;
  std::string error;
  int calls = 0;
};

Replicator::Done recorder(Answer& answer) {
  return [&answer](bool ok, const std::string& error) {
    answer.ok = ok;
    answer.error = error;
    ++answer.calls;
  };
}

std::vector<std::uint64_t> seqs_of(const Envelope& replicate) {
  std::vector<std::uint64_t> out;
  for (const Value& e : replicate.data.get_array("events")) out.push_back(static_cast<std::uint64_t>(e.get_int("seq")));
  return out;
}

Value base_config(Map extra = {}) {
  Map config{{"listen", "tcp://127.0.0.1:5562"}, {"batch", 3},           {"retry_ms", 200},
             {"max_retry_ms", 1000},             {"outbox_limit", 10},   {"anti_entropy_ms", 2000},
             {"quorum_timeout_ms", 3000}};
  for (auto& [key, value] : extra) config[key] = value;
  return config;
}

class ReplicatorTest : public ::testing::Test {
 protected:
  void start(Mode mode = Mode::async, Map extra = {}) {
    ctx = std::make_unique<bib::test::FakeContext>(base_config(std::move(extra)), "s1");
    ctx->replica_view = &replica;
    ctx->discovery_plugin = &discovery;
    discovery.list = {Peer{"s2", 2, "127.0.0.2"}, Peer{"s3", 3, "127.0.0.3"}};
    replicator = std::make_unique<Replicator>(*ctx, parse_replication_options(ctx->config()), mode, transport);
    replicator->start();
  }
  bib::test::ManualLoop& loop() { return ctx->loop_; }

  // A local write the host committed: s1#seq.
  Event write(std::uint64_t seq, Answer* answer = nullptr) {
    const Event event = make_event("s1", seq);
    replica.add(event);
    Answer ignored;
    replicator->replicate(event, recorder(answer ? *answer : ignored));
    return event;
  }

  // The peer acknowledges the batch it got last.
  void ack_last(const std::string& peer) {
    const auto batches = transport.sent_to(peer, kReplicate);
    ASSERT_FALSE(batches.empty()) << "nothing was sent to " << peer;
    const Envelope& last = batches.back();
    AckMessage ack{peer, static_cast<std::uint64_t>(last.data.get_int("batch")), {}, {}};
    for (std::uint64_t seq : seqs_of(last)) ack.acked.emplace_back("s1", seq);
    transport.answer(peer, to_envelope(ack));
  }

  Value status() {
    Map out;
    replicator->describe(out);
    return out.at("replication");
  }
  Value peer_status(const std::string& name) {
    const Value all = status();
    for (const Value& p : all.get_array("peers"))
      if (p.get_string("name") == name) return p;
    return {};
  }

  FakeReplica replica{"s1"};
  FakeTransport transport;
  FakeDiscovery discovery;
  std::unique_ptr<bib::test::FakeContext> ctx;
  std::unique_ptr<Replicator> replicator;
};

TEST_F(ReplicatorTest, StartConnectsToEveryPeerAndAsksWhatItLacks) {
  replica.add(make_event("s1", 1));
  start();
  EXPECT_TRUE(transport.opened);
  EXPECT_EQ(transport.connected, (std::map<std::string, std::string>{{"s2", "tcp://127.0.0.2:5562"},
                                                                      {"s3", "tcp://127.0.0.3:5562"}}));
  for (const std::string peer : {"s2", "s3"}) {
    const auto syncs = transport.sent_to(peer, kSync);
    ASSERT_EQ(syncs.size(), 1u) << peer;
    EXPECT_EQ(parse_sync(syncs[0].data).vv, (VersionVector{{"s1", 1}}));
  }
}

TEST_F(ReplicatorTest, AsyncAnswersAtOnceAndSendsAnIterationsWritesTogether) {
  start();
  Answer first;
  write(1, &first);
  EXPECT_EQ(first.calls, 1);
  EXPECT_TRUE(first.ok);
  for (std::uint64_t seq = 2; seq <= 4; ++seq) write(seq);
  EXPECT_TRUE(transport.sent_to("s2", kReplicate).empty()) << "sent before the iteration ended";

  loop().run_posted();
  for (const std::string peer : {"s2", "s3"}) {
    const auto batches = transport.sent_to(peer, kReplicate);
    ASSERT_EQ(batches.size(), 1u) << peer;
    EXPECT_EQ(seqs_of(batches[0]), (std::vector<std::uint64_t>{1, 2, 3}));  // batch = 3
    EXPECT_TRUE(batches[0].data.get_bool("replicated"));
    EXPECT_EQ(batches[0].data.get_string("from"), "s1");
  }
  // One batch in flight per peer: s2's ack releases s2's next batch only.
  ack_last("s2");
  EXPECT_EQ(seqs_of(transport.sent_to("s2", kReplicate).back()), (std::vector<std::uint64_t>{4}));
  EXPECT_EQ(transport.sent_to("s3", kReplicate).size(), 1u);
  EXPECT_EQ(peer_status("s3").get_int("queued"), 1);
  EXPECT_EQ(peer_status("s3").get_int("in_flight"), 3);
}

TEST_F(ReplicatorTest, AnUnacknowledgedBatchIsRetriedWithExponentialBackoff) {
  start();
  write(1);
  loop().run_posted();
  ASSERT_EQ(transport.sent_to("s2", kReplicate).size(), 1u);

  // retry_ms 200, doubling, max_retry_ms 1000: resent at 200, 600, 1400, 2400, 3400 ms.
  std::vector<long> resent_at;
  for (long t = 1; t <= 3400; ++t) {
    const auto before = transport.sent_to("s2", kReplicate).size();
    loop().advance(1ms);
    if (transport.sent_to("s2", kReplicate).size() > before) resent_at.push_back(t);
  }
  EXPECT_EQ(resent_at, (std::vector<long>{200, 600, 1400, 2400, 3400}));
  EXPECT_EQ(transport.reconnects["s2"], 5);  // each retry on a fresh connection
  for (const Envelope& again : transport.sent_to("s2", kReplicate)) {
    EXPECT_EQ(again.data.get_int("batch"), 1);
    EXPECT_EQ(seqs_of(again), (std::vector<std::uint64_t>{1}));
  }
  EXPECT_TRUE(peer_status("s2").get_bool("suspect"));

  // The acknowledgement ends the retries and resets the back-off.
  ack_last("s2");
  const auto sends = transport.sent_to("s2", kReplicate).size();
  loop().advance(10s);
  EXPECT_EQ(transport.sent_to("s2", kReplicate).size(), sends);
  EXPECT_FALSE(peer_status("s2").get_bool("suspect"));
  write(2);
  loop().run_posted();
  const auto after_write = transport.sent_to("s2", kReplicate).size();
  loop().advance(200ms);
  EXPECT_EQ(transport.sent_to("s2", kReplicate).size(), after_write + 1) << "back-off was not reset";
}

TEST_F(ReplicatorTest, AnyMessageFromAPeerThatMissedAnAckResendsAtOnce) {
  start();
  write(1);
  loop().run_posted();
  loop().advance(200ms);  // first retry: s2 is suspect, next retry in 400 ms
  const auto sends = transport.sent_to("s2", kReplicate).size();
  // s2 restarted and asks what it lacks.
  transport.request("route-s2", to_envelope(SyncMessage{"s2", {}, {}}));
  EXPECT_EQ(transport.sent_to("s2", kReplicate).size(), sends + 1);
  EXPECT_FALSE(peer_status("s2").get_bool("suspect"));
}

TEST_F(ReplicatorTest, AFullOutboxIsDroppedAndLaterWritesStillGo) {
  start();  // outbox_limit 10, batch 3
  for (std::uint64_t seq = 1; seq <= 3; ++seq) write(seq);
  loop().run_posted();  // 1..3 in flight
  for (std::uint64_t seq = 4; seq <= 11; ++seq) write(seq);  // 3 + 7 = 10; #11 overflows
  EXPECT_EQ(peer_status("s2").get_int("dropped"), 8);        // the 7 queued and #11
  EXPECT_EQ(peer_status("s2").get_int("queued"), 0);
  EXPECT_EQ(peer_status("s2").get_int("in_flight"), 3);
  write(12);
  ack_last("s2");
  EXPECT_EQ(seqs_of(transport.sent_to("s2", kReplicate).back()), (std::vector<std::uint64_t>{12}));
}

TEST_F(ReplicatorTest, APeersBatchIsAcknowledgedOnlyOnceDurableHere) {
  start();
  replica.durable_at_once = false;
  replica.refused = {"unknown"};
  const Envelope batch = to_envelope(ReplicateMessage{
      "s2", 4, Array{to_value(make_event("s2", 1)), to_value(make_event("s2", 2)), to_value(make_event("s2", 3, "unknown"))}});
  transport.request("route-s2", batch);
  EXPECT_TRUE(replica.holds("s2", 1));
  EXPECT_TRUE(transport.replies.empty()) << "acknowledged before the flush";

  replica.make_durable();
  ASSERT_EQ(transport.replies.size(), 1u);
  EXPECT_EQ(transport.replies[0].route, "route-s2");
  const AckMessage ack = parse_ack(transport.replies[0].message.data);
  EXPECT_EQ(ack.from, "s1");
  EXPECT_EQ(ack.batch, 4u);
  EXPECT_EQ(ack.acked, (std::vector<EventId>{{"s2", 1}, {"s2", 2}}));
  ASSERT_EQ(ack.failed.size(), 1u);
  EXPECT_EQ(ack.failed[0].id, (EventId{"s2", 3}));
  EXPECT_EQ(ack.failed[0].reason, "no plugin answers service 'unknown'");
}

TEST_F(ReplicatorTest, EventsFromPeersAreNeverPushedOn) {
  start();
  transport.request("route-s2", to_envelope(ReplicateMessage{"s2", 1, Array{to_value(make_event("s2", 1))}}));
  loop().run_posted();
  loop().advance(1s);
  EXPECT_TRUE(transport.sent_to("s3", kReplicate).empty());
  EXPECT_TRUE(transport.sent_to("s2", kReplicate).empty());
}

// Without CURVE a message names its sender itself (docs/security.md): what no member would
// send is refused, logged once per interval, and applied nowhere.
TEST_F(ReplicatorTest, ForgedReplicationMessagesAreRefusedAndNeverApplied) {
  start();
  std::ostringstream logged;
  ctx->log().sinks().push_back(std::make_shared<spdlog::sinks::ostream_sink_mt>(logged));
  transport.sent.clear();

  // From a server discovery does not list: a push and a pull, both unanswered.
  transport.request("route-x", to_envelope(ReplicateMessage{"intruder", 1, Array{to_value(make_event("intruder", 1))}}));
  transport.request("route-x", to_envelope(SyncMessage{"intruder", {}, {}}));
  loop().run_posted();
  EXPECT_FALSE(replica.holds("intruder", 1));
  EXPECT_TRUE(transport.replies.empty());

  // A member pushing another server's event: its own goes in, the other is refused for good.
  transport.request("route-s2", to_envelope(ReplicateMessage{
                                    "s2", 2, Array{to_value(make_event("s2", 1)), to_value(make_event("s3", 1))}}));
  loop().run_posted();
  EXPECT_TRUE(replica.holds("s2", 1));
  EXPECT_FALSE(replica.holds("s3", 1));
  ASSERT_EQ(transport.replies.size(), 1u);
  const AckMessage ack = parse_ack(transport.replies[0].message.data);
  EXPECT_EQ(ack.acked, (std::vector<EventId>{{"s2", 1}}));
  ASSERT_EQ(ack.failed.size(), 1u);
  EXPECT_EQ(ack.failed[0].id, (EventId{"s3", 1}));
  EXPECT_EQ(ack.failed[0].reason, "origin 's3' does not match the sender 's2'");

  // An answer on the connection to s3 that names another sender.
  transport.answer("s3", to_envelope(SyncReplyMessage{"s2", {{"s2", 5}}, Array{to_value(make_event("s2", 2))}, false}));
  loop().run_posted();
  EXPECT_FALSE(replica.holds("s2", 2));

  replicator->stop();  // writes what the refusal log still counts
  for (const char* kind : {"replication request from a non-member", "pushed event of another origin",
                           "replication answer naming another sender"})
    EXPECT_NE(logged.str().find(std::string("refused ") + kind), std::string::npos) << kind << "\n" << logged.str();
}

TEST_F(ReplicatorTest, ASyncIsAnsweredWithAPageAndARequesterAheadIsPulledFrom) {
  for (std::uint64_t seq = 1; seq <= 4; ++seq) replica.add(make_event("s1", seq));
  start();
  transport.sent.clear();
  // s3 holds s1#1 and s3#1..2, which we lack.
  transport.request("route-s3", to_envelope(SyncMessage{"s3", {{"s1", 1}, {"s3", 2}}, {}}));
  ASSERT_EQ(transport.replies.size(), 1u);
  const SyncReplyMessage page = parse_sync_reply(transport.replies[0].message.data);
  EXPECT_EQ(page.events.size(), 3u);  // s1#2..4 (batch 3)
  EXPECT_FALSE(page.more);
  EXPECT_EQ(page.vv, (VersionVector{{"s1", 4}}));
  // The start-up pull to s3 is still unanswered, so no second one yet; once it ends, the
  // requester being ahead starts one.
  EXPECT_TRUE(transport.sent_to("s3", kSync).empty());
  transport.answer("s3", to_envelope(SyncReplyMessage{"s3", {{"s3", 2}}, {}, false}));
  transport.request("route-s3", to_envelope(SyncMessage{"s3", {{"s1", 4}, {"s3", 2}}, {}}));
  EXPECT_EQ(transport.sent_to("s3", kSync).size(), 1u);
}

TEST_F(ReplicatorTest, APullGoesOnWhileMoreOnceThePageIsDurable) {
  start();
  replica.durable_at_once = false;
  Array first{to_value(make_event("s2", 1)), to_value(make_event("s2", 2)), to_value(make_event("s2", 3))};
  transport.answer("s2", to_envelope(SyncReplyMessage{"s2", {{"s2", 4}}, first, true}));
  EXPECT_EQ(transport.sent_to("s2", kSync).size(), 1u) << "asked again before the page was durable";
  replica.make_durable();
  auto syncs = transport.sent_to("s2", kSync);
  ASSERT_EQ(syncs.size(), 2u);
  const SyncMessage next = parse_sync(syncs[1].data);
  EXPECT_EQ(next.vv, (VersionVector{{"s2", 3}}));
  EXPECT_EQ(next.after, (VersionVector{{"s2", 3}}));

  transport.answer("s2", to_envelope(SyncReplyMessage{"s2", {{"s2", 4}}, Array{to_value(make_event("s2", 4))}, false}));
  replica.make_durable();
  EXPECT_EQ(transport.sent_to("s2", kSync).size(), 2u);
  EXPECT_TRUE(replica.holds("s2", 4));
  EXPECT_FALSE(peer_status("s2").get_bool("pulling"));

  // The next round comes with the anti-entropy period.
  loop().advance(2000ms);
  EXPECT_EQ(transport.sent_to("s2", kSync).size(), 3u);
}

TEST_F(ReplicatorTest, AnUnansweredSyncIsGivenUpAndAskedAgainNextRound) {
  start();
  EXPECT_EQ(transport.sent_to("s2", kSync).size(), 1u);
  loop().advance(1999ms);
  EXPECT_TRUE(peer_status("s2").get_bool("pulling"));
  loop().advance(1ms);  // given up: a fresh connection (nothing in flight) and a new request
  EXPECT_EQ(transport.sent_to("s2", kSync).size(), 2u);
  EXPECT_EQ(transport.reconnects["s2"], 1);
}

TEST_F(ReplicatorTest, WantAsksTheOriginAtOnceOrEveryPeerForAnOriginThatIsNoPeer) {
  start();
  transport.answer("s2", to_envelope(SyncReplyMessage{"s2", {}, {}, false}));
  transport.answer("s3", to_envelope(SyncReplyMessage{"s3", {}, {}, false}));
  replicator->want({{"s2", 1}});
  EXPECT_EQ(transport.sent_to("s2", kSync).size(), 2u);
  EXPECT_EQ(transport.sent_to("s3", kSync).size(), 1u);
  replicator->want({{"s2", 1}});  // s2's pull is still open: not twice
  EXPECT_EQ(transport.sent_to("s2", kSync).size(), 2u);
  replicator->want({{"s9", 4}});
  EXPECT_EQ(transport.sent_to("s3", kSync).size(), 2u);
}

TEST_F(ReplicatorTest, QuorumAnswersOnceAMajorityHoldsTheWrite) {
  start(Mode::quorum);
  Answer answer;
  write(1, &answer);
  loop().run_posted();
  EXPECT_EQ(answer.calls, 0);
  ack_last("s3");
  EXPECT_EQ(answer.calls, 1);
  EXPECT_TRUE(answer.ok) << answer.error;
  EXPECT_EQ(status().get_map("quorum").at("confirmed"), Value(1));
}

TEST_F(ReplicatorTest, QuorumFailsClearlyWhenTooFewServersHoldTheWrite) {
  start(Mode::quorum);
  Answer answer;
  write(1, &answer);
  loop().run_posted();
  loop().advance(2999ms);
  EXPECT_EQ(answer.calls, 0);
  loop().advance(1ms);
  ASSERT_EQ(answer.calls, 1);
  EXPECT_FALSE(answer.ok);
  EXPECT_EQ(answer.error, "write not confirmed by a quorum: 1 of 3 servers hold it, 2 needed after 3000 ms");
  // The event stays queued: it still reaches the peers.
  EXPECT_EQ(transport.sent_to("s2", kReplicate).back().data.get_array("events").size(), 1u);
  EXPECT_EQ(peer_status("s2").get_int("in_flight"), 1);
}

TEST_F(ReplicatorTest, QuorumSizeIsTheLargerOfClusterSizeAndServersSeen) {
  start(Mode::quorum, Map{{"cluster_size", 5}});
  EXPECT_EQ(replicator->cluster_size(), 5u);
  Answer answer;
  write(1, &answer);
  loop().run_posted();
  ack_last("s2");
  ack_last("s3");
  EXPECT_TRUE(answer.ok);  // 3 of 5

  discovery.set({Peer{"s2", 2, "127.0.0.2"}});  // s3 leaves discovery: it still counts
  EXPECT_EQ(replicator->cluster_size(), 5u);
  discovery.set({Peer{"s2", 2, "127.0.0.2"}, Peer{"s4", 4, "127.0.0.4"}, Peer{"s5", 5, "127.0.0.5"},
                 Peer{"s6", 6, "127.0.0.6"}, Peer{"s7", 7, "127.0.0.7"}});
  EXPECT_EQ(replicator->cluster_size(), 7u);  // s1 + s2..s7
  EXPECT_EQ(status().get_map("quorum").at("needed"), Value(4));
}

TEST_F(ReplicatorTest, APeerThatLeavesIsDroppedAndSyncedWithWhenItReturns) {
  start();
  write(1);
  loop().run_posted();
  discovery.set({Peer{"s2", 2, "127.0.0.2"}});
  EXPECT_EQ(transport.connected.count("s3"), 0u);
  EXPECT_TRUE(peer_status("s3").is_nil());
  const auto sends = transport.sent.size();
  loop().advance(10s);  // no retries to a peer that is gone
  for (std::size_t i = sends; i < transport.sent.size(); ++i) EXPECT_NE(transport.sent[i].peer, "s3");

  discovery.set({Peer{"s2", 2, "127.0.0.2"}, Peer{"s3", 3, "127.0.0.33"}});
  EXPECT_EQ(transport.connected.at("s3"), "tcp://127.0.0.33:5562");
  EXPECT_EQ(transport.sent.back().peer, "s3");
  EXPECT_EQ(transport.sent.back().message.service, kSync);
}

TEST_F(ReplicatorTest, StopAnswersPendingQuorumWritesAndCloses) {
  start(Mode::quorum);
  Answer answer;
  write(1, &answer);
  replicator->stop();
  EXPECT_EQ(answer.calls, 1);
  EXPECT_FALSE(answer.ok);
  EXPECT_FALSE(transport.opened);
  EXPECT_TRUE(loop().timers.empty());
  // Durability reported after stop changes nothing.
  replica.durable_at_once = false;
  EXPECT_NO_THROW(loop().run_posted());
}

TEST_F(ReplicatorTest, CaughtUpOnceAFirstRoundWithEveryPeerEnded) {
  start();
  int calls = 0;
  replicator->when_caught_up([&] { ++calls; });
  EXPECT_EQ(calls, 0);
  replica.durable_at_once = false;
  transport.answer("s2", to_envelope(SyncReplyMessage{"s2", {{"s2", 1}}, Array{to_value(make_event("s2", 1))}, false}));
  EXPECT_EQ(calls, 0) << "the page is not durable yet";
  replica.make_durable();
  EXPECT_EQ(calls, 0) << "s3 has not answered";
  loop().advance(2000ms);  // s3 given up as unreachable
  EXPECT_EQ(calls, 1);
  loop().advance(10s);
  EXPECT_EQ(calls, 1);
  int late = 0;
  replicator->when_caught_up([&] { ++late; });  // asked after the fact: at once
  EXPECT_EQ(late, 1);
}

TEST_F(ReplicatorTest, WithoutARankYetMembershipIsAwaitedOneAntiEntropyPeriod) {
  discovery.my_rank.reset();
  ctx = std::make_unique<bib::test::FakeContext>(base_config(), "s1");
  ctx->replica_view = &replica;
  ctx->discovery_plugin = &discovery;
  replicator = std::make_unique<Replicator>(*ctx, parse_replication_options(ctx->config()), Mode::async, transport);
  replicator->start();  // discovery lists nobody yet
  int calls = 0;
  replicator->when_caught_up([&] { ++calls; });
  loop().advance(1999ms);
  EXPECT_EQ(calls, 0);
  loop().advance(1ms);
  EXPECT_EQ(calls, 1);  // alone
}

TEST_F(ReplicatorTest, DescribeShowsModePeersAndQuorum) {
  start(Mode::quorum);
  const Value s = status();
  EXPECT_EQ(s.get_string("mode"), "quorum");
  EXPECT_EQ(s.get_string("listen"), "tcp://127.0.0.1:5562");
  EXPECT_EQ(s.get_int("cluster_size"), 3);
  EXPECT_EQ(s.get_array("peers").size(), 2u);
  EXPECT_EQ(s.get_map("quorum").at("needed"), Value(2));
  EXPECT_EQ(s.get_map("quorum").at("timeout_ms"), Value(3000));
}

}  // namespace
}  // namespace bib::replication
