// bib::Subscriber against an in-test XPUB. The XPUB reports each (un)subscription as a frame
// "\x01topic" / "\x00topic", so a test knows the filter is in place before it publishes:
// no slow-joiner guesswork, no sleeps.
#include "bib/subscriber.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "bib/codec.hpp"
#include "support/loopback.hpp"
#include "support/wait.hpp"

namespace bib::test {
namespace {

using namespace std::chrono_literals;

class SubscriberTest : public ::testing::Test {
 protected:
  LoopbackBlock block;
  std::string endpoint = block.endpoint(1, 5558);
  zmq::context_t context{1};
  zmq::socket_t xpub{context, zmq::socket_type::xpub};
  std::multiset<std::string> notices;  // (un)subscription frames read but not awaited yet

  void SetUp() override {
    xpub.set(zmq::sockopt::linger, 0);
    xpub.bind(endpoint);
  }

  // Waits until the XPUB has seen `kind` (1 subscribe, 0 unsubscribe) for topic.
  void await_subscription(const std::string& topic, char kind = 1) {
    const std::string expected = std::string(1, kind) + topic;
    const bool seen = wait_until(
        [&] {
          zmq::message_t frame;
          while (xpub.recv(frame, zmq::recv_flags::dontwait)) notices.insert(frame.to_string());
          if (auto it = notices.find(expected); it != notices.end()) {
            notices.erase(it);
            return true;
          }
          return false;
        },
        5000ms, 5ms);
    ASSERT_TRUE(seen) << "XPUB never saw " << (kind ? "subscribe " : "unsubscribe ") << topic;
  }

  void publish_raw(const std::string& topic, const std::string& payload) {
    xpub.send(zmq::buffer(topic), zmq::send_flags::sndmore);
    xpub.send(zmq::buffer(payload));
  }

  void publish(const std::string& topic, const std::string& text, std::int64_t clock = 1) {
    publish_raw(topic, encode_envelope(Envelope{"publish", Map{{"channel", topic}, {"message", text}, {"clock", clock}}}));
  }
};

TEST_F(SubscriberTest, TopicsMatchExactlyNotByPrefix) {
  Subscriber sub(endpoint);
  sub.subscribe("ana");
  await_subscription("ana");
  publish("anabela", "not for ana");
  publish("ana", "for ana");
  auto m = sub.receive(2000ms);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->topic, "ana");
  EXPECT_EQ(m->envelope.service, "publish");
  EXPECT_EQ(m->envelope.data.get_string("message"), "for ana");
  EXPECT_FALSE(sub.receive(100ms));
}

TEST_F(SubscriberTest, ReceivesEverySubscribedTopicInOrder) {
  Subscriber sub(endpoint);
  sub.subscribe("geral");
  sub.subscribe("ana");
  sub.subscribe("ana");  // twice is once
  await_subscription("geral");
  await_subscription("ana");
  EXPECT_EQ(sub.topics().size(), 2u);
  publish("geral", "1");
  publish("outro", "x");
  publish("ana", "2");
  publish("anabela", "x");
  publish("geral", "3");
  std::string got;
  while (auto m = sub.receive(300ms)) got += m->topic + ":" + m->envelope.data.get_string("message") + " ";
  EXPECT_EQ(got, "geral:1 ana:2 geral:3 ");
}

TEST_F(SubscriberTest, UndecodablePayloadsAreSkipped) {
  Subscriber sub(endpoint);
  sub.subscribe("ana");
  await_subscription("ana");
  publish_raw("ana", "\xc1 garbage");
  publish_raw("ana", encode(Value(Array{1, 2})));  // msgpack, but not an envelope
  xpub.send(zmq::buffer(std::string("ana")), zmq::send_flags::sndmore);  // three frames
  xpub.send(zmq::buffer(std::string("a")), zmq::send_flags::sndmore);
  xpub.send(zmq::buffer(std::string("b")));
  publish("ana", "good");
  auto m = sub.receive(2000ms);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->envelope.data.get_string("message"), "good");
  EXPECT_FALSE(sub.receive(100ms));
}

TEST_F(SubscriberTest, UnsubscribeStopsDelivery) {
  Subscriber sub(endpoint);
  sub.subscribe("ana");
  sub.subscribe("geral");
  await_subscription("ana");
  await_subscription("geral");
  sub.unsubscribe("ana");
  await_subscription("ana", 0);
  publish("ana", "gone");
  publish("geral", "still");
  auto m = sub.receive(2000ms);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->topic, "geral");
  EXPECT_FALSE(sub.receive(100ms));
}

TEST_F(SubscriberTest, ObservesTheLamportClockWhenGivenOne) {
  LamportClock lamport;
  Subscriber sub(endpoint, SubscriberOptions{.lamport = &lamport});
  sub.subscribe("ana");
  await_subscription("ana");
  publish("ana", "tick", 41);
  ASSERT_TRUE(sub.receive(2000ms));
  EXPECT_EQ(lamport.value(), 42u);
}

TEST_F(SubscriberTest, PollItemSignalsAWaitingMessage) {
  Subscriber sub(endpoint);
  sub.subscribe("ana");
  await_subscription("ana");
  EXPECT_FALSE(sub.receive(0ms));
  publish("ana", "hello");
  zmq::pollitem_t items[] = {sub.poll_item()};
  ASSERT_EQ(zmq::poll(items, 1, 2000ms), 1);
  auto m = sub.receive(0ms);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->envelope.data.get_string("message"), "hello");
}

TEST_F(SubscriberTest, EmptyTopicIsRefused) {
  Subscriber sub(endpoint);
  EXPECT_THROW(sub.subscribe(""), std::invalid_argument);
}

}  // namespace
}  // namespace bib::test
