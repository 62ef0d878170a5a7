// The file formats of persistence-json on their own: records, the files that hold them one per
// line (appended in place), and the journal lines of older versions.
#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include <gtest/gtest.h>

#include "bib/json.hpp"
#include "event_index.hpp"
#include "journal.hpp"
#include "record_file.hpp"
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

TEST_F(JournalFile, ReadsOneEventPerLine) {
  const auto events = sample_events(5);
  std::string text;
  for (const Event& e : events) text += to_json(to_value(e)) + "\n";
  write_bytes(path_, text);
  const JournalContents contents = read_journal(path_);
  expect_same_events(events, contents.events);
  EXPECT_EQ(contents.good_bytes, text.size());
}

TEST_F(JournalFile, TornTailIsReported) {
  const auto events = sample_events(3);
  std::string text;
  for (const Event& e : events) text += to_json(to_value(e)) + "\n";
  write_bytes(path_, text + R"({"clock": 1, "da)");
  const JournalContents contents = read_journal(path_);
  expect_same_events(events, contents.events);
  ASSERT_TRUE(contents.torn_tail);
  EXPECT_NE(contents.torn_tail->find("line 4"), std::string::npos) << *contents.torn_tail;
  EXPECT_EQ(contents.good_bytes, text.size());
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

TEST(EventIndex, KeepsEachIdentityOnceAndPagesAnOriginInSeqOrderGapsAndFarSeqsIncluded) {
  EventIndex index;
  EXPECT_TRUE(index.insert("a", 3, 30));
  EXPECT_TRUE(index.insert("a", 1, 10));
  EXPECT_FALSE(index.insert("a", 3, 99)) << "the first stays";
  EXPECT_TRUE(index.insert("a", 1'000'000'000, 7)) << "a seq far ahead does not grow the vector";
  EXPECT_TRUE(index.insert("a", 5, 50));
  EXPECT_TRUE(index.insert("b", 1, 11));
  EXPECT_EQ(index.find("a", 3), 30u);
  EXPECT_FALSE(index.find("a", 2));
  EXPECT_FALSE(index.find("a", 0));
  EXPECT_EQ(index.find("a", 1'000'000'000), 7u);
  EXPECT_FALSE(index.find("c", 1));
  EXPECT_EQ(index.after("a", 0, 10), (std::vector<std::uint64_t>{10, 30, 50, 7}));
  EXPECT_EQ(index.after("a", 1, 2), (std::vector<std::uint64_t>{30, 50}));
  EXPECT_EQ(index.after("a", 5, 10), (std::vector<std::uint64_t>{7}));
  // 10000 is far beyond 5000 at first; the vector then grows past it: it moves in, still found.
  for (std::uint64_t seq = 6; seq <= 5000; ++seq) index.insert("b", seq, seq);
  EXPECT_TRUE(index.insert("b", 10000, 9));
  for (std::uint64_t seq = 5001; seq <= 10100; ++seq) index.insert("b", seq, seq);
  EXPECT_EQ(index.find("b", 10000), 9u);
  EXPECT_EQ(index.after("b", 9999, 2), (std::vector<std::uint64_t>{9, 10001}));
}

class RecordFileTest : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_ = make_temp_dir("record-file");
  std::string path_ = dir_ + "/publicacoes.json";
  const std::size_t file_ = snapshot_file_for("publish");
  std::string record(std::uint64_t pos) {
    return with_position(snapshot_record(sample_events(3, "s", pos)[2], file_), pos);
  }
};

TEST_F(RecordFileTest, IsAValidArrayAfterEveryWriteAndOnlyGrowsAtItsEnd) {
  RecordFile file;
  file.open(path_, RecordScanner::kFirstRecord, false, true);
  EXPECT_EQ(read_bytes(path_), "[\n]\n");
  std::string before = read_bytes(path_);
  std::vector<std::uint64_t> offsets;
  for (std::uint64_t pos = 1; pos <= 5; ++pos) {
    offsets.push_back(file.add(record(pos)));
    if (pos % 2 == 1) {
      EXPECT_EQ(file.read(offsets.back()), record(pos)) << "queued records are read back too";
      file.write_pending();
      const std::string now = read_bytes(path_);
      ASSERT_TRUE(parse_json(now).ok()) << now;
      // In place: everything before the old closing is still there, byte for byte.
      const std::size_t kept = before.size() - (before == "[\n]\n" ? 2 : 3);
      EXPECT_EQ(now.substr(0, kept), before.substr(0, kept));
      before = now;
    }
  }
  file.write_pending();
  EXPECT_EQ(parse_json(read_bytes(path_)).value().as_array().size(), 5u);
  for (std::uint64_t pos = 1; pos <= 5; ++pos) EXPECT_EQ(file.read(offsets[pos - 1]), record(pos));
}

TEST_F(RecordFileTest, ScanFindsEveryRecordAndStopsAtATornTail) {
  RecordFile file;
  file.open(path_, RecordScanner::kFirstRecord, false, false);
  for (std::uint64_t pos = 1; pos <= 3; ++pos) file.add(record(pos));
  file.write_pending();
  file.close();
  std::string text = read_bytes(path_);
  // A crash in the middle of the next write: the closing overwritten, a record half there.
  text.resize(text.size() - 3);
  write_bytes(path_, text + ",\n{\"pos\": 4, \"user\": \"an");
  RecordScanner scan(path_, file_);
  std::uint64_t end = 0;
  for (std::uint64_t pos = 1; pos <= 3; ++pos) {
    auto r = scan.next();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->pos, pos);
    end = r->end;
  }
  EXPECT_FALSE(scan.next());
  ASSERT_TRUE(scan.torn_tail());
  EXPECT_NE(scan.torn_tail()->find("line 5"), std::string::npos) << *scan.torn_tail();
  RecordFile reopened;
  reopened.open(path_, end, true, false);
  const std::string fixed = read_bytes(path_);
  ASSERT_TRUE(parse_json(fixed).ok()) << fixed;
  EXPECT_EQ(parse_json(fixed).value().as_array().size(), 3u);
}

TEST_F(RecordFileTest, ABadLineWithRecordsAfterItIsCorruption) {
  RecordFile file;
  file.open(path_, RecordScanner::kFirstRecord, false, false);
  for (std::uint64_t pos = 1; pos <= 3; ++pos) file.add(record(pos));
  file.write_pending();
  std::string text = read_bytes(path_);
  text[text.find("\n{", 3) + 4] = '#';  // inside the second record
  write_bytes(path_, text);
  RecordScanner scan(path_, file_);
  ASSERT_TRUE(scan.next());
  try {
    scan.next();
    FAIL() << "must throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("corrupt snapshot " + path_ + " line 3"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bib::test
