// persistence-json in-process, what only it does: its snapshot files, recovery after crashes
// (torn journal lines, interrupted snapshots), corrupt files that must stop start-up untouched,
// its options. The contract all persistence plugins keep (round trips, duplicates, append
// order, crash after flush) is tests/persistence/persistence_contract_test.cpp.
#include "json_persistence.hpp"

#include <filesystem>
#include <memory>
#include <stdexcept>

#include <gtest/gtest.h>

#include "bib/json.hpp"
#include "support/persistence_support.hpp"
#include "support/fake_context.hpp"
#include "support/process.hpp"

namespace bib::test {
namespace {

using persistence::JsonPersistence;

using Instance = PersistenceInstance<JsonPersistence>;

class JsonPersistenceTest : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove_all(base_); }

  Instance configured(const std::string& dir, Map options = {}) {
    return configured_persistence<JsonPersistence>(dir, std::move(options));
  }
  // Configured and replayed; the replayed events in `replayed`.
  Instance opened(const std::string& dir, std::vector<Event>& replayed, Map options = {}) {
    Instance i = configured(dir, std::move(options));
    replayed = replay_all(*i.plugin);
    return i;
  }
  Instance opened(const std::string& dir, Map options = {}) {
    std::vector<Event> ignored;
    return opened(dir, ignored, std::move(options));
  }
  std::vector<Event> replayed_from(const std::string& dir, Map options = {}) {
    std::vector<Event> replayed;
    Instance i = opened(dir, replayed, std::move(options));
    return replayed;
  }
  std::string file(const std::string& name) const { return dir_ + "/" + name; }

  std::string base_ = make_temp_dir("persistence-json");
  std::string dir_ = base_ + "/node";
};


TEST_F(JsonPersistenceTest, SnapshotFilesHaveTheOriginalFormat) {
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, sample_events(10));
    i.plugin->stop();
  }
  auto records = [&](const char* name) {
    Result<Value> doc = parse_json(read_bytes(file(name)));
    EXPECT_TRUE(doc.ok()) << name;
    return doc.ok() ? doc.value().as_array() : Array{};
  };
  const Array users = records("usuarios.json");
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].get_string("user"), "user0");
  EXPECT_TRUE(users[0].at("timestamp").is_double());
  const Array channels = records("canais.json");
  ASSERT_EQ(channels.size(), 2u);
  EXPECT_EQ(channels[1].get_string("channel"), "chan6");
  const Array posts = records("publicacoes.json");
  ASSERT_EQ(posts.size(), 2u);
  for (const Value& post : posts)
    for (const char* field : {"user", "channel", "message", "timestamp"}) EXPECT_TRUE(post.contains(field)) << field;
  const Array messages = records("mensagens.json");
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].get_string("src"), "ana");
  EXPECT_EQ(messages[0].get_string("dst"), "bia");
  EXPECT_EQ(messages[0].get_string("message"), "oi 3");
  EXPECT_EQ(records("outros.json").size(), 2u);
  EXPECT_EQ(read_bytes(file("journal.jsonl")), "");  // everything is in the snapshot
}

TEST_F(JsonPersistenceTest, EmptyDirectoryGetsEmptyFilesAtStop) {
  {
    Instance i = opened(dir_);
    i.plugin->stop();
  }
  EXPECT_EQ(read_bytes(file("usuarios.json")), "[]\n");
  EXPECT_EQ(read_bytes(file("outros.json")), "[]\n");
  EXPECT_TRUE(replayed_from(dir_).empty());
}

TEST_F(JsonPersistenceTest, CreatesAMissingNestedDirectory) {
  const std::string nested = dir_ + "/a/b";
  {
    Instance i = opened(nested);
    append_all(*i.plugin, sample_events(3));
    i.plugin->flush();
  }
  EXPECT_TRUE(std::filesystem::is_directory(nested));
  EXPECT_EQ(replayed_from(nested).size(), 3u);
}


