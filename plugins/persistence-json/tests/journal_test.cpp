// The two file formats of persistence-json on their own: journal lines and snapshot records.
#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include <gtest/gtest.h>

#include "bib/json.hpp"
#include "journal.hpp"
#include "support/persistence_support.hpp"
#include "snapshot_files.hpp"
#include "support/process.hpp"

namespace bib::test {
namespace {

using namespace bib::persistence;

Value parsed(const std::string& text) {
  Result<Value> v = parse_json(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? v.value() : Value();
}

TEST(SnapshotRecord, KeepsOnlyTheOriginalFieldsWhenThatIsAllTheDataHas) {
  Event e;
  e.origin = "server-1";
  e.seq = 4;
  e.clock = 12;
  e.timestamp = 1.25;
  e.service = "publish";
  e.request_id = "c1-5";
  e.data = Map{{"user", "ana"}, {"channel", "geral"}, {"message", "oi"}};
  const std::size_t file = snapshot_file_for("publish");
  EXPECT_STREQ(snapshot_files()[file].name, "publicacoes.json");
  const std::string record = with_position(snapshot_record(e, file), 7);
  EXPECT_EQ(record,
            R"({"pos": 7, "channel": "geral", "clock": 12, "message": "oi", "origin": "server-1", )"
            R"("request_id": "c1-5", "seq": 4, "timestamp": 1.25, "user": "ana"})");
  const PositionedEvent back = event_from_record(parsed(record), file);
  EXPECT_EQ(back.pos, 7u);
  EXPECT_EQ(to_value(back.event), to_value(e));
}

TEST(SnapshotRecord, StoresTheWholeDataWhenItHasMore) {
  Event e;
  e.origin = "server-2";
  e.seq = 1;
  e.service = "login";
  // A field named like one of the record's own ("timestamp") must not be confused with it.
  e.data = Map{{"user", "bia"}, {"timestamp", 99.5}};
  const std::size_t file = snapshot_file_for("login");
  const Value record = parsed(with_position(snapshot_record(e, file), 1));
  EXPECT_EQ(record.get_string("user"), "bia");
  EXPECT_EQ(record.get_double("timestamp"), 0.0);
  EXPECT_EQ(record.at("data"), e.data);
  EXPECT_EQ(to_value(event_from_record(record, file).event), to_value(e));
}

TEST(SnapshotRecord, OtherServicesKeepTheWholeEvent) {
  Event e;
  e.origin = "server-1";
  e.seq = 2;
  e.service = "poll";
  e.data = Map{{"question", "?"}, {"options", Array{1, 2}}};
  const std::size_t file = snapshot_file_for("poll");
  EXPECT_STREQ(snapshot_files()[file].name, "outros.json");
  const Value record = parsed(with_position(snapshot_record(e, file), 3));
  EXPECT_EQ(record.get_string("service"), "poll");
  EXPECT_EQ(to_value(event_from_record(record, file).event), to_value(e));
}

class JournalFile : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_ = make_temp_dir("journal");
  std::string path_ = dir_ + "/journal.jsonl";
};

TEST_F(JournalFile, MissingFileReadsAsEmpty) {
  const JournalContents contents = read_journal(path_);
  EXPECT_TRUE(contents.events.empty());
  EXPECT_EQ(contents.good_bytes, 0u);
  EXPECT_FALSE(contents.torn_tail);
}

TEST_F(JournalFile, WritesOneEventPerLine) {
  const auto events = sample_events(5);
  JournalWriter writer;
  writer.open(path_, 0);
  for (const Event& e : events) writer.add(e);
  EXPECT_EQ(read_bytes(path_), "");  // buffered until written
  writer.write_pending();
  const std::string text = read_bytes(path_);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 5);
  EXPECT_EQ(text.substr(0, text.find('\n')), to_json(to_value(events[0])));
  const JournalContents contents = read_journal(path_);
  expect_same_events(events, contents.events);
  EXPECT_EQ(contents.good_bytes, text.size());
}

TEST_F(JournalFile, TornTailIsReportedAndCutByTheWriter) {
  const auto events = sample_events(3);
  std::string text;
  for (const Event& e : events) text += to_json(to_value(e)) + "\n";
  write_bytes(path_, text + R"({"clock": 1, "da)");
  const JournalContents contents = read_journal(path_);
  expect_same_events(events, contents.events);
  ASSERT_TRUE(contents.torn_tail);
  EXPECT_NE(contents.torn_tail->find("line 4"), std::string::npos) << *contents.torn_tail;
  EXPECT_EQ(contents.good_bytes, text.size());

  JournalWriter writer;
  writer.open(path_, contents.good_bytes);
  EXPECT_EQ(read_bytes(path_), text);
}

TEST_F(JournalFile, ALineThatIsJsonButNotAnEventIsCorrupt) {
  const auto events = sample_events(2);
  write_bytes(path_, to_json(to_value(events[0])) + "\n{\"seq\": 2}\n" + to_json(to_value(events[1])) + "\n");
  try {
    read_journal(path_);
    FAIL() << "must throw";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("corrupt journal " + path_ + " line 2"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace bib::test
