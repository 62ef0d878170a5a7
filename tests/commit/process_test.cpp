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
#include "support/readiness.hpp"
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
                      "[host]\nname = \"n1\"\nsession_wait_ms = 300\nlisten = \"" + endpoint_ + "\"\nplugin_path = \"" + plugin_dir() +
                          "\"\n\n[[plugins]]\nname = \"" + service_plugin +
                          "\"\n\n[[plugins]]\nname = \"persistence-json\"\ndir = \"" + dir_ + "/data\"\n");
  }

  void start(const std::string& log_name) {
    host_ = std::make_unique<Process>(std::vector<std::string>{bin_path("bib-host"), "--config", config()},
                                      dir_ + "/" + log_name);
    // Asked, not read from its log: it answers `status` on its port (after its replay).
    ASSERT_TRUE(wait_serving(*host_, endpoint_, 30s)) << host_->log();
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

TEST_F(CommitProcessTest, StatusShowsTheReplicatedStateAndRepliesCarrySeen) {
  start("first.log");
  auto empty = client_.call("status");
  ASSERT_TRUE(empty) << host_->log();
  EXPECT_EQ(empty->data.get_string("node"), "n1");
  EXPECT_EQ(empty->data.get_int("events"), 0);
  const std::string empty_digest = empty->data.get_string("digest");

  add(1, "a");
  add(2, "b");
  auto reply = client_.call("add", bib::Map{{"by", 3}});
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->data.at("seen"), bib::Value(bib::Map{{"n1", 3}})) << reply->to_string();

  auto status = client_.call("status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->data.get_int("events"), 3);
  EXPECT_EQ(status->data.at("version_vector"), bib::Value(bib::Map{{"n1", 3}}));
  EXPECT_NE(status->data.get_string("digest"), empty_digest);
  EXPECT_TRUE(status->data.at("lamport").is_int());
  EXPECT_TRUE(status->data.at("clock_offset").is_number());
  EXPECT_TRUE(status->data.contains("coordinator"));

  // The same events after a restart: the same digest.
  host_->signal(SIGKILL);
  host_->wait_exit(10s);
  start("second.log");
  auto again = client_.call("status");
  ASSERT_TRUE(again) << host_->log();
  EXPECT_EQ(again->data.get_string("digest"), status->data.get_string("digest"));
}

TEST_F(CommitProcessTest, ARequestAheadOfTheServerWaitsBoundedThenIsServed) {
  start("first.log");
  add(1, "a");
  // Covered: served at once.
  auto covered = client_.call("total", bib::Map{{"after", bib::Map{{"n1", 1}}}}, 2s);
  ASSERT_TRUE(covered) << host_->log();
  EXPECT_EQ(covered->data.get_int("total"), 1);
  // Ahead (an event this node never gets): answered after host.session_wait_ms, with a warning.
  auto ahead = client_.call("total", bib::Map{{"after", bib::Map{{"elsewhere", 4}}}}, 10s);
  ASSERT_TRUE(ahead) << host_->log();
  EXPECT_EQ(ahead->data.get_int("total"), 1);
  EXPECT_NE(host_->log().find("still missing {\"elsewhere\": 4}"), std::string::npos) << host_->log();
  // A malformed session vector is the client's error, named.
  auto bad = client_.call("total", bib::Map{{"after", bib::Map{{"n1", "x"}}}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->data.get_string("status"), "erro");
  EXPECT_NE(bad->data.get_string("description").find("'after'"), std::string::npos) << bad->to_string();
}

}  // namespace
}  // namespace bib::test