TEST_F(JsonPersistenceTest, CrashAfterSnapshotsAndMoreJournalRecoversEverything) {
  const auto first = sample_events(25, "server-1", 1, 1);
  const auto more = sample_events(7, "server-1", 26, 100);
  Instance i = opened(dir_, {{"snapshot_every", 10}});
  for (std::size_t n = 0; n < first.size(); ++n) {
    i.plugin->append(first[n]);
    if (n % 3 == 2) {
      i.plugin->flush();
      i.ctx->loop_.run_posted();  // the next loop iteration: a due snapshot runs
    }
  }
  i.plugin->flush();
  i.ctx->loop_.run_posted();
  EXPECT_GE(i.plugin->snapshots_taken(), 2u);
  append_all(*i.plugin, more);
  i.plugin->flush();
  EXPECT_GT(i.plugin->journal_events(), 0u);
  const std::string image = crash_image(dir_, base_ + "/image");
  expect_same_events(concat(first, more), replayed_from(image));
}

TEST_F(JsonPersistenceTest, SnapshotRunsFromTheLoopAfterTheFlushThatMadeItDue) {
  Instance i = opened(dir_, {{"snapshot_every", 4}});
  append_all(*i.plugin, sample_events(5));
  i.plugin->flush();
  // flush() only syncs the journal: the replies waiting for it must not wait for a snapshot.
  EXPECT_EQ(i.plugin->snapshots_taken(), 0u);
  EXPECT_EQ(i.plugin->journal_events(), 5u);
  i.plugin->flush();  // posts it once
  ASSERT_EQ(i.ctx->loop_.posted.size(), 1u);
  i.ctx->loop_.run_posted();
  EXPECT_EQ(i.plugin->snapshots_taken(), 1u);
  EXPECT_EQ(i.plugin->journal_events(), 0u);
  EXPECT_EQ(read_bytes(file("journal.jsonl")), "");
  EXPECT_EQ(parse_json(read_bytes(file("usuarios.json"))).value().as_array().size(), 1u);
}

TEST_F(JsonPersistenceTest, PostedSnapshotOfADestroyedPluginDoesNothing) {
  FakeContext ctx{Value(Map{{"dir", dir_}, {"snapshot_every", 1}})};
  {
    JsonPersistence plugin;
    plugin.configure(ctx);
    replay_all(plugin);
    append_all(plugin, sample_events(2));
    plugin.flush();
  }
  ASSERT_EQ(ctx.loop_.posted.size(), 1u);
  ctx.loop_.run_posted();  // must not touch the destroyed plugin (ASan would tell)
  EXPECT_EQ(replayed_from(dir_).size(), 2u);
}

TEST_F(JsonPersistenceTest, RestartAfterRestartKeepsAppendOrderAcrossOriginsAndFiles) {
  // Replicated events interleave with local ones; the snapshot splits them over five files.
  std::vector<Event> all;
  const auto a = sample_events(10, "server-1", 1, 1);
  const auto b = sample_events(10, "server-2", 1, 1);
  for (std::size_t n = 0; n < 10; ++n) {
    all.push_back(b[n]);  // server-2's clocks equal server-1's: the order is the append order
    all.push_back(a[n]);
  }
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, std::vector<Event>(all.begin(), all.begin() + 12));
    i.plugin->stop();
  }
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, std::vector<Event>(all.begin() + 12, all.end()));
    i.plugin->stop();
  }
  expect_same_events(all, replayed_from(dir_));
}

