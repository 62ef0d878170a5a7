// persistence-sqlite in-process: round trips, crash images, duplicates, a corrupt database
// that must stop start-up untouched, options.
#include "sqlite_persistence.hpp"

#include <filesystem>
#include <memory>
#include <stdexcept>

#include <gtest/gtest.h>

#include "persistence_test_support.hpp"
#include "support/fake_context.hpp"
#include "support/process.hpp"

namespace bib::test {
namespace {

using persistence::SqlitePersistence;

struct Instance {
  std::unique_ptr<FakeContext> ctx;
  std::unique_ptr<SqlitePersistence> plugin;
};

class SqlitePersistenceTest : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove_all(base_); }

  Instance configured(const std::string& dir, Map options = {}) {
    options.insert_or_assign("dir", dir);
    Instance i{std::make_unique<FakeContext>(Value(std::move(options))), std::make_unique<SqlitePersistence>()};
    i.plugin->configure(*i.ctx);
    return i;
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

TEST_F(SqlitePersistenceTest, RoundTripOfEveryServiceAfterStop) {
  const auto events = sample_events(23);
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, events);
    i.plugin->flush();
    i.plugin->stop();
  }
  EXPECT_TRUE(std::filesystem::is_regular_file(db_));
  expect_same_events(events, replayed_from(dir_));
}

TEST_F(SqlitePersistenceTest, RestartsAppendAfterWhatIsStored) {
  const auto first = sample_events(10, "server-1", 1, 1);
  const auto second = sample_events(10, "server-2", 1, 5);
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, first);
    i.plugin->stop();
  }
  {
    Instance i = configured(dir_);
    expect_same_events(first, replay_all(*i.plugin));
    append_all(*i.plugin, second);
    i.plugin->stop();
  }
  // Insertion order, not (origin, seq) order.
  expect_same_events(concat(first, second), replayed_from(dir_));
}

TEST_F(SqlitePersistenceTest, CrashAfterFlushRecoversEveryFlushedEvent) {
  for (const char* policy : {"always", "batch", "never"}) {
    const std::string dir = base_ + "/" + policy;
    const auto events = sample_events(12);
    Instance i = opened(dir, {{"fsync", policy}});
    for (std::size_t n = 0; n < events.size(); ++n) {
      i.plugin->append(events[n]);
      if (n % 5 == 4) i.plugin->flush();
    }
    i.plugin->flush();
    // The files as a crash right now would leave them: events.db and its WAL.
    const std::string image = crash_image(dir, dir + "-image");
    expect_same_events(events, replayed_from(image));
  }
}

TEST_F(SqlitePersistenceTest, SameOriginAndSeqIsStoredOnce) {
  const auto events = sample_events(4);
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, events);
    Event again = events[2];
    again.data = Map{{"user", "someone else"}};  // INSERT OR IGNORE keeps the first
    i.plugin->append(again);
    i.plugin->flush();
    i.plugin->append(events[0]);
    i.plugin->stop();
  }
  expect_same_events(events, replayed_from(dir_));
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
  for (const char* policy : {"always", "batch", "never"}) {
    FakeContext ctx{Value(Map{{"dir", dir_}, {"fsync", policy}})};
    SqlitePersistence plugin;
    EXPECT_NO_THROW(plugin.configure(ctx)) << policy;
  }
}

TEST_F(SqlitePersistenceTest, AppendBeforeReplayIsRefused) {
  Instance i = configured(dir_);
  EXPECT_THROW(i.plugin->append(sample_events(1)[0]), std::logic_error);
}

}  // namespace
}  // namespace bib::test
