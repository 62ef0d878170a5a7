// EventStore (applied (origin, seq), version vector) and RequestLog (bounded request id ->
// first reply), alone.
#include <gtest/gtest.h>

#include "checkpoint_seal.hpp"
#include "event_store.hpp"
#include "request_log.hpp"

namespace bib::host {
namespace {

TEST(EventStoreTest, MarksEachIdentityOnce) {
  EventStore store;
  EXPECT_TRUE(store.mark("a", 1));
  EXPECT_FALSE(store.mark("a", 1));
  EXPECT_TRUE(store.mark("b", 1));
  EXPECT_TRUE(store.applied("a", 1));
  EXPECT_FALSE(store.applied("a", 2));
  EXPECT_FALSE(store.mark("a", 0));  // seqs start at 1
  EXPECT_EQ(store.count(), 2u);
}

TEST(EventStoreTest, VersionVectorIsTheContiguousPrefix) {
  EventStore store;
  store.mark("a", 1);
  store.mark("a", 3);
  store.mark("a", 4);
  EXPECT_EQ(store.version_vector(), (VersionVector{{"a", 1}}));
  EXPECT_EQ(store.highest("a"), 4u);
  EXPECT_TRUE(store.applied("a", 3));
  store.mark("a", 2);
  EXPECT_EQ(store.version_vector(), (VersionVector{{"a", 4}}));
  EXPECT_EQ(store.highest("a"), 4u);
  EXPECT_EQ(store.highest("zz"), 0u);
}

TEST(RequestLogTest, AnswersTheFirstReply) {
  RequestLog log;
  std::optional<bib::Value> got;
  auto waiter = [&](RequestLog::Reply r) { got = r.value(); };
  EXPECT_FALSE(log.answer("x", waiter));
  log.begin("x");
  EXPECT_TRUE(log.answer("x", waiter));  // in flight: waits
  EXPECT_FALSE(got);
  log.finish("x", bib::Value(bib::Map{{"n", 1}}));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->get_int("n"), 1);
  log.record("x", bib::Map{{"n", 2}});  // not the first: ignored
  got.reset();
  EXPECT_TRUE(log.answer("x", waiter));
  EXPECT_EQ(got->get_int("n"), 1);
}

TEST(RequestLogTest, EmptyIdIsNeverKnown) {
  RequestLog log;
  log.record("", bib::Map{});
  EXPECT_FALSE(log.answer("", [](RequestLog::Reply) {}));
}

TEST(RequestLogTest, ForgetsTheOldestBeyondCapacity) {
  RequestLog log(2);
  log.record("a", bib::Map{});
  log.record("b", bib::Map{});
  log.record("c", bib::Map{});
  EXPECT_EQ(log.size(), 2u);
  EXPECT_FALSE(log.answer("a", [](RequestLog::Reply) {}));
  EXPECT_TRUE(log.answer("c", [](RequestLog::Reply) {}));
}

// Checkpoints: each part saves and loads itself; the seal refuses another node's or altered bytes.
TEST(EventStoreTest, SavedAndLoadedKeepsGapsAndCounts) {
  EventStore store;
  for (std::uint64_t seq : {1, 2, 5, 7}) store.mark("a", seq);
  store.mark("b", 1);
  bib::StateWriter out;
  store.save(out);
  const std::string bytes = out.take();
  EventStore loaded;
  bib::StateReader in(bytes);
  loaded.load(in);
  in.expect_end();
  EXPECT_EQ(loaded.version_vector(), store.version_vector());
  EXPECT_EQ(loaded.count(), 5U);
  EXPECT_EQ(loaded.highest("a"), 7U);
  EXPECT_TRUE(loaded.applied("a", 5));
  EXPECT_FALSE(loaded.applied("a", 6));
  EXPECT_TRUE(loaded.mark("a", 3));
  EXPECT_TRUE(loaded.mark("a", 4));
  EXPECT_EQ(loaded.version_vector(), (VersionVector{{"a", 5}, {"b", 1}}));
}

TEST(RequestLogTest, SavedAndLoadedAnswersTheSameRepliesAndInFlightOnesAsOk) {
  RequestLog log(10);
  log.record("login\nr1", Map{{"status", "sucesso"}});
  log.finish("publish\nr2", RequestLog::Reply{bib::Error{"write not durable"}});
  log.begin("publish\nr3");
  bib::StateWriter out;
  log.save(out);
  const std::string bytes = out.take();
  RequestLog loaded(10);
  bib::StateReader in(bytes);
  loaded.load(in);
  in.expect_end();
  auto answer = [&](const std::string& id) {
    std::optional<RequestLog::Reply> got;
    EXPECT_TRUE(loaded.answer(id, [&](RequestLog::Reply r) { got = std::move(r); })) << id;
    return got;
  };
  EXPECT_EQ(answer("login\nr1")->value(), Value(Map{{"status", "sucesso"}}));
  EXPECT_EQ(answer("publish\nr2")->error().message, "write not durable");
  EXPECT_EQ(answer("publish\nr3")->value(), Value(Map{{"status", "OK"}}));
  EXPECT_EQ(loaded.in_flight(), 0U);
}

TEST(CheckpointSealTest, OpensOnlyForItsNodeAndUnaltered) {
  bib::StateWriter writer = checkpoint_writer("server-1");
  writer.str("payload");
  const std::string sealed = seal(std::move(writer));
  bib::StateReader payload(unseal_checkpoint("server-1", sealed));
  EXPECT_EQ(payload.str(), "payload");
  EXPECT_NO_THROW(payload.expect_end());
  EXPECT_THROW(unseal_checkpoint("server-2", sealed), std::runtime_error);
  std::string altered = sealed;
  altered[altered.size() / 2] ^= 0x20;
  EXPECT_THROW(unseal_checkpoint("server-1", altered), std::runtime_error);
  EXPECT_THROW(unseal_checkpoint("server-1", "short"), std::runtime_error);
}

}  // namespace
}  // namespace bib::host
