// The server side of the worker protocol, in-process: host/broker_worker against a fake broker
// (a ROUTER socket in the test) on the host's real event loop. Registration, requests and
// replies, DISCONNECT, replies that outlive their connection, silence and back-off, leaving.
#include "broker_worker.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <chrono>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <zmq_addon.hpp>

#include "event_loop.hpp"
#include "support/loopback.hpp"

using namespace std::chrono_literals;

namespace bib::host {
namespace {

// [identity][command][args...] as the broker's ROUTER receives it.
struct Received {
  std::string identity;
  std::vector<std::string> frames;  // command first
};

class BrokerWorkerTest : public ::testing::Test {
 protected:
  BrokerWorkerTest()
      : sink_(std::make_shared<spdlog::sinks::ostream_sink_st>(log_text_)),
        logger_("worker-test", sink_),
        loop_(logger_),
        broker_(zmq_, zmq::socket_type::router) {
    logger_.set_level(spdlog::level::debug);
    settings_.name = "server-7";
    settings_.broker = block_.endpoint(1, 5556);
    settings_.heartbeat_ms = 50;
    settings_.liveness = 3;
    broker_.set(zmq::sockopt::linger, 0);
    broker_.bind(settings_.broker);
    worker_ = std::make_unique<BrokerWorker>(
        zmq_, security_, loop_, settings_, logger_,
        [this](std::string_view request, std::function<void(std::string)> reply) {
          requests_.emplace_back(request);
          replies_.push_back(std::move(reply));
        });
  }
  ~BrokerWorkerTest() override { worker_.reset(); }

  // Runs the loop and collects what the fake broker receives until cond() or the timeout.
  bool pump_until(const std::function<bool()>& cond, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      loop_.run_once(5ms);
      for (;;) {
        std::vector<zmq::message_t> frames;
        if (!zmq::recv_multipart(broker_, std::back_inserter(frames), zmq::recv_flags::dontwait)) {
          break;
        }
        Received r{frames[0].to_string(), {}};
        for (std::size_t i = 1; i < frames.size(); ++i) r.frames.push_back(frames[i].to_string());
        received_.push_back(std::move(r));
      }
      if (cond()) return true;
    }
    return false;
  }
  // Index of the first message with this command after `from`, or -1.
  int find(const std::string& command, std::size_t from = 0) const {
    for (std::size_t i = from; i < received_.size(); ++i) {
      if (received_[i].frames.at(0) == command) return static_cast<int>(i);
    }
    return -1;
  }
  int last(const std::string& command) const {
    for (std::size_t i = received_.size(); i-- > 0;) {
      if (received_[i].frames.at(0) == command) return static_cast<int>(i);
    }
    return -1;
  }
  std::size_t count(const std::string& command) const {
    std::size_t n = 0;
    for (const auto& r : received_) n += r.frames.at(0) == command ? 1 : 0;
    return n;
  }
  static std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }
  bool pump_until_received(const std::string& command, std::size_t from = 0,
                           std::chrono::milliseconds timeout = 5s) {
    return pump_until([&] { return find(command, from) >= 0; }, timeout);
  }
  void send(const std::string& identity, std::vector<std::string> frames) {
    frames.insert(frames.begin(), identity);
    std::vector<zmq::const_buffer> buffers;
    for (const auto& f : frames) buffers.push_back(zmq::buffer(f));
    zmq::send_multipart(broker_, buffers);
  }
  // Registers and returns the identity of the worker's connection.
  std::string registered() {
    worker_->start();
    EXPECT_TRUE(pump_until_received("READY"));
    const auto& ready = received_.at(find("READY"));
    // ["READY", name, incarnation, generation]: the first connection of this run, holding nothing.
    EXPECT_EQ(ready.frames.size(), 4u);
    EXPECT_EQ(ready.frames.at(1), "server-7");
    EXPECT_GT(std::stoull(ready.frames.at(2)), 0u);
    EXPECT_EQ(ready.frames.at(3), "1");
    return ready.identity;
  }

  std::ostringstream log_text_;
  std::shared_ptr<spdlog::sinks::ostream_sink_st> sink_;
  spdlog::logger logger_;
  EventLoop loop_;
  zmq::context_t zmq_;
  bib::LinkSecurity security_;  // plain
  bib::test::LoopbackBlock block_;
  HostSettings settings_;
  zmq::socket_t broker_;
  std::unique_ptr<BrokerWorker> worker_;
  std::vector<Received> received_;
  std::vector<std::string> requests_;
  std::vector<std::function<void(std::string)>> replies_;
};

TEST_F(BrokerWorkerTest, RegistersWithItsNameAndHeartbeats) {
  const std::string identity = registered();
  ASSERT_TRUE(pump_until_received("HEARTBEAT"));
  EXPECT_EQ(received_.at(find("HEARTBEAT")).identity, identity);
}

TEST_F(BrokerWorkerTest, HandsRequestsToTheHandlerAndSendsTheReplyWithItsId) {
  const std::string identity = registered();
  send(identity, {"REQUEST", "broker-x-1", "request-body"});
  ASSERT_TRUE(pump_until([&] { return !requests_.empty(); }));
  EXPECT_EQ(requests_[0], "request-body");
  const std::size_t before = received_.size();
  replies_[0]("reply-body");  // later than the request: a write waiting for its commit
  ASSERT_TRUE(pump_until_received("REPLY", before));
  EXPECT_EQ(received_.at(find("REPLY", before)).frames,
            (std::vector<std::string>{"REPLY", "broker-x-1", "reply-body"}));
}