TEST_F(JsonPersistenceTest, TornLastLineIsDroppedWithAWarningAndCutOff) {
  const auto events = sample_events(6);
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, events);
    i.plugin->flush();
    crash_image(dir_, base_ + "/image");
  }
  const std::string journal = base_ + "/image/journal.jsonl";
  const std::string good = read_bytes(journal);
  write_bytes(journal, R"({"clock": 99, "data": {"user": "zé"}, "orig)", true);  // crash mid-write

  {
    Instance i = configured(base_ + "/image");
    LogCapture log(i.ctx->log());
    std::vector<Event> replayed = replay_all(*i.plugin);
    expect_same_events(events, replayed);
    EXPECT_NE(log.text().find("torn last line"), std::string::npos) << log.text();
    EXPECT_NE(log.text().find("journal.jsonl"), std::string::npos) << log.text();
    EXPECT_EQ(read_bytes(journal), good);  // cut back to the last complete line
    // Appends go on after the good lines.
    const auto more = sample_events(2, "server-1", 7, 50);
    append_all(*i.plugin, more);
    i.plugin->flush();
    crash_image(base_ + "/image", base_ + "/image2");
    expect_same_events(concat(events, more), replayed_from(base_ + "/image2"));
  }
}

TEST_F(JsonPersistenceTest, UnparsableCompleteLastLineIsDroppedToo) {
  const auto events = sample_events(4);
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, events);
    i.plugin->flush();
    crash_image(dir_, base_ + "/image");
  }
  write_bytes(base_ + "/image/journal.jsonl", std::string("{\"clock\": \0\0\0\n", 14), true);
  expect_same_events(events, replayed_from(base_ + "/image"));
}

TEST_F(JsonPersistenceTest, CorruptJournalLineInTheMiddleStopsStartUp) {
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, sample_events(5));
    i.plugin->flush();
    crash_image(dir_, base_ + "/image");
  }
  const std::string journal = base_ + "/image/journal.jsonl";
  std::string text = read_bytes(journal);
  const std::size_t second_line = text.find('\n') + 1;
  text[second_line + 3] = '#';
  write_bytes(journal, text);
  const auto before = directory_bytes(base_ + "/image");

  {
    Instance i = configured(base_ + "/image");
    try {
      replay_all(*i.plugin);
      FAIL() << "replay must throw";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("journal.jsonl line 2"), std::string::npos) << e.what();
    }
    EXPECT_THROW(i.plugin->append(sample_events(1, "x")[0]), std::logic_error);
    i.plugin->stop();
  }
  EXPECT_EQ(directory_bytes(base_ + "/image"), before);
}

TEST_F(JsonPersistenceTest, CorruptSnapshotStopsStartUpAndIsNeverOverwritten) {
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, sample_events(10));
    i.plugin->stop();
  }
  {
    // More events in the journal, which a bad start must not fold into a snapshot either.
    Instance i = opened(dir_);
    append_all(*i.plugin, sample_events(3, "server-1", 11, 100));
    i.plugin->flush();
  }
  std::string channels = read_bytes(file("canais.json"));
  channels.resize(channels.size() / 2);  // cut in the middle of a record
  write_bytes(file("canais.json"), channels);
  const auto before = directory_bytes(dir_);

  for (int attempt = 0; attempt < 2; ++attempt) {
    Instance i = configured(dir_);
    try {
      replay_all(*i.plugin);
      FAIL() << "replay must throw";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("canais.json"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("corrupt snapshot"), std::string::npos) << e.what();
    }
    i.plugin->stop();
  }
  EXPECT_EQ(directory_bytes(dir_), before);
}

TEST_F(JsonPersistenceTest, SnapshotRecordWithoutItsIdentityNamesTheRecord) {
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, sample_events(3));
    i.plugin->stop();
  }
  write_bytes(file("usuarios.json"), R"([{"user": "ana", "timestamp": 1.5}])");
  Instance i = configured(dir_);
  try {
    replay_all(*i.plugin);
    FAIL() << "replay must throw";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("usuarios.json record 1"), std::string::npos) << what;
    EXPECT_NE(what.find("pos"), std::string::npos) << what;
  }
}

