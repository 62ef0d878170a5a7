// The reference server's state file: name -> rank, written atomically, read strictly.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "rank_store.hpp"
#include "support/process.hpp"

namespace bib::reference {
namespace {

class RankStoreTest : public ::testing::Test {
 protected:
  std::string dir = bib::test::make_temp_dir("rank-store");
  std::string path = dir + "/ranks.txt";

  void write(const std::string& text) { std::ofstream(path) << text; }
};

TEST_F(RankStoreTest, AMissingFileMeansNoRanksYet) { EXPECT_TRUE(RankStore(path).load().empty()); }

TEST_F(RankStoreTest, SavedRanksLoadBack) {
  const std::map<std::string, int> ranks{{"server-1", 1}, {"servidor joão 2", 2}, {"x", 7}};
  RankStore(path).save(ranks);
  EXPECT_EQ(RankStore(path).load(), ranks);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

TEST_F(RankStoreTest, SavingReplacesTheWholeFile) {
  RankStore store(path);
  store.save({{"a", 1}, {"b", 2}});
  store.save({{"a", 1}});
  EXPECT_EQ(store.load(), (std::map<std::string, int>{{"a", 1}}));
}

TEST_F(RankStoreTest, TheFileIsReadable) {
  RankStore(path).save({{"server-1", 1}, {"server-2", 2}});
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "# bib reference server ranks: <rank> <name>\n1 server-1\n2 server-2\n");
}

TEST_F(RankStoreTest, CommentsAndBlankLinesAreSkipped) {
  write("# hand-edited\n\n3 server-3\n");
  EXPECT_EQ(RankStore(path).load(), (std::map<std::string, int>{{"server-3", 3}}));
}

TEST_F(RankStoreTest, AMalformedFileIsRefusedNamingTheLine) {
  write("1 server-1\nnot-a-rank server-2\n");
  try {
    RankStore(path).load();
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":2: rank must be a positive integer"), std::string::npos) << e.what();
  }
  write("0 zero\n");
  EXPECT_THROW(RankStore(path).load(), std::runtime_error);
  write("1\n");
  EXPECT_THROW(RankStore(path).load(), std::runtime_error);
  write("1 \n");
  EXPECT_THROW(RankStore(path).load(), std::runtime_error);  // empty name
}

TEST_F(RankStoreTest, ANameOrRankTwiceIsRefused) {
  write("1 a\n2 a\n");
  EXPECT_THROW(RankStore(path).load(), std::runtime_error);
  write("1 a\n1 b\n");
  EXPECT_THROW(RankStore(path).load(), std::runtime_error);
}

TEST_F(RankStoreTest, TheDirectoryIsCreatedWhenMissing) {
  RankStore store(dir + "/data/reference/ranks.txt");
  store.save({{"a", 1}});
  EXPECT_EQ(store.load(), (std::map<std::string, int>{{"a", 1}}));
}

TEST_F(RankStoreTest, AnUnwritablePathIsAnError) {
  write("a file, not a directory");
  EXPECT_THROW(RankStore(path + "/ranks.txt").save({{"a", 1}}), std::runtime_error);
}

}  // namespace
}  // namespace bib::reference
