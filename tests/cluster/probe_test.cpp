// bib-probe against an in-test ROUTER and an in-test pub/sub forwarder, and the SDK's JSON
// (bib/json.hpp) it prints and reads.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <zmq_addon.hpp>

#include "fake_router.hpp"
#include "bib/json.hpp"
#include "support/loopback.hpp"
#include "support/process.hpp"

namespace bib::test {
namespace {

using namespace std::chrono_literals;

TEST(Json, ParsesEveryKindOfValue) {
  auto v = parse_json(R"( {"user": "ana", "n": -12, "t": 1.5, "e": 2e3, "ok": true, "no": false,
                           "x": null, "list": [1, "a", [], {}], "esc": "q\"\\\/\n\t\u00e9\ud83d\ude00"} )");
  ASSERT_TRUE(v) << v.error().message;
  const Value& m = v.value();
  EXPECT_EQ(m.get_string("user"), "ana");
  EXPECT_EQ(m.get_int("n"), -12);
  EXPECT_TRUE(m.at("t").is_double());
  EXPECT_DOUBLE_EQ(m.get_double("e"), 2000.0);
  EXPECT_TRUE(m.get_bool("ok"));
  EXPECT_FALSE(m.get_bool("no"));
  EXPECT_TRUE(m.at("x").is_nil());
  EXPECT_EQ(m.get_array("list").size(), 4u);
  EXPECT_EQ(m.get_string("esc"), "q\"\\/\n\t\xc3\xa9\xf0\x9f\x98\x80");
}

TEST(Json, RefusesMalformedText) {
  for (const char* bad : {"", "{", "{\"a\" 1}", "[1,]", "{\"a\":1} x", "\"\\ud800\"", "tru", "\"a\nb\"", "-"}) {
    auto v = parse_json(bad);
    EXPECT_FALSE(v) << "accepted: " << bad;
    if (!v) {
      EXPECT_NE(v.error().message.find("invalid JSON"), std::string::npos);
    }
  }
}

TEST(Json, PrintsStrictJsonThatReadsBackTheSame) {
  const Value v = Map{{"s", "a\"b\\c\x01\xc3\xa9"}, {"i", 7}, {"f", 2.0}, {"b", true}, {"z", nullptr},
                      {"a", Array{1, 2.5, "x"}}, {"m", Map{}}};
  const std::string text = to_json(v);
  EXPECT_NE(text.find("\\u0001"), std::string::npos);
  EXPECT_NE(text.find("2.0"), std::string::npos);  // a float stays a float
  auto back = parse_json(text);
  ASSERT_TRUE(back) << back.error().message << " in " << text;
  EXPECT_EQ(back.value(), v);
}

class ProbeTool : public ::testing::Test {
 protected:
  LoopbackBlock block;
  std::string endpoint = block.endpoint(1, 5555);
  std::string dir = make_temp_dir("probe");

  // Runs bib-probe to completion; returns its exit code and leaves its output in `output`.
  int run(std::vector<std::string> args) {
    args.insert(args.begin(), bin_path("bib-probe"));
    Process probe(args, dir + "/probe-" + std::to_string(++runs_) + ".log");
    const int code = probe.wait_exit(10000ms);
    output = probe.log();
    return code;
  }

  std::string output;

 private:
  int runs_ = 0;
};

TEST_F(ProbeTool, PrintsTheReplyAsJson) {
  FakeRouter server(endpoint, {});
  ASSERT_EQ(run({"--endpoint", endpoint, "--service", "ping", "--data", R"({"user": "ana"})"}), 0) << output;
  auto reply = parse_json(output);
  ASSERT_TRUE(reply) << reply.error().message << ": " << output;
  EXPECT_EQ(reply.value().get_string("service"), "ping");
  const Value& data = reply.value().get_map("data");
  EXPECT_EQ(data.get_string("status"), "OK");
  EXPECT_EQ(data.get_map("echo").at("user").as_string(), "ana");
}

TEST_F(ProbeTool, ExitsWithTwoWhenNoReplyComes) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(run({"--endpoint", endpoint, "--service", "ping", "--timeout-ms", "200"}), 2) << output;
  // It waited for its --timeout-ms before giving up (a lower bound: the wait happened).
  EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms);
  EXPECT_NE(output.find("no reply from " + endpoint), std::string::npos) << output;
}

