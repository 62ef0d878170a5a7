// persistence-json in-process, what only it does: its files in the original format, appended
// in place, recovery after crashes (torn last lines, a flush cut short between files), corrupt
// files that must stop start-up untouched, files in another layout, an older version's journal,
// its options. The contract all persistence plugins keep (round trips, duplicates, append
// order, crash after flush) is tests/persistence/persistence_contract_test.cpp.
#include "json_persistence.hpp"

#include <algorithm>
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
  // A crash in the middle of the next write: the closing "\n]\n" after the last record
  // replaced by the first bytes of what was being written.
  static void tear_after_last_record(const std::string& path, const std::string& partial) {
    std::string text = read_bytes(path);
    text.resize(text.size() - 3);
    write_bytes(path, text + partial);
  }

  std::string base_ = make_temp_dir("persistence-json");
  std::string dir_ = base_ + "/node";
};


TEST_F(JsonPersistenceTest, FilesHaveTheOriginalFormatAndAreValidJsonAfterEveryFlush) {
  Instance i = opened(dir_);
  auto records = [&](const char* name) {
    Result<Value> doc = parse_json(read_bytes(file(name)));
    EXPECT_TRUE(doc.ok()) << name << ": " << read_bytes(file(name));
    return doc.ok() ? doc.value().as_array() : Array{};
  };
  const auto events = sample_events(10);
  append_all(*i.plugin, std::vector<Event>(events.begin(), events.begin() + 3));
  i.plugin->flush();
  EXPECT_EQ(records("usuarios.json").size(), 1u);
  append_all(*i.plugin, std::vector<Event>(events.begin() + 3, events.end()));
  i.plugin->flush();  // no stop: a reader looks at a running server's files
  const Array users = records("usuarios.json");
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].get_string("user"), "user0");
  EXPECT_TRUE(users[0].at("timestamp").is_double());
  EXPECT_EQ(users[0].get_int("pos"), 1);
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
  EXPECT_FALSE(std::filesystem::exists(file("journal.jsonl")));
}

TEST_F(JsonPersistenceTest, AnEmptyStoreHasEmptyArrays) {
  const char* names[] = {"usuarios.json", "canais.json", "publicacoes.json", "mensagens.json", "outros.json"};
  {
    Instance i = opened(dir_);
    for (const char* name : names) {
      EXPECT_EQ(read_bytes(file(name)), "[\n]\n") << name;
      EXPECT_TRUE(parse_json(read_bytes(file(name))).ok());
    }
  }
  // Older versions wrote "[]": read as empty, and laid out for appending.
  for (const char* name : names) write_bytes(file(name), "[]\n");
  EXPECT_TRUE(replayed_from(dir_).empty());
  for (const char* name : names) EXPECT_EQ(read_bytes(file(name)), "[\n]\n") << name;
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

TEST_F(JsonPersistenceTest, AnAppendNeverRewritesWhatIsAlreadyWritten) {
  Instance i = opened(dir_);
  std::vector<Event> posts;
  for (std::uint64_t seq = 1; seq <= 200; ++seq) posts.push_back(sample_events(3, "server-1", seq)[2]);
  append_all(*i.plugin, std::vector<Event>(posts.begin(), posts.end() - 1));
  i.plugin->flush();
  const std::string before = read_bytes(file("publicacoes.json"));
  i.plugin->append(posts.back());
  i.plugin->flush();
  const std::string after = read_bytes(file("publicacoes.json"));
  // Only the closing "\n]\n" was overwritten: the rest is the same bytes, and one line more.
  EXPECT_EQ(after.substr(0, before.size() - 3), before.substr(0, before.size() - 3));
  EXPECT_EQ(std::count(after.begin(), after.end(), '\n'), std::count(before.begin(), before.end(), '\n') + 1);
}

TEST_F(JsonPersistenceTest, RestartAfterRestartKeepsAppendOrderAcrossOriginsAndFiles) {
  // Replicated events interleave with local ones, and spread over the five files.
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

TEST_F(JsonPersistenceTest, TornLastLineIsDroppedWithAWarningAndTheFileMendedForAppends) {
  const auto events = sample_events(10);
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, events);
    i.plugin->flush();
    crash_image(dir_, base_ + "/image");
  }
  // A crash in the middle of the next write to publicacoes.json (pos 11).
  const std::string posts = base_ + "/image/publicacoes.json";
  tear_after_last_record(posts, ",\n{\"pos\": 11, \"channel\": \"ch");
  {
    Instance i = configured(base_ + "/image");
    LogCapture log(i.ctx->log());
    std::vector<Event> replayed = replay_all(*i.plugin);
    expect_same_events(events, replayed);
    EXPECT_NE(log.text().find("torn end"), std::string::npos) << log.text();
    EXPECT_NE(log.text().find("publicacoes.json"), std::string::npos) << log.text();
    EXPECT_TRUE(parse_json(read_bytes(posts)).ok()) << read_bytes(posts);
    const auto more = sample_events(5, "server-1", 11, 50);
    append_all(*i.plugin, more);
    i.plugin->flush();
    crash_image(base_ + "/image", base_ + "/image2");
    expect_same_events(concat(events, more), replayed_from(base_ + "/image2"));
  }
}

