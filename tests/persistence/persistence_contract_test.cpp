// The contract every persistence plugin keeps (docs/persistence.md), one typed suite over
// json, sqlite, memory and postgres: what is appended and flushed is replayed, once per
// (origin, seq), in append order; what is appended is read back by identity, flushed or not; the options they share are checked alike; an unknown option
// is refused by name. The durable plugins also keep it across a restart and a crash after
// flush(); memory starts empty instead, which is its contract.
//
// A store is named by a folder, `dir`. postgres keeps nothing there: each folder maps to a
// schema of its own on the tests' PostgreSQL server (the ctest fixture `postgres`), and a
// crash of the process leaves exactly what was committed on the server.
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "json_persistence.hpp"
#include "memory_persistence.hpp"
#include "postgres_persistence.hpp"
#include "sqlite_persistence.hpp"
#include "support/fake_context.hpp"
#include "support/persistence_support.hpp"
#include "support/postgres.hpp"
#include "support/process.hpp"

namespace bib::test {
namespace {

// What the plugins keep in files: options name the folder alone, and a crash leaves the files.
struct InFiles {
  static Map options(const std::string&, Map given) { return given; }
  // Returns once the last save_checkpoint() is on disk (json writes it in the background).
  template <class Plugin>
  static void checkpoint_written(Plugin& plugin) {
    if constexpr (std::is_same_v<Plugin, persistence::JsonPersistence>) plugin.wait_for_checkpoint_writer();
  }
  static std::string crash_image(const std::string& dir, const std::string& copy) {
    return bib::test::crash_image(dir, copy);
  }
};
struct Json : InFiles {
  using Plugin = persistence::JsonPersistence;
  static constexpr bool durable = true;
  static constexpr bool checkpoints = true;
};
struct Sqlite : InFiles {
  using Plugin = persistence::SqlitePersistence;
  static constexpr bool durable = true;
  static constexpr bool checkpoints = true;
};
struct Memory : InFiles {
  using Plugin = persistence::MemoryPersistence;
  static constexpr bool durable = false;
  static constexpr bool checkpoints = false;  // nothing to start from after a restart anyway
};
struct Postgres {
  using Plugin = persistence::PostgresPersistence;
  static constexpr bool durable = true;
  static constexpr bool checkpoints = true;
  // The folder's schema: the same folder, the same schema (a restart finds its events).
  static Map options(const std::string& dir, Map given) {
    given.insert_or_assign("conninfo", test_postgres_conninfo());
    given.insert_or_assign("schema", "contract_" + std::to_string(std::hash<std::string>{}(dir)));
    return given;
  }
  // The server holds what was committed: a crash of the process loses only what was not.
  static std::string crash_image(const std::string& dir, const std::string&) { return dir; }
  template <class Plugin>
  static void checkpoint_written(Plugin&) {}
};

class PluginNames {
 public:
  template <class T>
  static std::string GetName(int) {
    if constexpr (std::is_same_v<T, Json>) return "json";
    if constexpr (std::is_same_v<T, Sqlite>) return "sqlite";
    if constexpr (std::is_same_v<T, Postgres>) return "postgres";
    return "memory";
  }
};

template <class Traits>
class PersistenceContract : public ::testing::Test {
 protected:
  using Plugin = typename Traits::Plugin;

  using Instance = PersistenceInstance<Plugin>;

  void TearDown() override { std::filesystem::remove_all(base_); }

  Instance configured(const std::string& dir, Map options = {}) {
    return configured_persistence<Plugin>(dir, Traits::options(dir, std::move(options)));
  }
  // Configured and replayed, as the host opens a store at start-up.
  Instance opened(const std::string& dir, Map options = {}) {
    Instance i = configured(dir, std::move(options));
    replay_all(*i.plugin);
    return i;
  }
  // What a new object (a restarted process) replays from dir.
  std::vector<Event> replayed_from(const std::string& dir) {
    Instance i = configured(dir);
    std::vector<Event> replayed = replay_all(*i.plugin);
    i.plugin->stop();
    return replayed;
  }
  // What the store holds now: a durable plugin is asked after a restart; memory, which
  // forgets at a restart, replays what its object holds.
  std::vector<Event> held(Instance& i, const std::string& dir) {
    if constexpr (Traits::durable) {
      i.plugin->stop();
      i.plugin.reset();
      return replayed_from(dir);
    } else {
      return replay_all(*i.plugin);
    }
  }

