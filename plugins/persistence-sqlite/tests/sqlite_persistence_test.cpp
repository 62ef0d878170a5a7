// persistence-sqlite in-process, what only it does: its database file, a corrupt database
// that must stop start-up untouched, its options. The contract all persistence plugins keep
// (round trips, duplicates, append order, crash after flush) is
// tests/persistence/persistence_contract_test.cpp.
#include "sqlite_persistence.hpp"

#include <filesystem>
#include <memory>
#include <stdexcept>

#include <gtest/gtest.h>

#include "support/persistence_support.hpp"
#include "support/fake_context.hpp"
#include "support/process.hpp"

namespace bib::test {
namespace {

using persistence::SqlitePersistence;

using Instance = PersistenceInstance<SqlitePersistence>;

class SqlitePersistenceTest : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove_all(base_); }

  Instance configured(const std::string& dir, Map options = {}) {
    return configured_persistence<SqlitePersistence>(dir, std::move(options));
  }
  Instance opened(const std::string& dir, Map options = {}) {
    Instance i = configured(dir, std::move(options));
    replay_all(*i.plugin);
    return i;
  }
  std::vector<Event> replayed_from(const std::string& dir, Map options = {}) {
    Instance i = configured(dir, std::move(options));
    std::vector<Event> replayed = replay_all(*i.plugin);
    i.plugin->stop();
    return replayed;
  }

  std::string base_ = make_temp_dir("persistence-sqlite");
  std::string dir_ = base_ + "/node";
  std::string db_ = dir_ + "/events.db";
};

TEST_F(SqlitePersistenceTest, RoundTripOfEveryServiceAfterStopIsInEventsDb) {
  const auto events = sample_events(23);
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, events);
    i.plugin->flush();
    i.plugin->stop();
  }
  EXPECT_TRUE(std::filesystem::is_regular_file(db_));
  // events.db alone (after a clean stop the WAL is checkpointed into it) holds everything.
  const std::string copy = base_ + "/db-only";
  std::filesystem::create_directories(copy);
  std::filesystem::copy_file(db_, copy + "/events.db");
  expect_same_events(events, replayed_from(copy));
}




TEST_F(SqlitePersistenceTest, CorruptDatabaseStopsStartUpAndIsLeftAlone) {
  std::filesystem::create_directories(dir_);
  std::string garbage(8192, '\0');
  for (std::size_t n = 0; n < garbage.size(); ++n) garbage[n] = static_cast<char>((n * 37 + 11) % 251);
  write_bytes(db_, garbage);
  const auto before = directory_bytes(dir_);
  {
    Instance i = configured(dir_);
    try {
      replay_all(*i.plugin);
      FAIL() << "replay must throw";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(db_), std::string::npos) << e.what();
    }
    EXPECT_THROW(i.plugin->append(sample_events(1)[0]), std::logic_error);
    i.plugin->stop();
  }
  EXPECT_EQ(directory_bytes(dir_), before);
}

TEST_F(SqlitePersistenceTest, DatabaseWithADamagedPageStopsStartUp) {
  {
    Instance i = opened(dir_, {{"fsync", "never"}});
    append_all(*i.plugin, sample_events(2000));
    i.plugin->stop();  // closing checkpoints the WAL into events.db
  }
  std::string bytes = read_bytes(db_);
  ASSERT_GT(bytes.size(), 3u * 4096u);
  for (std::size_t n = 2 * 4096; n < 3 * 4096; ++n) bytes[n] = static_cast<char>(0x5A);  // page 3
  write_bytes(db_, bytes);
  Instance i = configured(dir_);
  try {
    replay_all(*i.plugin);
    FAIL() << "replay must throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(db_), std::string::npos) << e.what();
  }
}

TEST_F(SqlitePersistenceTest, InvalidOptionsAreRefusedNamingTheKey) {
  auto refused = [&](Map options, const std::string& expected) {
    FakeContext ctx{Value(std::move(options))};
    SqlitePersistence plugin;
    try {
      plugin.configure(ctx);
      ADD_FAILURE() << "configure must throw for " << ctx.config().to_string();
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  };
  refused({{"fsync", "sometimes"}}, R"(option 'fsync' must be "always", "batch" or "never", got "sometimes")");
  refused({{"fsync", true}}, "option 'fsync'");
  refused({{"dir", Array{}}}, "option 'dir'");
  // Unknown keys are refused, snapshot_every included: it means nothing to SQLite.
  refused({{"dir", dir_}, {"fsnyc", "never"}}, "unknown option 'fsnyc' (options: dir, fsync)");
  refused({{"dir", dir_}, {"snapshot_every", 10}}, "unknown option 'snapshot_every' (options: dir, fsync)");
  for (const char* policy : {"always", "batch", "never"}) {
    FakeContext ctx{Value(Map{{"dir", dir_}, {"fsync", policy}})};
    SqlitePersistence plugin;
    EXPECT_NO_THROW(plugin.configure(ctx)) << policy;
  }
}


}  // namespace
}  // namespace bib::test