// Checkpoints: a start from one scans only what follows it, with the same recovery as a
// whole replay; a checkpoint that no longer describes the files is never used.
TEST_F(JsonPersistenceTest, ATornLineAfterTheCheckpointIsDroppedAndTheFileMended) {
  const auto events = sample_events(10);
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, events);
    ASSERT_TRUE(i.plugin->save_checkpoint("state"));
    i.plugin->wait_for_checkpoint_writer();
    crash_image(dir_, base_ + "/image");
  }
  const std::string posts = base_ + "/image/publicacoes.json";
  tear_after_last_record(posts, ",\n{\"pos\": 11, \"channel\": \"ch");
  const auto more = sample_events(3, "server-1", 11, 50);
  {
    Instance i = configured(base_ + "/image");
    LogCapture log(i.ctx->log());
    ASSERT_EQ(i.plugin->load_checkpoint(), std::optional<std::string>("state"));
    std::vector<Event> tail;
    i.plugin->replay_since_checkpoint([&](const Event& e) { tail.push_back(e); });
    EXPECT_TRUE(tail.empty());
    EXPECT_NE(log.text().find("torn end"), std::string::npos) << log.text();
    EXPECT_NE(log.text().find("line 1 after the checkpoint"), std::string::npos) << log.text();
    EXPECT_TRUE(parse_json(read_bytes(posts)).ok()) << read_bytes(posts);
    append_all(*i.plugin, more);
    i.plugin->stop();
  }
  expect_same_events(concat(events, more), replayed_from(base_ + "/image"));
}

TEST_F(JsonPersistenceTest, AFileCutShorterThanTheCheckpointSawMeansAWholeReplay) {
  const auto events = sample_events(10);
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, events);
    ASSERT_TRUE(i.plugin->save_checkpoint("state"));
    i.plugin->stop();
  }
  // publicacoes.json loses its last record (a restored backup, say) and is closed again.
  const std::string posts = file("publicacoes.json");
  std::string text = read_bytes(posts);
  const std::size_t last = text.rfind(",\n");
  ASSERT_NE(last, std::string::npos);
  write_bytes(posts, text.substr(0, last) + "\n]\n");
  Instance i = configured(dir_);
  LogCapture log(i.ctx->log());
  EXPECT_FALSE(i.plugin->load_checkpoint().has_value());
  EXPECT_NE(log.text().find("no longer holds what the checkpoint saw"), std::string::npos) << log.text();
  const std::vector<Event> replayed = replay_all(*i.plugin);
  EXPECT_LT(replayed.size(), events.size());
  EXPECT_FALSE(std::filesystem::exists(file(JsonPersistence::kCheckpointName))) << "a stale checkpoint is removed";
}

TEST_F(JsonPersistenceTest, GarbageAfterTheLastRecordIsATornTailToo) {
  const auto events = sample_events(4);
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, events);
    i.plugin->flush();
    crash_image(dir_, base_ + "/image");
  }
  const std::string users = base_ + "/image/usuarios.json";
  tear_after_last_record(users, std::string(",\n\0\0\0\0\n\0\0", 10));
  expect_same_events(events, replayed_from(base_ + "/image"));
}

// A flush writes each file in turn; a crash between two of them leaves a gap in pos. What
// follows the gap was never acknowledged: it is not replayed, and it is cut off its files.
TEST_F(JsonPersistenceTest, AFlushCutShortBetweenFilesKeepsOnlyWhatCameBeforeTheGap) {
  const auto events = sample_events(10);  // pos 1..10, two of each file
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, events);
    i.plugin->flush();
    crash_image(dir_, base_ + "/image");
  }
  // pos 7 (the second channel) never reached canais.json.
  const std::string channels = base_ + "/image/canais.json";
  std::string text = read_bytes(channels);
  const std::size_t last = text.rfind("\n{\"pos\": 7");
  ASSERT_NE(last, std::string::npos) << text;
  write_bytes(channels, text.substr(0, last - 1) + "\n]\n");  // without the comma before it
  {
    Instance i = configured(base_ + "/image");
    LogCapture log(i.ctx->log());
    expect_same_events(std::vector<Event>(events.begin(), events.begin() + 6), replay_all(*i.plugin));
    EXPECT_NE(log.text().find("did not finish"), std::string::npos) << log.text();
    i.plugin->stop();
  }
  for (const char* name : {"usuarios.json", "publicacoes.json", "mensagens.json", "outros.json"}) {
    const std::string after = read_bytes(base_ + "/image/" + name);
    EXPECT_TRUE(parse_json(after).ok()) << name;
    EXPECT_EQ(after.find("\"pos\": 8"), std::string::npos) << name << " keeps a record after the gap";
    EXPECT_EQ(after.find("\"pos\": 9"), std::string::npos) << name;
    EXPECT_EQ(after.find("\"pos\": 10"), std::string::npos) << name;
  }
  expect_same_events(std::vector<Event>(events.begin(), events.begin() + 6), replayed_from(base_ + "/image"));
}

