// Key files (bib/curve_keys.hpp) and the allow-list they make (bib/curve_allow_list.hpp).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

#include "bib/curve_allow_list.hpp"
#include "bib/curve_keys.hpp"

namespace {

namespace fs = std::filesystem;

class CurveKeys : public ::testing::Test {
 protected:
  CurveKeys() {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("bib-curve-keys-" + std::to_string(random()) + std::to_string(random()));
  }
  ~CurveKeys() override { fs::remove_all(dir_); }

  void write(const std::string& file, const std::string& text) {
    fs::create_directories(dir_);
    std::ofstream(dir_ / file) << text;
  }

  fs::path dir_;
};

TEST_F(CurveKeys, CurveIsAvailable) { EXPECT_TRUE(bib::curve_available()); }

TEST_F(CurveKeys, APairWrittenIsReadBackFromTheSecretKeyAlone) {
  const bib::CurveKeyPair written = bib::write_curve_key_pair(dir_.string(), "server-1");
  EXPECT_EQ(written.public_key.size(), bib::kCurveKeyZ85);
  const bib::CurveKeyPair read = bib::read_curve_secret_key((dir_ / "server-1.key").string());
  EXPECT_EQ(read.secret_key, written.secret_key);
  EXPECT_EQ(read.public_key, written.public_key);
  EXPECT_EQ(bib::read_curve_public_key((dir_ / "server-1.pub").string()), written.public_key);
}

TEST_F(CurveKeys, TheSecretKeyIsReadableByItsOwnerOnly) {
  bib::write_curve_key_pair(dir_.string(), "broker");
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "broker.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(CurveKeys, AnExistingPairIsKeptUnlessOverwritten) {
  const auto first = bib::write_curve_key_pair(dir_.string(), "proxy");
  EXPECT_EQ(bib::write_curve_key_pair(dir_.string(), "proxy").public_key, first.public_key);
  EXPECT_NE(bib::write_curve_key_pair(dir_.string(), "proxy", true).public_key, first.public_key);
}

// What clients pass as ClientOptions::prepare: a CURVE client of the node whose .pub is named.
TEST_F(CurveKeys, AClientSetupFromKeyFilesReachesTheServerOfThatKeyOnly) {
  const bib::CurveKeyPair server = bib::write_curve_key_pair(dir_.string(), "server-1");
  bib::write_curve_key_pair(dir_.string(), "tools");
  bib::write_curve_key_pair(dir_.string(), "other");
  zmq::context_t zmq;
  zmq::socket_t router(zmq, zmq::socket_type::router);
  router.set(zmq::sockopt::linger, 0);
  bib::make_curve_server(router, server, "test");  // no ZAP handler here: any client key is admitted
  router.bind("tcp://127.0.0.1:*");
  const std::string endpoint = router.get(zmq::sockopt::last_endpoint);
  auto arrives = [&](const bib::SocketSetup& setup, int wait_ms) {
    zmq::socket_t dealer(zmq, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::linger, 0);
    setup(dealer);
    dealer.connect(endpoint);
    dealer.send(zmq::str_buffer("hello"), zmq::send_flags::none);  // queued until the handshake
    router.set(zmq::sockopt::rcvtimeo, wait_ms);
    zmq::message_t identity;
    zmq::message_t body;
    if (!router.recv(identity)) return false;
    return router.recv(body).has_value() && body.to_string() == "hello";
  };
  const std::string server_pub = (dir_ / "server-1.pub").string();
  EXPECT_TRUE(arrives(bib::curve_client_setup(server_pub, (dir_ / "tools.key").string()), 5000));
  EXPECT_TRUE(arrives(bib::curve_client_setup(server_pub, ""), 5000));  // a fresh pair of its own
  EXPECT_TRUE(arrives(bib::curve_client_setup(bib::generate_curve_key_pair(), server.public_key), 5000));
  // Another node's key: the handshake fails and nothing is delivered.
  EXPECT_FALSE(arrives(bib::curve_client_setup((dir_ / "other.pub").string(), ""), 300));
  EXPECT_THROW(bib::curve_client_setup((dir_ / "missing.pub").string(), ""), std::runtime_error);
}

TEST_F(CurveKeys, AFileWithoutAKeyIsRefusedNamingTheFile) {
  write("bad.key", "not a key\n");
  try {
    bib::read_curve_secret_key((dir_ / "bad.key").string());
    FAIL() << "a file without a key was read";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.key"), std::string::npos) << e.what();
  }
  EXPECT_THROW(bib::read_curve_public_key((dir_ / "missing.pub").string()), std::runtime_error);
}

TEST_F(CurveKeys, TheAllowListNamesTheMemberOfEachListedKeyAndNoOther) {
  const auto one = bib::write_curve_key_pair(dir_.string(), "server-1");
  const auto two = bib::write_curve_key_pair(dir_.string(), "server-2");
  write("notes.pub", "hello\n");  // not a key: skipped
  bib::CurveAllowList members(dir_.string());
  EXPECT_EQ(members.size(), 2u);
  EXPECT_EQ(members.member(bib::decode_curve_key(one.public_key)), "server-1");
  EXPECT_EQ(members.member(bib::decode_curve_key(two.public_key)), "server-2");
  EXPECT_EQ(members.member(bib::decode_curve_key(bib::generate_curve_key_pair().public_key)), std::nullopt);
  EXPECT_EQ(members.member("short"), std::nullopt);
}

TEST_F(CurveKeys, AKeyAddedLaterIsAcceptedWithoutARestart) {
  bib::write_curve_key_pair(dir_.string(), "server-1");
  bib::CurveAllowList members(dir_.string());
  // A new file changes the folder's time; equal times within its resolution are set apart.
  const auto before = fs::last_write_time(dir_);
  const auto added = bib::write_curve_key_pair(dir_.string(), "server-4");
  fs::last_write_time(dir_, before + std::chrono::seconds(1));
  EXPECT_EQ(members.member(bib::decode_curve_key(added.public_key)), "server-4");
}

TEST_F(CurveKeys, AMissingFolderIsRefused) {
  EXPECT_THROW(bib::CurveAllowList((dir_ / "nowhere").string()), std::runtime_error);
}

}  // namespace
