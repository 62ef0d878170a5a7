// bib-host with a real persistence plugin: writes survive a SIGKILL, the restarted host
// replays them before it serves, and a retried request_id is still not applied twice.
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
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

  // The service plugin and persistence-json on dir_/data; host_extra_ and plugin_extra_ are
  // more lines of [host] and of the service plugin's entry.
  std::string config(const std::string& service_plugin = "fixture-counter") {
    return write_file(dir_, "host.toml",
                      "[host]\nname = \"n1\"\nsession_wait_ms = 300\nlisten = \"" + endpoint_ + "\"\nplugin_path = \"" + plugin_dir() +
                          "\"\n" + host_extra_ + "\n[[plugins]]\nname = \"" + service_plugin + "\"\n" + plugin_extra_ +
                          "\n[[plugins]]\nname = \"persistence-json\"\ndir = \"" + dir_ + "/data\"\n");
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

  // Stops the host as an operator would, with SIGTERM, and waits for it.
  void stop() {
    host_->signal(SIGTERM);
    ASSERT_EQ(host_->wait_exit(30s), 0) << host_->log();
  }
  void kill() {
    host_->signal(SIGKILL);
    host_->wait_exit(10s);
  }
  bool logged(const std::string& text) const { return host_->log().find(text) != std::string::npos; }

  std::string host_extra_;
  std::string plugin_extra_;
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
  EXPECT_EQ(reply->data.get_string("node"), "n1") << "every reply names the server that answered";

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

// Checkpoints (docs/persistence.md): the state start-up needs, saved at stop and every
// host.checkpoint_every events, so that a restart does not re-apply the whole history.

TEST_F(CommitProcessTest, AfterAStopTheNextStartComesFromTheCheckpointWithNothingToReplay) {
  start("first.log");
  EXPECT_EQ(add(1, "a"), 1);
  EXPECT_EQ(add(2, "b"), 3);
  EXPECT_EQ(add(3, "c"), 6);
  const std::string digest = client_.call("status")->data.get_string("digest");
  stop();
  EXPECT_TRUE(logged("checkpoint at stop: 3 events")) << host_->log();

  start("second.log");
  EXPECT_TRUE(logged("restored the checkpoint: 3 events, next local seq 4")) << host_->log();
  EXPECT_TRUE(logged("from its checkpoint and 0 events stored after it")) << host_->log();
  auto status = client_.call("status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->data.get_string("digest"), digest);
  EXPECT_EQ(status->data.at("version_vector"), bib::Value(bib::Map{{"n1", 3}}));
  auto total = client_.call("total");
  EXPECT_EQ(total->data.get_int("total"), 6);
  EXPECT_EQ(total->data.get_int("adds"), 3);
  EXPECT_EQ(add(100, "b"), 3);  // the remembered request ids came back too
  std::int64_t seq = 0;
  EXPECT_EQ(add(4, "d", &seq), 10);
  EXPECT_EQ(seq, 4);
}

TEST_F(CommitProcessTest, AfterSigkillOnlyTheEventsStoredSinceTheLastCheckpointAreReplayed) {
  host_extra_ = "checkpoint_every = 2\n";
  start("first.log");
  EXPECT_EQ(add(1, "a"), 1);
  EXPECT_EQ(add(2, "b"), 3);  // the second event: a checkpoint
  // persistence-json writes the file on its own thread after the host logs the checkpoint;
  // only its own line says the file is on disk.
  ASSERT_TRUE(wait_until([&] { return logged("checkpoint periodic: 2 events") && logged("checkpoint.bin ("); }, 10s))
      << host_->log();
  EXPECT_EQ(add(3, "c"), 6);
  const std::string digest = client_.call("status")->data.get_string("digest");
  kill();

  start("second.log");
  EXPECT_TRUE(logged("restored the checkpoint: 2 events")) << host_->log();
  EXPECT_TRUE(logged("from its checkpoint and 1 events stored after it")) << host_->log();
  EXPECT_EQ(client_.call("status")->data.get_string("digest"), digest);
  EXPECT_EQ(client_.call("total")->data.get_int("total"), 6);
  EXPECT_EQ(add(50, "c"), 6);  // replayed after the checkpoint: still a known request
  EXPECT_EQ(add(50, "a"), 1);  // from the checkpoint
  std::int64_t seq = 0;
  EXPECT_EQ(add(4, "d", &seq), 10);
  EXPECT_EQ(seq, 4);
}

TEST_F(CommitProcessTest, ATornCheckpointIsRefusedAndTheWholeLogReplayed) {
  start("first.log");
  EXPECT_EQ(add(5, "a"), 5);
  EXPECT_EQ(add(6, "b"), 11);
  stop();
  // One byte of the checkpoint changed, as a bad disk or a stray write would.
  const std::string path = dir_ + "/data/checkpoint.bin";
  std::ifstream in(path, std::ios::binary);
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ASSERT_GT(bytes.size(), 100U);
  bytes[bytes.size() / 2] ^= 0x5a;
  write_file(dir_ + "/data", "checkpoint.bin", bytes);

  start("second.log");
  EXPECT_TRUE(logged("is torn or altered")) << host_->log();
  EXPECT_FALSE(logged("restored the checkpoint")) << host_->log();
  EXPECT_EQ(client_.call("total")->data.get_int("total"), 11);
  EXPECT_EQ(add(9, "b"), 11);
}

TEST_F(CommitProcessTest, APluginThatKeepsNoStateMeansNoCheckpointAndAWholeReplay) {
  plugin_extra_ = "checkpoints = false\n";
  start("first.log");
  EXPECT_EQ(add(1, "a"), 1);
  EXPECT_EQ(add(2, "b"), 3);
  stop();
  EXPECT_TRUE(logged("plugin 'fixture-counter' keeps no checkpoint state")) << host_->log();

  start("second.log");
  EXPECT_FALSE(logged("restored the checkpoint")) << host_->log();
  EXPECT_TRUE(logged("replayed 2 event(s);")) << host_->log();
  EXPECT_EQ(client_.call("total")->data.get_int("total"), 3);
}

}  // namespace
}  // namespace bib::test
