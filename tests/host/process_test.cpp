// bib-host as a process: a real binary, real sockets on a private loopback block, requests
// built by hand. Each test owns its host; the Process destructor kills it whatever happens.
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "bib/codec.hpp"
#include "bib/plugin.hpp"
#include "host_client.hpp"
#include "support/loopback.hpp"
#include "support/process.hpp"
#include "support/readiness.hpp"
#include "support/wait.hpp"

using namespace std::chrono_literals;

namespace bib::test {
namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class HostProcessTest : public ::testing::Test {
 protected:
  HostProcessTest() : dir_(make_temp_dir("host")), endpoint_(block_.endpoint(1, 7000)), client_(endpoint_) {}

  // Starts bib-host with the given plugins and waits until it serves.
  void start(const std::vector<std::string>& plugins) {
    const std::string config = write_file(dir_, "host.toml", host_config("node-under-test", endpoint_, plugins));
    host_ = std::make_unique<Process>(std::vector<std::string>{bin_path("bib-host"), "--config", config},
                                      dir_ + "/host.log");
    // Asked, not read from its log: it answers `status` on its port.
    ASSERT_TRUE(wait_serving(*host_, endpoint_, 30s)) << host_->log();
  }

  // Runs bib-host to completion with extra arguments; returns its exit code.
  int run_to_exit(std::vector<std::string> args, const std::string& log_name) {
    args.insert(args.begin(), bin_path("bib-host"));
    Process p(args, dir_ + "/" + log_name);
    const int code = p.wait_exit(30s);
    last_log_ = p.log();
    return code;
  }

  LoopbackBlock block_;
  std::string dir_;
  std::string endpoint_;
  WireClient client_;
  std::unique_ptr<Process> host_;
  std::string last_log_;
};

TEST_F(HostProcessTest, EchoRepliesWithTheDataStampedWithClocks) {
  start({"fixture-good"});
  // A clock above anything the readiness requests can have ticked it to.
  auto reply = client_.call("echo", bib::Map{{"x", 1}, {"clock", 1000}});
  ASSERT_TRUE(reply) << host_->log();
  EXPECT_EQ(reply->service, "echo");
  EXPECT_EQ(reply->data.get_int("x"), 1);
  // Lamport: observed 1000 on receive (-> 1001), ticked before the reply (-> 1002).
  EXPECT_EQ(reply->data.get_int("clock"), 1002);
  EXPECT_GT(reply->data.get_double("timestamp"), 1.6e9);
  const std::string log = host_->log();
  EXPECT_TRUE(contains(log, "[wire] info: recv direct echo")) << log;
  EXPECT_TRUE(contains(log, "[wire] info: send direct echo")) << log;
}

TEST_F(HostProcessTest, HandlerThatThrowsGivesErroAndTheNextRequestWorks) {
  start({"fixture-good"});
  auto boom = client_.call("boom");
  ASSERT_TRUE(boom) << host_->log();
  EXPECT_EQ(boom->service, "boom");
  EXPECT_EQ(boom->data.get_string("status"), "erro");
  EXPECT_EQ(boom->data.get_string("description"), "boom: fixture failure");
  EXPECT_TRUE(boom->data.contains("clock"));
  auto echo = client_.call("echo", bib::Map{{"after", "boom"}});
  ASSERT_TRUE(echo) << host_->log();
  EXPECT_EQ(echo->data.get_string("after"), "boom");
}

TEST_F(HostProcessTest, UnknownServiceErroNamesIt) {
  start({"fixture-good"});
  auto reply = client_.call("xyz");
  ASSERT_TRUE(reply) << host_->log();
  EXPECT_EQ(reply->service, "xyz");
  EXPECT_EQ(reply->data.get_string("status"), "erro");
  EXPECT_EQ(reply->data.get_string("description"), "unknown service 'xyz'");
  EXPECT_EQ(reply->data.get_string("message"), "unknown service 'xyz'") << "publish-style clients read message";
}

TEST_F(HostProcessTest, GarbageBytesGetAnErroReply) {
  start({"fixture-good"});
  for (const std::string& garbage : {std::string("\xc1\xff garbage"), std::string(), std::string("\x92\x01\x02")}) {
    auto raw = client_.call_raw(garbage);
    ASSERT_TRUE(raw) << host_->log();
    auto reply = bib::decode_envelope(*raw);
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply.value().service, "error");
    EXPECT_EQ(reply.value().data.get_string("status"), "erro");
    EXPECT_TRUE(contains(reply.value().data.get_string("description"), "malformed request"));
  }
  EXPECT_TRUE(client_.call("echo"));
}