  std::string base_ = make_temp_dir("persistence-contract");
  std::string dir_ = base_ + "/node";
};

using EveryPersistencePlugin = ::testing::Types<Json, Sqlite, Memory, Postgres>;
TYPED_TEST_SUITE(PersistenceContract, EveryPersistencePlugin, PluginNames);

TYPED_TEST(PersistenceContract, ANewStoreReplaysNothing) {
  EXPECT_TRUE(this->replayed_from(this->dir_).empty());
}

TYPED_TEST(PersistenceContract, EveryServiceRoundTrips) {
  const auto events = sample_events(23);
  auto i = this->opened(this->dir_);
  append_all(*i.plugin, events);
  i.plugin->flush();
  expect_same_events(events, this->held(i, this->dir_));
}

TYPED_TEST(PersistenceContract, SameOriginAndSeqIsStoredOnceAndTheFirstIsKept) {
  const auto events = sample_events(4);
  auto i = this->opened(this->dir_);
  append_all(*i.plugin, events);
  Event again = events[2];
  again.data = Map{{"user", "someone else"}};
  i.plugin->append(again);
  i.plugin->flush();
  i.plugin->append(events[0]);  // after a flush too
  i.plugin->flush();
  expect_same_events(events, this->held(i, this->dir_));
}

TYPED_TEST(PersistenceContract, AppendOrderIsKeptAcrossOrigins) {
  // Replicated events interleave with local ones, with equal clocks: the order is the append
  // order, not (origin, seq) nor clock order.
  const auto a = sample_events(8, "server-1", 1, 1);
  const auto b = sample_events(8, "server-2", 1, 1);
  std::vector<Event> all;
  for (std::size_t n = 0; n < a.size(); ++n) {
    all.push_back(b[n]);
    all.push_back(a[n]);
  }
  auto i = this->opened(this->dir_);
  append_all(*i.plugin, all);
  i.plugin->flush();
  expect_same_events(all, this->held(i, this->dir_));
}

TYPED_TEST(PersistenceContract, RestartKeepsWhatWasStoredAndAppendsAfterIt) {
  const auto first = sample_events(10, "server-1", 1, 1);
  const auto second = sample_events(10, "server-2", 1, 5);
  {
    auto i = this->opened(this->dir_);
    append_all(*i.plugin, first);
    i.plugin->stop();
  }
  {
    auto i = this->configured(this->dir_);
    const auto replayed = replay_all(*i.plugin);
    if constexpr (TypeParam::durable) {
      expect_same_events(first, replayed);
    } else {
      EXPECT_TRUE(replayed.empty()) << "persistence-memory starts empty after a restart";
    }
    append_all(*i.plugin, second);
    i.plugin->stop();
  }
  if constexpr (TypeParam::durable) {
    expect_same_events(concat(first, second), this->replayed_from(this->dir_));
  } else {
    EXPECT_TRUE(this->replayed_from(this->dir_).empty());
  }
}

TYPED_TEST(PersistenceContract, CrashAfterFlushRecoversEveryFlushedEventWithEveryFsyncPolicy) {
  if constexpr (!TypeParam::durable) GTEST_SKIP() << "persistence-memory keeps nothing across a crash";
  for (const char* policy : {"always", "batch", "never"}) {
    const std::string dir = this->base_ + "/" + policy;
    const auto events = sample_events(12);
    auto i = this->opened(dir, {{"fsync", policy}});
    for (std::size_t n = 0; n < events.size(); ++n) {
      i.plugin->append(events[n]);
      if (n % 5 == 4) i.plugin->flush();
    }
    i.plugin->flush();
    // The files as a crash right now would leave them (the object is still open).
    const std::string image = TypeParam::crash_image(dir, dir + "-image");
    SCOPED_TRACE(std::string("fsync = ") + policy);
    expect_same_events(events, this->replayed_from(image));
  }
}

// History beyond memory: the host reads events back by identity, flushed or not.
TYPED_TEST(PersistenceContract, ReadFindsEveryAppendedEventFlushedOrNot) {
  const auto a = sample_events(6, "server-1", 1, 1);
  const auto b = sample_events(6, "server-2", 1, 1);
  auto i = this->opened(this->dir_);
  append_all(*i.plugin, a);
  i.plugin->flush();
  append_all(*i.plugin, b);  // not flushed
  for (const auto* events : {&a, &b}) {
    for (const Event& e : *events) {
      auto read = i.plugin->read(e.origin, e.seq);
      ASSERT_TRUE(read) << e.origin << "#" << e.seq;
      EXPECT_EQ(to_value(*read), to_value(e));
    }
  }
  EXPECT_FALSE(i.plugin->read("server-1", 7));
  EXPECT_FALSE(i.plugin->read("server-3", 1));
  EXPECT_FALSE(i.plugin->read("server", 1)) << "an origin is matched whole";
}

TYPED_TEST(PersistenceContract, ReadAfterGivesAnOriginsEventsInSeqOrderUpToTheLimit) {
  // Appended out of seq order (a peer's events arrive ahead of a gap), half flushed.
  const auto a = sample_events(10, "server-1", 1, 1);
  const auto b = sample_events(3, "server-2", 1, 1);
  std::vector<Event> order{a[5], a[0], b[0], a[1], a[7], a[2], b[1], a[3], a[4], a[6], b[2], a[9], a[8]};
  auto i = this->opened(this->dir_);
  for (std::size_t n = 0; n < order.size(); ++n) {
    i.plugin->append(order[n]);
    if (n == 6) i.plugin->flush();
  }
  auto seqs = [](const std::vector<Event>& events) {
    std::vector<std::uint64_t> out;
    for (const Event& e : events) {
      EXPECT_EQ(e.origin, "server-1");
      out.push_back(e.seq);
    }
    return out;
  };
  EXPECT_EQ(seqs(i.plugin->read_after("server-1", 0, 100)), (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(seqs(i.plugin->read_after("server-1", 3, 4)), (std::vector<std::uint64_t>{4, 5, 6, 7}));
  EXPECT_TRUE(i.plugin->read_after("server-1", 10, 5).empty());
  EXPECT_TRUE(i.plugin->read_after("server-9", 0, 5).empty());
  const auto after = i.plugin->read_after("server-1", 8, 100);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(to_value(after[0]), to_value(a[8]));
  EXPECT_EQ(to_value(after[1]), to_value(a[9]));
}

TYPED_TEST(PersistenceContract, ReadsAfterARestartFindWhatWasStored) {
  if constexpr (!TypeParam::durable) GTEST_SKIP() << "persistence-memory keeps nothing across a restart";
  const auto events = sample_events(20, "server-1", 1, 1);
  {
    auto i = this->opened(this->dir_);
    append_all(*i.plugin, events);
    i.plugin->stop();
  }
  auto i = this->opened(this->dir_);
  auto read = i.plugin->read("server-1", 13);
  ASSERT_TRUE(read);
  EXPECT_EQ(to_value(*read), to_value(events[12]));
  EXPECT_EQ(i.plugin->read_after("server-1", 15, 10).size(), 5u);
}

TYPED_TEST(PersistenceContract, AppendBeforeReplayIsRefused) {
  if constexpr (!TypeParam::durable) GTEST_SKIP() << "persistence-memory has nothing to replay first";
  auto i = this->configured(this->dir_);
  EXPECT_THROW(i.plugin->append(sample_events(1)[0]), std::logic_error);
}

TYPED_TEST(PersistenceContract, EveryFsyncPolicyIsAcceptedAndAnyOtherRefused) {
  for (const char* policy : {"always", "batch", "never"}) {
    FakeContext ctx{Value(Map{{"dir", this->dir_}, {"fsync", policy}})};
    typename TypeParam::Plugin plugin;
    EXPECT_NO_THROW(plugin.configure(ctx)) << policy;
  }
  for (Value wrong : {Value("sometimes"), Value(1), Value(true)}) {
    FakeContext ctx{Value(Map{{"dir", this->dir_}, {"fsync", wrong}})};
    typename TypeParam::Plugin plugin;
    try {
      plugin.configure(ctx);
      ADD_FAILURE() << "configure must refuse fsync = " << wrong.to_string();
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("option 'fsync'"), std::string::npos) << e.what();
    }
  }
}

TYPED_TEST(PersistenceContract, UnknownOptionIsRefusedByName) {
  FakeContext ctx{Value(Map{{"dir", this->dir_}, {"fsnyc", "never"}})};
  typename TypeParam::Plugin plugin;
  try {
    plugin.configure(ctx);
    FAIL() << "configure must refuse an unknown option";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).rfind("unknown option 'fsnyc' (options: dir, fsync", 0), 0u) << e.what();
  }
}

// Checkpoints (docs/persistence.md): the host's state kept with the store's own, and a start
// that reads only what was stored after it.

TYPED_TEST(PersistenceContract, ACheckpointComesBackWithOnlyTheEventsStoredAfterIt) {
  const auto before = sample_events(10, "server-1", 1, 1);
  const auto after = sample_events(5, "server-2", 1, 20);
  {
    auto i = this->opened(this->dir_);
    append_all(*i.plugin, before);
    EXPECT_EQ(i.plugin->save_checkpoint("host state 1"), TypeParam::checkpoints);
    append_all(*i.plugin, after);
    i.plugin->stop();
  }
  if constexpr (!TypeParam::checkpoints) {
    auto i = this->configured(this->dir_);
    EXPECT_FALSE(i.plugin->load_checkpoint().has_value());
    return;
  }
  {
    auto i = this->configured(this->dir_);
    EXPECT_EQ(i.plugin->load_checkpoint(), std::optional<std::string>("host state 1"));
    std::vector<Event> tail;
    i.plugin->replay_since_checkpoint([&](const Event& e) { tail.push_back(e); });
    expect_same_events(after, tail);
    // Everything is there to read, and appends go on after it.
    ASSERT_TRUE(i.plugin->read("server-1", 3).has_value());
    EXPECT_EQ(i.plugin->read("server-1", 3)->data, before[2].data);
    EXPECT_EQ(i.plugin->read_after("server-1", 8, 10).size(), 2U);
    append_all(*i.plugin, sample_events(2, "server-3", 1, 40));
    i.plugin->stop();
  }
  EXPECT_EQ(this->replayed_from(this->dir_).size(), 17U);
}

TYPED_TEST(PersistenceContract, TheLatestCheckpointWinsAndAWholeReplayStillGivesEverything) {
  if constexpr (!TypeParam::checkpoints) GTEST_SKIP() << "keeps no checkpoints";
  const auto events = sample_events(9, "server-1", 1, 1);
  {
    auto i = this->opened(this->dir_);
    append_all(*i.plugin, {events.begin(), events.begin() + 3});
    ASSERT_TRUE(i.plugin->save_checkpoint("first"));
    append_all(*i.plugin, {events.begin() + 3, events.begin() + 6});
    ASSERT_TRUE(i.plugin->save_checkpoint(std::string(100000, 'x')));  // larger than the first
    append_all(*i.plugin, {events.begin() + 6, events.end()});
    i.plugin->stop();
  }
  {
    auto i = this->configured(this->dir_);
    EXPECT_EQ(i.plugin->load_checkpoint(), std::optional<std::string>(std::string(100000, 'x')));
    std::vector<Event> tail;
    i.plugin->replay_since_checkpoint([&](const Event& e) { tail.push_back(e); });
    expect_same_events({events.begin() + 6, events.end()}, tail);
    i.plugin->stop();
  }
  // The host may decline a checkpoint it was given and replay the whole log instead.
  auto i = this->configured(this->dir_);
  ASSERT_TRUE(i.plugin->load_checkpoint().has_value());
  expect_same_events(events, replay_all(*i.plugin));
  i.plugin->stop();
}

TYPED_TEST(PersistenceContract, ACrashAfterACheckpointKeepsItAndTheFlushedEventsAfterIt) {
  if constexpr (!TypeParam::checkpoints) GTEST_SKIP() << "keeps no checkpoints";
  const auto events = sample_events(8, "server-1", 1, 1);
  auto i = this->opened(this->dir_);
  append_all(*i.plugin, {events.begin(), events.begin() + 4});
  ASSERT_TRUE(i.plugin->save_checkpoint("at four"));
  append_all(*i.plugin, {events.begin() + 4, events.end()});
  i.plugin->flush();
  TypeParam::checkpoint_written(*i.plugin);
  const std::string image = TypeParam::crash_image(this->dir_, this->dir_ + "-image");

  auto restarted = this->configured(image);
  EXPECT_EQ(restarted.plugin->load_checkpoint(), std::optional<std::string>("at four"));
  std::vector<Event> tail;
  restarted.plugin->replay_since_checkpoint([&](const Event& e) { tail.push_back(e); });
  expect_same_events({events.begin() + 4, events.end()}, tail);
  restarted.plugin->stop();
}

}  // namespace
}  // namespace bib::test