TEST_F(ProbeTool, ExitsWithOneOnBadData) {
  EXPECT_EQ(run({"--endpoint", endpoint, "--service", "ping", "--data", "{oops"}), 1) << output;
  EXPECT_NE(output.find("--data"), std::string::npos) << output;
  EXPECT_EQ(run({"--endpoint", endpoint, "--service", "ping", "--data", "[1]"}), 1) << output;
}

// An XSUB/XPUB pair forwarding both ways on its own thread, as the proxy plugin does: messages
// XSUB -> XPUB, subscriptions XPUB -> XSUB.
class Forwarder {
 public:
  Forwarder(const std::string& publishers, const std::string& subscribers) {
    xsub_.bind(publishers);
    xpub_.bind(subscribers);
    thread_ = std::thread([this] { run(); });
  }
  ~Forwarder() {
    stop_ = true;
    thread_.join();
  }

 private:
  void run() {
    zmq::pollitem_t items[] = {{xsub_.handle(), 0, ZMQ_POLLIN, 0}, {xpub_.handle(), 0, ZMQ_POLLIN, 0}};
    while (!stop_) {
      zmq::poll(items, 2, std::chrono::milliseconds(20));
      forward(items[0], xsub_, xpub_);
      forward(items[1], xpub_, xsub_);
    }
  }
  static void forward(const zmq::pollitem_t& item, zmq::socket_t& from, zmq::socket_t& to) {
    if (!(item.revents & ZMQ_POLLIN)) return;
    std::vector<zmq::message_t> frames;
    if (zmq::recv_multipart(from, std::back_inserter(frames), zmq::recv_flags::dontwait)) {
      zmq::send_multipart(to, frames, zmq::send_flags::dontwait);
    }
  }

  zmq::context_t context_{1};
  zmq::socket_t xsub_{context_, zmq::socket_type::xsub};
  zmq::socket_t xpub_{context_, zmq::socket_type::xpub};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(ProbeTool, RoundTripThroughAProxy) {
  const std::string publishers = block.endpoint(1, 5557);
  const std::string subscribers = block.endpoint(1, 5558);
  Forwarder proxy(publishers, subscribers);
  ASSERT_EQ(run({"--endpoint", subscribers, "--publish-to", publishers, "--timeout-ms", "5000"}), 0) << output;
  auto reply = parse_json(output);
  ASSERT_TRUE(reply) << reply.error().message << ": " << output;
  EXPECT_EQ(reply.value().get_string("service"), "probe");
  const Value& data = reply.value().get_map("data");
  EXPECT_EQ(data.get_string("topic").rfind("bib-probe-", 0), 0u) << output;
  EXPECT_GE(data.get_int("sent"), 1);
  EXPECT_GE(data.get_double("round_trip_ms"), 0.0);
}

TEST_F(ProbeTool, RoundTripExitsWithTwoWhenNothingComesBack) {
  // Nothing forwards: the subscription never reaches the publisher, nothing comes back.
  EXPECT_EQ(run({"--endpoint", block.endpoint(1, 5558), "--publish-to", block.endpoint(1, 5557), "--timeout-ms",
                 "300"}),
            2)
      << output;
  EXPECT_NE(output.find("came back"), std::string::npos) << output;
}

TEST_F(ProbeTool, NeedsAServiceOrARoundTrip) {
  EXPECT_EQ(run({"--endpoint", endpoint}), 1) << output;
  EXPECT_NE(output.find("--service is required"), std::string::npos) << output;
  EXPECT_NE(run({"--endpoint", endpoint, "--service", "ping", "--publish-to", block.endpoint(1, 5557)}), 0) << output;
}

}  // namespace
}  // namespace bib::test