TEST_F(HostProcessTest, FieldErrorFromAHandlerIsAnErroReply) {
  start({"fixture-good"});
  auto reply = client_.call("count", bib::Map{{"by", "two"}});
  ASSERT_TRUE(reply) << host_->log();
  EXPECT_EQ(reply->data.get_string("status"), "erro");
  EXPECT_TRUE(contains(reply->data.get_string("description"), "by")) << reply->data.to_string();
}

TEST_F(HostProcessTest, OversizedFrameIsDroppedAndTheHostKeepsServing) {
  start({"fixture-good"});
  zmq::socket_t big(client_.context(), zmq::socket_type::req);
  big.set(zmq::sockopt::linger, 0);
  big.connect(endpoint_);
  big.send(zmq::buffer(std::string(11 * 1024 * 1024, 'x')));

  auto reply = client_.call("echo", bib::Map{{"n", 2}});
  ASSERT_TRUE(reply) << host_->log();
  EXPECT_EQ(reply->data.get_int("n"), 2);
  zmq::pollitem_t item{big.handle(), 0, ZMQ_POLLIN, 0};
  EXPECT_EQ(zmq::poll(&item, 1, 300ms), 0) << "the oversized request got an answer";
  EXPECT_TRUE(host_->running());
  EXPECT_FALSE(contains(host_->log(), "xxxxxxxx")) << "the oversized frame reached the dispatcher";
}

TEST_F(HostProcessTest, DealerClientsWithAndWithoutDelimiter) {
  start({"fixture-good"});
  const std::string body = bib::encode_envelope(bib::Envelope{"echo", bib::Map{{"via", "dealer"}}});
  auto plain = client_.call_dealer({body});
  ASSERT_TRUE(plain) << host_->log();
  ASSERT_EQ(plain->size(), 1u);
  EXPECT_EQ(bib::decode_envelope((*plain)[0]).value().data.get_string("via"), "dealer");

  auto delimited = client_.call_dealer({"", body});
  ASSERT_TRUE(delimited) << host_->log();
  ASSERT_EQ(delimited->size(), 2u);
  EXPECT_EQ((*delimited)[0], "");
  EXPECT_EQ(bib::decode_envelope((*delimited)[1]).value().data.get_string("via"), "dealer");
}

TEST_F(HostProcessTest, MalformedFrameLayoutIsRefusedWithAnError) {
  start({"fixture-good"});
  const std::string body = bib::encode_envelope(bib::Envelope{"echo", bib::Map{}});
  // [identity]["not empty"][body]: neither REQ nor DEALER layout. Answered on [identity][""].
  auto reply = client_.call_dealer({"not empty", body}, 5s);
  ASSERT_TRUE(reply) << host_->log();
  ASSERT_EQ(reply->size(), 2u);
  EXPECT_EQ((*reply)[0], "");
  auto error = bib::decode_envelope((*reply)[1]);
  ASSERT_TRUE(error);
  EXPECT_EQ(error.value().service, "error");
  EXPECT_EQ(error.value().data.get_string("description"),
            "malformed request: 2 frames after the identity, expected [\"\"][body] or [body]");
  EXPECT_TRUE(wait_until([&] { return contains(host_->log(), "refused request of a wrong frame layout: from direct"); },
                         5s))
      << host_->log();
  EXPECT_TRUE(client_.call("echo"));
}

TEST_F(HostProcessTest, WriteIsAppliedAsANumberedEvent) {
  start({"fixture-good"});
  auto first = client_.call("count", bib::Map{{"by", 2}, {"request_id", "r-1"}});
  auto second = client_.call("count", bib::Map{{"by", 3}});
  ASSERT_TRUE(first && second) << host_->log();
  EXPECT_EQ(first->data.get_int("count"), 2);
  EXPECT_EQ(first->data.get_int("seq"), 1);
  EXPECT_EQ(first->data.get_string("origin"), "node-under-test");
  EXPECT_EQ(first->data.get_string("request_id"), "r-1");
  EXPECT_EQ(second->data.get_int("count"), 5);
  EXPECT_EQ(second->data.get_int("seq"), 2);
  EXPECT_EQ(second->data.get_string("request_id"), "");
}

