// The replication messages: the shapes docs/replication.md shows, parsed back, summarized in
// one line, malformed data refused with the field named.
#include <gtest/gtest.h>

#include "fakes.hpp"
#include "replication_messages.hpp"

namespace bib::replication {
namespace {

using fakes::make_event;

TEST(ReplicationMessages, ReplicateCarriesTheMarkerAndRoundTrips) {
  const Envelope env = to_envelope(ReplicateMessage{"s1", 7, Array{to_value(make_event("s1", 4))}});
  EXPECT_EQ(env.service, "replicate");
  EXPECT_TRUE(env.data.get_bool("replicated"));
  const ReplicateMessage back = parse_replicate(env.data);
  EXPECT_EQ(back.from, "s1");
  EXPECT_EQ(back.batch, 7u);
  ASSERT_EQ(back.events.size(), 1u);
  EXPECT_EQ(event_from_value(back.events[0]).seq, 4u);
}

TEST(ReplicationMessages, AckListsAckedAndFailedPairs) {
  const Envelope env = to_envelope(AckMessage{"s2", 7, {{"s1", 4}, {"s1", 5}}, {{{"s1", 6}, "no plugin"}}});
  EXPECT_EQ(env.data.get_array("acked")[1], Value(Array{"s1", 5}));
  EXPECT_EQ(env.data.get_array("failed")[0], Value(Array{"s1", 6, "no plugin"}));
  const AckMessage back = parse_ack(env.data);
  EXPECT_EQ(back.acked, (std::vector<EventId>{{"s1", 4}, {"s1", 5}}));
  ASSERT_EQ(back.failed.size(), 1u);
  EXPECT_EQ(back.failed[0].id, (EventId{"s1", 6}));
  EXPECT_EQ(back.failed[0].reason, "no plugin");
}

TEST(ReplicationMessages, SyncAndReplyRoundTrip) {
  const SyncMessage sync = parse_sync(to_envelope(SyncMessage{"s1", {{"s1", 3}}, {{"s2", 9}}}).data);
  EXPECT_EQ(sync.vv, (VersionVector{{"s1", 3}}));
  EXPECT_EQ(sync.after, (VersionVector{{"s2", 9}}));
  const SyncReplyMessage reply =
      parse_sync_reply(to_envelope(SyncReplyMessage{"s2", {{"s2", 9}}, Array{to_value(make_event("s2", 9))}, true}).data);
  EXPECT_EQ(reply.from, "s2");
  EXPECT_TRUE(reply.more);
  EXPECT_EQ(reply.events.size(), 1u);
}

TEST(ReplicationMessages, MalformedDataNamesTheField) {
  EXPECT_THROW(parse_replicate(Map{{"events", Array{}}}), FieldError);
  try {
    parse_ack(Map{{"from", "s2"}, {"acked", Array{Value("s1")}}});
    FAIL() << "accepted a bare string as an id";
  } catch (const FieldError& e) {
    EXPECT_EQ(e.field(), "acked");
  }
  EXPECT_THROW(parse_sync(Map{{"from", "s2"}, {"vv", Map{{"s1", -1}}}}), FieldError);
}

TEST(ReplicationMessages, SummaryIsOneLineWithIdsNotContents) {
  const Envelope env = to_envelope(
      ReplicateMessage{"s1", 7, Array{to_value(make_event("s1", 4)), to_value(make_event("s1", 5)), to_value(make_event("s1", 6))}});
  EXPECT_EQ(summarize(env), "replicate from=s1 batch=7 events=3 [s1#4..s1#6]");
  EXPECT_EQ(summarize(to_envelope(AckMessage{"s2", 7, {{"s1", 4}}, {}})), "replicate_ack from=s2 batch=7 acked=1 failed=0");
  EXPECT_EQ(summarize(to_envelope(SyncMessage{"s1", {{"s1", 3}}, {}})), R"(sync from=s1 vv={"s1": 3} after={})");
}

}  // namespace
}  // namespace bib::replication
