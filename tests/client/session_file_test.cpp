// The session file of one-shot commands (tools/client-core, bib_cli/session_file.hpp).
#include "bib_cli/session_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/process.hpp"

namespace bib::test {
namespace {

class SessionFileTest : public ::testing::Test {
 protected:
  std::string dir = make_temp_dir("session-file");
  std::string path = dir + "/session";
  void write_raw(const std::string& text) { std::ofstream(path) << text; }
};

TEST_F(SessionFileTest, WhatIsWrittenIsReadBack) {
  const VersionVector session{{"server-1", 12}, {"server-2", 4}};
  ASSERT_TRUE(cli::write_session_file(path, session));
  EXPECT_EQ(cli::read_session_file(path), session);
  ASSERT_TRUE(cli::write_session_file(path, {{"server-3", 1}}));  // replaced whole
  EXPECT_EQ(cli::read_session_file(path), (VersionVector{{"server-3", 1}}));
}

TEST_F(SessionFileTest, AMissingOrDamagedFileIsAnEmptySession) {
  EXPECT_TRUE(cli::read_session_file(path).empty());
  write_raw("{\"server-1\": 3");  // torn
  EXPECT_TRUE(cli::read_session_file(path).empty());
  write_raw("[1, 2]");
  EXPECT_TRUE(cli::read_session_file(path).empty());
  write_raw("{\"server-1\": \"three\"}");
  EXPECT_TRUE(cli::read_session_file(path).empty());
}

TEST_F(SessionFileTest, AnUnwritablePlaceFailsAndLeavesNothingBehind) {
  EXPECT_FALSE(cli::write_session_file(dir + "/no/such/folder/session", {{"server-1", 1}}));
  ASSERT_TRUE(cli::write_session_file(path, {{"server-1", 1}}));
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1u);  // no temporary file left beside it
}

}  // namespace
}  // namespace bib::test