TEST_F(HostProcessTest, PluginTimersTickInTheHostLoop) {
  start({"fixture-timers"});
  bib::Value report;
  ASSERT_TRUE(wait_until([&] {
    auto r = client_.call("timers");
    if (r) report = r->data;
    return r && report.get_int("ticks") >= 3 && report.get_bool("once");
  }, 10s)) << report.to_string() << "\n" << host_->log();
  EXPECT_FALSE(report.get_bool("cancelled_fired"));
  EXPECT_GE(report.get_int("ends"), 3);
}

TEST_F(HostProcessTest, SigtermStopsPluginsAndExitsZero) {
  start({"fixture-good", "fixture-timers"});
  ASSERT_TRUE(client_.call("echo"));
  host_->signal(SIGTERM);
  EXPECT_EQ(host_->wait_exit(20s), 0) << host_->log();
  const std::string log = host_->log();
  EXPECT_TRUE(contains(log, "SIGTERM received: shutting down")) << log;
  const auto timers = log.find("stopping plugin 'fixture-timers'");
  const auto good = log.find("stopping plugin 'fixture-good'");
  ASSERT_NE(timers, std::string::npos) << log;
  ASSERT_NE(good, std::string::npos) << log;
  EXPECT_LT(timers, good) << "plugins stop in reverse order";
  EXPECT_TRUE(contains(log, "node 'node-under-test' stopped")) << log;
}

TEST_F(HostProcessTest, StartupLineListsPluginsWithKindAndVersion) {
  start({"fixture-good"});
  EXPECT_TRUE(contains(host_->log(), "node 'node-under-test' loaded fixture-good (service 1.2.3)")) << host_->log();
}

TEST_F(HostProcessTest, StartFailureStopsTheStartedPluginsAndExitsNonZero) {
  const std::string config =
      write_file(dir_, "host.toml", host_config("node-under-test", endpoint_, {"fixture-good", "fixture-startthrows"}));
  EXPECT_EQ(run_to_exit({"--config", config}, "host.log"), 1) << last_log_;
  EXPECT_TRUE(contains(last_log_, "plugin 'fixture-startthrows' failed to start: cannot start: fixture failure"))
      << last_log_;
  EXPECT_TRUE(contains(last_log_, "stopping plugin 'fixture-good'")) << last_log_;
}

TEST_F(HostProcessTest, CheckAcceptsAGoodConfig) {
  const std::string config = write_file(dir_, "host.toml", host_config("n", endpoint_, {"fixture-good", "fixture-timers"}));
  EXPECT_EQ(run_to_exit({"--config", config, "--check"}, "check.log"), 0) << last_log_;
  EXPECT_TRUE(contains(last_log_, "config OK: 2 plugins (fixture-good, fixture-timers)")) << last_log_;
}

TEST_F(HostProcessTest, CheckRefusesAPluginBuiltForAnotherAbi) {
  const std::string config = write_file(dir_, "host.toml", host_config("n", endpoint_, {"fixture-good", "fixture-badabi"}));
  EXPECT_EQ(run_to_exit({"--config", config, "--check"}, "check.log"), 1) << last_log_;
  const std::string line = "plugin " + plugin_dir() + "/bib-fixture-badabi.so: ABI version " +
                           std::to_string(bib::kAbiVersion + 1) + ", host expects " + std::to_string(bib::kAbiVersion);
  EXPECT_TRUE(contains(last_log_, line)) << last_log_;
}

TEST_F(HostProcessTest, ExampleConfigServesPing) {
  const std::string config = source_path("configs/host-example.toml");
  EXPECT_EQ(run_to_exit({"--config", config, "--check"}, "check.log"), 0) << last_log_;
  // Default plugin path (<exe>/../lib/bib/plugins); listen moved into our loopback block.
  host_ = std::make_unique<Process>(
      std::vector<std::string>{bin_path("bib-host"), "--config", config, "--set", "host.listen=" + endpoint_},
      dir_ + "/example.log");
  auto reply = client_.call("ping");
  ASSERT_TRUE(reply) << host_->log();
  EXPECT_EQ(reply->data.get_string("status"), "OK");
  EXPECT_EQ(reply->data.get_string("node"), "example");
}

}  // namespace
}  // namespace bib::test
