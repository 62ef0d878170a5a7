// bib-host with a real persistence plugin: writes survive a SIGKILL, the restarted host
// replays them before it serves, and a retried request_id is still not applied twice.
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "host_client.hpp"
#include "support/loopback.hpp"
#include "support/process.hpp"
#include "support/wait.hpp"

using namespace std::chrono_literals;

namespace bib::test {
namespace {

class CommitProcessTest : public ::testing::Test {
 protected:
  CommitProcessTest() : dir_(make_temp_dir("commit")), endpoint_(block_.endpoint(1, 7000)), client_(endpoint_) {}

  // The service plugin and persistence-json on dir_/data.
  std::string config(const std::string& service_plugin = "fixture-counter") {
    return write_file(dir_, "host.toml",
                      "[host]\nname = \"n1\"\nlisten = \"" + endpoint_ + "\"\nplugin_path = \"" + plugin_dir() +
                          "\"\n\n[[plugins]]\nname = \"" + service_plugin +
                          "\"\n\n[[plugins]]\nname = \"persistence-json\"\ndir = \"" + dir_ + "/data\"\n");
  }

  void start(const std::string& log_name) {
    host_ = std::make_unique<Process>(std::vector<std::string>{bin_path("bib-host"), "--config", config()},
                                      dir_ + "/" + log_name);
    ASSERT_TRUE(wait_until(
        [&] { return host_->log().find("serving on") != std::string::npos || !host_->running(); }, 30s));
    ASSERT_TRUE(host_->running()) << host_->log();
  }

  std::int64_t add(std::int64_t by, const std::string& request_id, std::int64_t* seq = nullptr) {
    auto reply = client_.call("add", bib::Map{{"by", by}, {"request_id", request_id}});
    EXPECT_TRUE(reply) << host_->log();
    if (!reply) return -1;
    EXPECT_EQ(reply->data.get_string("status"), "OK") << reply->to_string();
    if (seq) *seq = reply->data.get_int("seq");
    return reply->data.get_int("total");
  }

  LoopbackBlock block_;
  std::string dir_;
  std::string endpoint_;
  WireClient client_;
  std::unique_ptr<Process> host_;
};

TEST_F(CommitProcessTest, StateSurvivesSigkillAndRetriesAreStillDeduplicated) {
  start("first.log");
  EXPECT_EQ(add(1, "a"), 1);
  EXPECT_EQ(add(2, "b"), 3);
  EXPECT_EQ(add(3, "c"), 6);
  EXPECT_EQ(add(50, "b"), 3);  // a retry: the first reply, not applied

  host_->signal(SIGKILL);
  host_->wait_exit(10s);
  start("second.log");

  auto total = client_.call("total");
  ASSERT_TRUE(total) << host_->log();
  EXPECT_EQ(total->data.get_int("total"), 6) << host_->log();
  EXPECT_EQ(total->data.get_int("adds"), 3);

  EXPECT_EQ(add(100, "c"), 6);  // a retry after the restart: answered, not applied
  std::int64_t seq = 0;
  EXPECT_EQ(add(4, "d", &seq), 10);
  EXPECT_EQ(seq, 4);  // the local seq goes on after the replayed ones
  EXPECT_EQ(client_.call("total")->data.get_int("adds"), 4);
}

TEST_F(CommitProcessTest, ReplayThatFailsStopsStartUpWithExitOne) {
  start("first.log");
  EXPECT_EQ(add(1, "a"), 1);
  host_->signal(SIGKILL);
  host_->wait_exit(10s);

  // The stored event is for service `add`, which no plugin answers any more.
  Process again({bin_path("bib-host"), "--config", config("fixture-good")}, dir_ + "/second.log");
  EXPECT_EQ(again.wait_exit(30s), 1) << again.log();
  EXPECT_NE(again.log().find("replay failed"), std::string::npos) << again.log();
  EXPECT_EQ(again.log().find("serving"), std::string::npos) << again.log();
}

}  // namespace
}  // namespace bib::test
