// The metrics HTTP server in-process: GET /metrics is rendered on the loop thread, anything else
// is 404, a loop that does not answer is 503, and a second server on the same address fails.
#include "metrics_server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>
#include <spdlog/sinks/null_sink.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/loopback.hpp"

using namespace std::chrono_literals;

namespace bib::host {
namespace {

class MetricsServerTest : public ::testing::Test {
 protected:
  MetricsServerTest() : log_("metrics-test", std::make_shared<spdlog::sinks::null_sink_st>()), loop_(log_) {
    metrics_.counter("bib_requests_total", "Requests.", {{"service", "ping"}}).inc(3);
  }
  ~MetricsServerTest() override { stop_loop(); }

  void run_loop() {
    loop_thread_ = std::thread([this] { loop_.run(); });
  }
  void stop_loop() {
    loop_.stop();
    if (loop_thread_.joinable()) loop_thread_.join();
  }
  HttpAddress address() const { return HttpAddress{block_.address(1), 9561}; }
  httplib::Result get(const std::string& path) {
    httplib::Client client(block_.address(1), 9561);
    client.set_read_timeout(5s);
    return client.Get(path);
  }

  test::LoopbackBlock block_;
  spdlog::logger log_;
  EventLoop loop_;
  bib::Metrics metrics_;
  std::thread loop_thread_;
};

TEST_F(MetricsServerTest, ServesTheRegistryRenderedOnTheLoopThread) {
  MetricsServer server(address(), loop_, metrics_, log_);
  server.start();
  run_loop();
  const auto response = get("/metrics");
  ASSERT_TRUE(response) << httplib::to_string(response.error());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(response->body,
            "# HELP bib_requests_total Requests.\n# TYPE bib_requests_total counter\n"
            "bib_requests_total{service=\"ping\"} 3\n");

  const auto other = get("/");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
  server.stop();
}

TEST_F(MetricsServerTest, ALoopThatDoesNotAnswerIs503) {
  MetricsServer server(address(), loop_, metrics_, log_, 200ms);
  server.start();  // the loop does not run
  const auto response = get("/metrics");
  ASSERT_TRUE(response) << httplib::to_string(response.error());
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->body, "the event loop did not answer within 200 ms\n");
  server.stop();
}

TEST_F(MetricsServerTest, ATakenAddressIsRefused) {
  MetricsServer first(address(), loop_, metrics_, log_);
  first.start();
  MetricsServer second(address(), loop_, metrics_, log_);
  EXPECT_THROW(second.start(), std::runtime_error);
}

TEST_F(MetricsServerTest, StopsRightAfterStarting) {
  MetricsServer server(address(), loop_, metrics_, log_);
  server.start();
  server.stop();
  server.stop();  // a second stop does nothing
}

}  // namespace
}  // namespace bib::host
