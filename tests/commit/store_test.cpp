// EventStore (applied (origin, seq), version vector) and RequestLog (bounded request id ->
// first reply), alone.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace bib::host
