// The proxy in a real bib-host process: publishers connect to its XSUB (5557), subscribers
// to its XPUB (5558), and messages and subscriptions cross it.
#include <gtest/gtest.h>

#include <zmq_addon.hpp>

#include "support/host_harness.hpp"
#include "support/loopback.hpp"

namespace bib::test {
namespace {

using std::chrono::milliseconds;

class ProxyProcess : public HostProcessTest {
 protected:
  ProxyProcess() : HostProcessTest("proxy") {}

  std::string frontend = net.endpoint(1, 5557);
  std::string backend = net.endpoint(1, 5558);
  std::unique_ptr<Process> proxy;

  void SetUp() override {
    proxy = start_host(dir, "proxy", proxy_config(frontend, backend, "stats_interval_ms = 200\n"));
  }

  zmq::socket_t subscriber(const std::string& topic) {
    zmq::socket_t sub(zmq, zmq::socket_type::sub);
    sub.set(zmq::sockopt::linger, 0);
    sub.set(zmq::sockopt::subscribe, topic);
    sub.connect(backend);
    return sub;
  }

  zmq::socket_t publisher(zmq::socket_type type = zmq::socket_type::pub) {
    zmq::socket_t pub(zmq, type);
    pub.set(zmq::sockopt::linger, 0);
    pub.connect(frontend);
    return pub;
  }

  static std::string post(const std::string& channel, const std::string& text) {
    return encode_envelope(Envelope{"publish", Map{{"user", "ana"}, {"channel", channel}, {"message", text},
                                                   {"timestamp", 1.0}, {"clock", 1}}});
  }

  static void send(zmq::socket_t& pub, const std::vector<std::string>& frames) {
    std::vector<zmq::const_buffer> buffers;
    for (const auto& f : frames) buffers.push_back(zmq::buffer(f));
    zmq::send_multipart(pub, buffers, zmq::send_flags::dontwait);
  }

  static std::optional<std::vector<std::string>> receive(zmq::socket_t& sub, milliseconds timeout) {
    zmq::pollitem_t item{sub.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) == 0) return std::nullopt;
    std::vector<zmq::message_t> parts;
    if (!zmq::recv_multipart(sub, std::back_inserter(parts), zmq::recv_flags::dontwait)) return std::nullopt;
    std::vector<std::string> frames;
    for (const auto& p : parts) frames.push_back(p.to_string());
    return frames;
  }

  // Publishes `frames` until `sub` receives a message (subscriptions take a moment to reach
  // the publisher through the proxy); returns what it received.
  static std::optional<std::vector<std::string>> publish_until_received(zmq::socket_t& pub, zmq::socket_t& sub,
                                                                        const std::vector<std::string>& frames) {
    std::optional<std::vector<std::string>> got;
    wait_until(
        [&] {
          send(pub, frames);
          return (got = receive(sub, milliseconds(50))).has_value();
        },
        milliseconds(10000), milliseconds(1));
    return got;
  }
};

TEST_F(ProxyProcess, DeliversFromAPublisherToASubscriber) {
  auto pub = publisher();
  auto sub = subscriber("geral");
  const auto got = publish_until_received(pub, sub, {"geral", post("geral", "oi")});
  ASSERT_TRUE(got) << proxy->log();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0], "geral");
  auto envelope = decode_envelope((*got)[1]);
  ASSERT_TRUE(envelope);
  EXPECT_EQ(envelope.value().data.get_string("message"), "oi");
  // One wire line per forwarded message, with the envelope decoded.
  EXPECT_TRUE(wait_until([&] { return proxy->log().find("fwd pub 'geral' publish {") != std::string::npos; },
                         milliseconds(5000)))
      << proxy->log();
}

TEST_F(ProxyProcess, ForwardsMultipartMessagesWhole) {
  auto pub = publisher();
  auto sub = subscriber("t");
  const auto got = publish_until_received(pub, sub, {"t", "one", "two", ""});
  ASSERT_TRUE(got) << proxy->log();
  EXPECT_EQ(*got, (std::vector<std::string>{"t", "one", "two", ""}));
}

TEST_F(ProxyProcess, SubscriptionsReachThePublisher) {
  // An XPUB publisher sees the subscriptions the proxy forwards from its XPUB to its XSUB.
  auto pub = publisher(zmq::socket_type::xpub);
  auto sub = subscriber("geral");
  auto frame = receive(pub, milliseconds(10000));
  ASSERT_TRUE(frame) << proxy->log();
  EXPECT_EQ(frame->at(0), std::string("\x01geral"));

  sub.set(zmq::sockopt::unsubscribe, "geral");
  frame = receive(pub, milliseconds(10000));
  ASSERT_TRUE(frame) << proxy->log();
  EXPECT_EQ(frame->at(0), std::string("\x00geral", 6));
}

TEST_F(ProxyProcess, ASubscriberThatComesLateGetsTheMessagesThatFollow) {
  auto pub = publisher();
  auto early = subscriber("geral");
  ASSERT_TRUE(publish_until_received(pub, early, {"geral", post("geral", "1")})) << proxy->log();

  // A second subscriber of the same topic and one of a new topic, both after traffic began.
  auto same_topic = subscriber("geral");
  auto new_topic = subscriber("bob");
  ASSERT_TRUE(publish_until_received(pub, same_topic, {"geral", post("geral", "2")})) << proxy->log();
  ASSERT_TRUE(publish_until_received(pub, new_topic, {"bob", post("bob", "3")})) << proxy->log();

  // From now on every message reaches every subscriber of its topic, and no other. Copies
  // of the messages above may still be arriving: read up to the one marked "last".
  send(pub, {"geral", post("geral", "last")});
  send(pub, {"bob", post("bob", "last")});
  auto read_to_last = [](zmq::socket_t& sub, const std::string& topic) {
    for (;;) {
      auto got = receive(sub, milliseconds(5000));
      if (!got) return false;
      EXPECT_EQ(got->at(0), topic);
      auto envelope = decode_envelope(got->at(1));
      if (envelope && envelope.value().data.get_string("message") == "last") return true;
    }
  };
  EXPECT_TRUE(read_to_last(early, "geral"));
  EXPECT_TRUE(read_to_last(same_topic, "geral"));
  EXPECT_TRUE(read_to_last(new_topic, "bob"));
}

TEST_F(ProxyProcess, LogsItsCountsPeriodicallyAndAtStop) {
  auto pub = publisher();
  auto sub = subscriber("geral");
  ASSERT_TRUE(publish_until_received(pub, sub, {"geral", post("geral", "oi")}));
  EXPECT_TRUE(wait_until([&] { return proxy->log().find("proxy counts so far: 1 subscriptions") != std::string::npos; },
                         milliseconds(5000)))
      << proxy->log();
  EXPECT_EQ(proxy->stop(), 0);
  EXPECT_NE(proxy->log().find("proxy counts at stop: 1 subscriptions, 0 unsubscriptions"), std::string::npos)
      << proxy->log();
}

}  // namespace
}  // namespace bib::test