TEST_F(BrokerWorkerTest, DisconnectMakesItRegisterAgainKeepingWhatItIsAnswering) {
  const std::string old_identity = registered();
  const std::string incarnation = received_.at(find("READY")).frames.at(2);
  send(old_identity, {"REQUEST", "broker-x-1", "body"});
  ASSERT_TRUE(pump_until([&] { return !requests_.empty(); }));
  const std::size_t before = received_.size();
  send(old_identity, {"DISCONNECT"});
  ASSERT_TRUE(pump_until_received("READY", before));
  const Received ready = received_.at(find("READY", before));  // a copy: pumping grows received_
  EXPECT_NE(ready.identity, old_identity) << "a fresh connection";
  // The same run, its second connection, still answering broker-x-1.
  EXPECT_EQ(ready.frames, (std::vector<std::string>{"READY", "server-7", incarnation, "2", "broker-x-1"}));

  const std::size_t after = received_.size();
  replies_[0]("late");
  ASSERT_TRUE(pump_until_received("REPLY", after));
  const Received& reply = received_.at(find("REPLY", after));
  EXPECT_EQ(reply.identity, ready.identity) << "the reply goes out on the connection open now";
  EXPECT_EQ(reply.frames, (std::vector<std::string>{"REPLY", "broker-x-1", "late"}));
}

TEST_F(BrokerWorkerTest, ARequestAlreadyBeingAnsweredIsNotHandledTwice) {
  const std::string identity = registered();
  send(identity, {"REQUEST", "broker-x-1", "body"});
  ASSERT_TRUE(pump_until([&] { return !requests_.empty(); }));
  send(identity, {"REQUEST", "broker-x-1", "body"});  // the broker sent it again
  send(identity, {"REQUEST", "broker-x-2", "other"});
  ASSERT_TRUE(pump_until([&] { return requests_.size() >= 2; }));
  EXPECT_EQ(requests_, (std::vector<std::string>{"body", "other"}));
  // Once answered, the same ticket is a new request again (a broker restarted meanwhile).
  const std::size_t before = received_.size();
  replies_[0]("done");
  ASSERT_TRUE(pump_until_received("REPLY", before));
  send(identity, {"REQUEST", "broker-x-1", "again"});
  ASSERT_TRUE(pump_until([&] { return requests_.size() >= 3; }));
  EXPECT_EQ(requests_.back(), "again");
}

TEST_F(BrokerWorkerTest, AReplyWithNoConnectionOpenGoesOutAfterTheNextReady) {
  const std::string first = registered();
  send(first, {"REQUEST", "broker-x-1", "body"});
  ASSERT_TRUE(pump_until([&] { return !requests_.empty(); }));
  // The fake broker falls silent: the worker closes its connection and waits 250 ms.
  ASSERT_TRUE(pump_until([&] { return log_text_.str().find("reconnecting in 250 ms") != std::string::npos; }));
  const std::size_t before = received_.size();
  replies_[0]("answered between connections");
  ASSERT_TRUE(pump_until_received("REPLY", before));
  const int ready = find("READY", before);
  ASSERT_GE(ready, 0);
  EXPECT_LT(ready, find("REPLY", before)) << "READY, listing it, comes first";
  EXPECT_EQ(received_.at(ready).frames.back(), "broker-x-1");
  EXPECT_EQ(received_.at(find("REPLY", before)).identity, received_.at(ready).identity);
}

TEST_F(BrokerWorkerTest, SilentBrokerIsLeftAndReconnectedWithBackoff) {
  const std::string first = registered();
  // The fake broker never answers: after liveness heartbeats (150 ms) the worker reconnects
  // after 250 ms, then after 500 ms...; each new connection says READY again. Order and outcome
  // only, no wall time: a worker stalled past its liveness (a loaded machine) registers again at
  // once, on purpose, which keeps its back-off but not its timing.
  const auto logged = [&](const std::string& text) { return log_text_.str().find(text); };
  ASSERT_TRUE(pump_until([&] { return logged("reconnecting in 500 ms") != std::string::npos; }, 10s))
      << log_text_.str();
  EXPECT_LT(logged("reconnecting in 250 ms"), logged("reconnecting in 500 ms")) << "the back-off doubled";
  // A READY on a new connection after each of them.
  ASSERT_TRUE(pump_until_received("READY", find("READY") + 1, 5s));
  const int second = find("READY", find("READY") + 1);
  EXPECT_NE(received_.at(second).identity, first);
  ASSERT_TRUE(pump_until_received("READY", second + 1, 5s));
  EXPECT_NE(received_.at(find("READY", second + 1)).identity, received_.at(second).identity);
}

TEST_F(BrokerWorkerTest, AnsweringBrokerKeepsTheConnection) {
  registered();
  for (int i = 0; i < 12; ++i) {  // 600 ms, four times the liveness window
    // The connection the worker last registered: a loaded machine can stall this test's own
    // process past the stall limit, and the worker then rightly registers afresh.
    send(received_.at(last("READY")).identity, {"HEARTBEAT"});
    pump_until([] { return false; }, 50ms);
  }
  const std::string log = log_text_.str();
  EXPECT_EQ(log.find("no word from"), std::string::npos) << log;
  EXPECT_EQ(count("READY"), 1 + occurrences(log, "stalled for")) << "only a stall registers again\n" << log;
}

TEST_F(BrokerWorkerTest, StopSaysDisconnect) {
  const std::string identity = registered();
  const std::size_t before = received_.size();
  worker_->stop();
  ASSERT_TRUE(pump_until_received("DISCONNECT", before));
  EXPECT_EQ(received_.at(find("DISCONNECT", before)).identity, identity);
}

}  // namespace
}  // namespace bib::host