// A crash between the renames of a snapshot leaves some files new (holding events that are
// also still in the journal) and some old. Every event comes back once, in append order.
TEST_F(JsonPersistenceTest, InterruptedSnapshotReplaysEveryEventOnceInOrder) {
  const auto old_events = sample_events(10, "server-1", 1, 1);
  const auto journal_events = sample_events(10, "server-1", 11, 100);
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, old_events);
    i.plugin->stop();
  }
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, journal_events);
    i.plugin->flush();
    crash_image(dir_, base_ + "/before");  // old files + journal
    i.plugin->stop();                      // the snapshot, completed
  }
  const auto expected = concat(old_events, journal_events);
  for (const char* renamed : {"usuarios.json", "publicacoes.json", "outros.json"}) {
    const std::string mixed = crash_image(base_ + "/before", base_ + "/mixed");
    std::filesystem::copy_file(file(renamed), mixed + "/" + renamed, std::filesystem::copy_options::overwrite_existing);
    expect_same_events(expected, replayed_from(mixed));
  }
  // Every file renamed, the journal not emptied yet.
  const std::string all_new = crash_image(dir_, base_ + "/all-new");
  std::filesystem::copy_file(base_ + "/before/journal.jsonl", all_new + "/journal.jsonl",
                             std::filesystem::copy_options::overwrite_existing);
  expect_same_events(expected, replayed_from(all_new));
  // And a clean stop after recovering from the mix writes a consistent snapshot.
  {
    Instance i = opened(base_ + "/mixed");
    i.plugin->stop();
  }
  expect_same_events(expected, replayed_from(base_ + "/mixed"));
}


TEST_F(JsonPersistenceTest, EveryFsyncPolicyRoundTrips) {
  for (const char* policy : {"always", "batch", "never"}) {
    const std::string dir = base_ + "/" + policy;
    const auto events = sample_events(8);
    {
      Instance i = opened(dir, {{"fsync", policy}, {"snapshot_every", 5}});
      append_all(*i.plugin, events);
      i.plugin->flush();
      crash_image(dir, dir + "-image");
      i.plugin->stop();
    }
    expect_same_events(events, replayed_from(dir + "-image"));
    expect_same_events(events, replayed_from(dir));
  }
}

TEST_F(JsonPersistenceTest, InvalidOptionsAreRefusedNamingTheKey) {
  auto refused = [&](Map options, const std::string& expected) {
    FakeContext ctx{Value(std::move(options))};
    JsonPersistence plugin;
    try {
      plugin.configure(ctx);
      ADD_FAILURE() << "configure must throw for " << ctx.config().to_string();
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  };
  refused({{"fsync", "sometimes"}}, R"(option 'fsync' must be "always", "batch" or "never", got "sometimes")");
  refused({{"fsync", 1}}, "option 'fsync'");
  refused({{"snapshot_every", 0}}, "option 'snapshot_every' must be at least 1, got 0");
  refused({{"snapshot_every", "many"}}, "option 'snapshot_every'");
  refused({{"dir", 3}}, "option 'dir'");
  refused({{"dir", ""}}, "option 'dir'");

  for (const char* policy : {"always", "batch", "never"}) {
    FakeContext ctx{Value(Map{{"dir", dir_}, {"fsync", policy}})};
    JsonPersistence plugin;
    EXPECT_NO_THROW(plugin.configure(ctx)) << policy;
  }
}

TEST_F(JsonPersistenceTest, UnknownOptionIsRefused) {
  FakeContext ctx{Value(Map{{"dir", dir_}, {"fsnyc", "never"}})};
  JsonPersistence plugin;
  try {
    plugin.configure(ctx);
    FAIL() << "configure must refuse an unknown option";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "unknown option 'fsnyc' (options: dir, fsync, snapshot_every)");
  }
}

// Append before replay: the contract suite. flush() too, here.
TEST_F(JsonPersistenceTest, FlushBeforeReplayIsRefused) {
  Instance i = configured(dir_);
  EXPECT_THROW(i.plugin->flush(), std::logic_error);
}

TEST_F(JsonPersistenceTest, SecondProcessOnTheSameDirectoryIsRefused) {
  Instance first = opened(dir_);
  Instance second = configured(dir_);
  try {
    replay_all(*second.plugin);
    FAIL() << "replay must throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("in use by another process"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bib::test