TEST_F(JsonPersistenceTest, CorruptLineInTheMiddleStopsStartUpAndIsNeverOverwritten) {
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, sample_events(15));
    i.plugin->stop();
  }
  std::string channels = read_bytes(file("canais.json"));
  channels[channels.find("\n{", 3) + 4] = '#';  // inside the second of three records
  write_bytes(file("canais.json"), channels);
  const auto before = directory_bytes(dir_);

  for (int attempt = 0; attempt < 2; ++attempt) {
    Instance i = configured(dir_);
    try {
      replay_all(*i.plugin);
      FAIL() << "replay must throw";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("canais.json line 3"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("corrupt snapshot"), std::string::npos) << e.what();
    }
    EXPECT_THROW(i.plugin->append(sample_events(1, "x")[0]), std::logic_error);
    i.plugin->stop();
  }
  EXPECT_EQ(directory_bytes(dir_), before);
}

TEST_F(JsonPersistenceTest, RecordWithoutItsIdentityNamesTheRecord) {
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

TEST_F(JsonPersistenceTest, AFileInAnotherLayoutIsReadAndRewrittenOneRecordPerLine) {
  const auto events = sample_events(10);
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, events);
    i.plugin->stop();
  }
  // Pretty-printed by some tool: every record over several lines.
  Result<Value> users = parse_json(read_bytes(file("usuarios.json")));
  ASSERT_TRUE(users.ok());
  std::string pretty = "[ ";
  for (const Value& record : users.value().as_array()) pretty += to_json(record) + " ,\n  ";
  pretty.resize(pretty.size() - 5);
  write_bytes(file("usuarios.json"), pretty + "\n]");
  {
    Instance i = configured(dir_);
    expect_same_events(events, replay_all(*i.plugin));
    append_all(*i.plugin, sample_events(5, "server-1", 11, 50));
    i.plugin->stop();
  }
  EXPECT_EQ(read_bytes(file("usuarios.json")).substr(0, 2), "[\n");
  EXPECT_EQ(replayed_from(dir_).size(), 15u);
}

// Before the files were appended in place, they were snapshots and a journal.jsonl held the
// events since the last one. Such a directory is read, its journal moved into the files.
TEST_F(JsonPersistenceTest, AnOlderVersionsSnapshotsAndJournalAreTakenOver) {
  const auto in_snapshot = sample_events(10, "server-1", 1, 1);
  const auto in_journal = sample_events(6, "server-2", 1, 20);
  {
    Instance i = opened(dir_);
    append_all(*i.plugin, in_snapshot);
    i.plugin->stop();
  }
  std::string journal;
  for (const Event& e : in_journal) journal += to_json(to_value(e)) + "\n";
  journal += to_json(to_value(in_snapshot[4])) + "\n";  // an interrupted snapshot: in both
  write_bytes(file("journal.jsonl"), journal);
  {
    Instance i = configured(dir_);
    LogCapture log(i.ctx->log());
    expect_same_events(concat(in_snapshot, in_journal), replay_all(*i.plugin));
    EXPECT_NE(log.text().find("moved 6 events"), std::string::npos) << log.text();
    i.plugin->stop();
  }
  EXPECT_FALSE(std::filesystem::exists(file("journal.jsonl")));
  expect_same_events(concat(in_snapshot, in_journal), replayed_from(dir_));
}

TEST_F(JsonPersistenceTest, EveryFsyncPolicyRoundTrips) {
  for (const char* policy : {"always", "batch", "never"}) {
    const std::string dir = base_ + "/" + policy;
    const auto events = sample_events(8);
    {
      Instance i = opened(dir, {{"fsync", policy}});
      append_all(*i.plugin, events);
      i.plugin->flush();
      crash_image(dir, dir + "-image");
      i.plugin->stop();
    }
    expect_same_events(events, replayed_from(dir + "-image"));
    expect_same_events(events, replayed_from(dir));
  }
}

TEST_F(JsonPersistenceTest, SnapshotEveryOfOlderConfigsIsAcceptedAndIgnored) {
  Instance i = opened(dir_, {{"snapshot_every", 5}});
  append_all(*i.plugin, sample_events(12));
  i.plugin->flush();
  EXPECT_EQ(i.plugin->event_count(), 12u);
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
