// ping in a real bib-host process, asked by a plain REQ client: the smallest service plugin
// answers OK with its node's name, whatever data comes with the request.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "support/host_harness.hpp"
#include "support/loopback.hpp"
#include "support/readiness.hpp"

namespace bib::test {
namespace {

class PingPlugin : public HostProcessTest {
 protected:
  PingPlugin() : HostProcessTest("ping") {}

  void SetUp() override {
    host = start_host(dir, "ping",
                      "[host]\nname = \"ping-node\"\nlisten = \"" + endpoint + "\"\n\n[[plugins]]\nname = \"ping\"\n");
    ASSERT_TRUE(wait_serving(*host, endpoint)) << host->log();
  }

  std::string endpoint = net.endpoint(1, 5561);
  std::unique_ptr<Process> host;
};

TEST_F(PingPlugin, AnswersOkWithItsNodeName) {
  auto reply = req_call(zmq, endpoint, "ping", Map{}, std::chrono::seconds(10));
  ASSERT_TRUE(reply) << host->log();
  EXPECT_EQ(reply->service, "ping");
  EXPECT_EQ(reply->data.get_string("status"), "OK");
  EXPECT_EQ(reply->data.get_string("node"), "ping-node");
  // Stamped by the host like every reply: after the request's clock (1).
  EXPECT_TRUE(reply->data.at("timestamp").is_double());
  EXPECT_GT(reply->data.get_int("clock"), 1);
}

TEST_F(PingPlugin, IgnoresItsDataAndAnswersEveryRequest) {
  for (int i = 0; i < 5; ++i) {
    auto reply = req_call(zmq, endpoint, "ping", Map{{"user", "ana"}, {"n", i}}, std::chrono::seconds(10));
    ASSERT_TRUE(reply) << "request " << i << "\n" << host->log();
    EXPECT_EQ(reply->data.get_string("status"), "OK");
    EXPECT_EQ(reply->data.get_string("node"), "ping-node");
    EXPECT_FALSE(reply->data.contains("user")) << reply->data.to_string();
  }
}

}  // namespace
}  // namespace bib::test
