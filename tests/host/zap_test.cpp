// Who the ZAP handler lets in (host/zap_policy.hpp), and the handler itself answering real CURVE
// handshakes on loopback (host/zap_handler.hpp).
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <filesystem>
#include <random>
#include <sstream>

#include "bib/curve_keys.hpp"
#include "bib/link_security.hpp"
#include "event_loop.hpp"
#include "support/handshake.hpp"
#include "support/loopback.hpp"
#include "zap_handler.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using bib::LinkSecurity;
using bib::host::ZapPolicy;

class KeysDir {
 public:
  KeysDir() {
    std::random_device random;
    path_ = fs::temp_directory_path() / ("bib-zap-" + std::to_string(random()) + std::to_string(random()));
  }
  ~KeysDir() { fs::remove_all(path_); }
  bib::CurveKeyPair add(const std::string& name) { return bib::write_curve_key_pair(path_.string(), name); }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

std::string raw(const bib::CurveKeyPair& pair) { return bib::decode_curve_key(pair.public_key); }

TEST(ZapPolicy, AListedKeyIsLetIntoTheClusterAsItsMember) {
  KeysDir keys;
  const auto server = keys.add("server-2");
  ZapPolicy policy(bib::CurveAllowList(keys.path()));
  const auto verdict = policy.judge(LinkSecurity::kClusterDomain, "CURVE", raw(server));
  EXPECT_TRUE(verdict.accepted);
  EXPECT_EQ(verdict.user_id, "server-2");
}

TEST(ZapPolicy, AnUnlistedKeyIsRefusedAndTheReasonShowsIt) {
  KeysDir keys;
  keys.add("server-1");
  ZapPolicy policy(bib::CurveAllowList(keys.path()));
  const auto stranger = bib::generate_curve_key_pair();
  const auto verdict = policy.judge(LinkSecurity::kClusterDomain, "CURVE", raw(stranger));
  EXPECT_FALSE(verdict.accepted);
  EXPECT_NE(verdict.reason.find(stranger.public_key), std::string::npos) << verdict.reason;
}

TEST(ZapPolicy, AnyKeyIsLetIntoTheClientPortsOnly) {
  KeysDir keys;
  keys.add("broker");
  ZapPolicy policy(bib::CurveAllowList(keys.path()));
  const auto client = bib::generate_curve_key_pair();
  EXPECT_TRUE(policy.judge(LinkSecurity::kClientDomain, "CURVE", raw(client)).accepted);
  EXPECT_FALSE(policy.judge("another-domain", "CURVE", raw(client)).accepted);
  EXPECT_FALSE(policy.judge(LinkSecurity::kClusterDomain, "NULL", "").accepted);
  EXPECT_FALSE(ZapPolicy(std::nullopt).judge(LinkSecurity::kClusterDomain, "CURVE", raw(client)).accepted);
}

class ZapHandlerTest : public ::testing::Test {
 protected:
  ZapHandlerTest()
      : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text_)),
        logger_("zap-test", sink_),
        loop_(logger_),
        node_(keys_.add("broker")),
        member_(keys_.add("server-1")) {
    zap_.emplace(zmq_, ZapPolicy(bib::CurveAllowList(keys_.path())), loop_, logger_);
    server_.set(zmq::sockopt::linger, 0);
    bib::make_curve_server(server_, node_, LinkSecurity::kClusterDomain);
    server_.bind(endpoint_);
  }
  ~ZapHandlerTest() override {
    server_.close();
    zap_.reset();
  }

  // Runs the loop (where refusals are logged) until cond() or the timeout.
  bool pump_until(const std::function<bool()>& cond, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      loop_.run_once(10ms);
      if (cond()) return true;
    }
    return false;
  }
  bib::test::HandshakeOutcome connect_as(const bib::CurveKeyPair& own) {
    return bib::test::handshake(zmq_, zmq::socket_type::dealer, endpoint_,
                                [&](zmq::socket_t& s) { bib::make_curve_client(s, own, node_.public_key); }, {"hello"});
  }
  bool server_received(std::chrono::milliseconds timeout) {
    zmq::pollitem_t item{server_.handle(), 0, ZMQ_POLLIN, 0};
    return zmq::poll(&item, 1, timeout) > 0;
  }

  KeysDir keys_;
  std::ostringstream log_text_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
  spdlog::logger logger_;
  bib::host::EventLoop loop_;
  zmq::context_t zmq_;
  bib::CurveKeyPair node_;
  bib::CurveKeyPair member_;
  bib::test::LoopbackBlock block_;
  std::string endpoint_ = block_.endpoint(1, 5556);
  std::optional<bib::host::ZapHandler> zap_;
  zmq::socket_t server_{zmq_, zmq::socket_type::router};
};

TEST_F(ZapHandlerTest, AMemberCompletesTheHandshakeAndIsHeard) {
  auto outcome = connect_as(member_);
  EXPECT_EQ(outcome.result, bib::test::Handshake::succeeded) << to_string(outcome.result);
  EXPECT_TRUE(server_received(5000ms));
}

TEST_F(ZapHandlerTest, AStrangerIsRefusedUnheardAndTheRefusalLogged) {
  auto outcome = connect_as(bib::generate_curve_key_pair());
  EXPECT_EQ(outcome.result, bib::test::Handshake::refused) << to_string(outcome.result);
  EXPECT_TRUE(pump_until([&] { return log_text_.str().find("refused connection without a listed CURVE key") !=
                                      std::string::npos; }))
      << log_text_.str();
  // Refused before any message is read: the hello never reached the server.
  EXPECT_FALSE(server_received(200ms));
}

TEST_F(ZapHandlerTest, APlainSocketFailsTheHandshake) {
  auto outcome = bib::test::handshake(zmq_, zmq::socket_type::dealer, endpoint_, nullptr, {"hello"});
  EXPECT_EQ(outcome.result, bib::test::Handshake::failed) << to_string(outcome.result);
  EXPECT_FALSE(server_received(200ms));
}

}  // namespace
