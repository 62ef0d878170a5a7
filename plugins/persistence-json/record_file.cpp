#include "record_file.hpp"

#include <fcntl.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "bib/json.hpp"
#include "snapshot_files.hpp"

namespace bib::persistence {

namespace {

constexpr std::string_view kClosing = "\n]\n";       // after the last record
constexpr std::string_view kEmptyClosing = "]\n";    // right after "[\n" when there is none
constexpr std::size_t kFirstReadBytes = 512;          // a record is usually shorter
constexpr std::size_t kMaxRecordBytes = std::size_t{1} << 30;

std::string_view without_comma(std::string_view line) {
  if (!line.empty() && line.back() == ',') line.remove_suffix(1);
  return line;
}

// The record on a line, or why it is not one.
std::optional<PositionedEvent> parse_record(std::string_view line, std::size_t file, std::string& why) {
  Result<Value> record = parse_json(without_comma(line));
  if (!record) {
    why = "invalid JSON: " + record.error().message;
    return std::nullopt;
  }
  try {
    return event_from_record(record.value(), file);
  } catch (const std::exception& e) {
    why = e.what();
    return std::nullopt;
  }
}

}  // namespace

RecordScanner::RecordScanner(const std::string& path, std::size_t file)
    : path_(path), file_(file), in_(path, std::ios::binary) {
  std::string first;
  if (!in_ || !std::getline(in_, first) || first != "[" || in_.eof())
    throw std::logic_error("RecordScanner: " + path + " is not in the line layout");
}

RecordScanner::RecordScanner(const std::string& path, std::size_t file, std::uint64_t end)
    : path_(path), file_(file), in_(path, std::ios::binary), offset_(end) {
  // After a record comes "," (more records follow) or nothing (the closing follows), then a
  // newline; anything else was written after the checkpoint by an interrupted write.
  std::string rest;
  if (!in_.seekg(static_cast<std::streamoff>(end)) || !std::getline(in_, rest) || in_.eof() ||
      (!rest.empty() && rest != ",")) {
    done_ = true;
    if (!rest.empty() && rest != ",") torn_tail_ = "the bytes after the checkpoint's last record: " + rest.substr(0, 40);
    return;
  }
  offset_ = end + rest.size() + 1;
  line_number_ = 0;  // counted from the checkpoint on
  line_suffix_ = " after the checkpoint";
}

std::optional<ScannedRecord> RecordScanner::next() {
  if (done_) return std::nullopt;
  std::string line;
  if (!std::getline(in_, line)) {
    done_ = true;  // the closing is missing: open() writes it
    return std::nullopt;
  }
  const bool complete = !in_.eof();
  const std::uint64_t offset = offset_;
  offset_ += line.size() + (complete ? 1 : 0);
  ++line_number_;
  if (line == "]" && complete) {
    done_ = true;  // anything after it is cut by open()
    return std::nullopt;
  }
  std::string why = "no newline at its end";
  if (complete) {
    if (auto parsed = parse_record(line, file_, why)) {
      const std::uint64_t end = offset + without_comma(line).size();
      return ScannedRecord{parsed->pos, std::move(parsed->event), offset, end};
    }
  }
  // A bad line: the torn end of an interrupted write when no complete record follows it.
  const std::size_t bad_line = line_number_;
  if (any_record_after())
    throw std::runtime_error("corrupt snapshot " + path_ + " line " + std::to_string(bad_line) + line_suffix_ + ": " + why);
  torn_tail_ = "line " + std::to_string(bad_line) + line_suffix_ + ": " + why;
  done_ = true;
  return std::nullopt;
}

bool RecordScanner::any_record_after() {
  std::string line;
  std::string why;
  while (std::getline(in_, line)) {
    if (!in_.eof() && parse_record(line, file_, why)) return true;
  }
  return false;
}

bool in_line_layout(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char start[2] = {0, 0};
  in.read(start, 2);
  return in.gcount() == 2 && start[0] == '[' && start[1] == '\n';
}

void convert_to_line_layout(const std::string& path, std::size_t file, bool sync) {
  std::vector<StoredRecord> records = read_snapshot_file(path, file);
  std::string content = "[\n";
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (i > 0) content += ",\n";
    append_with_position(content, records[i].text, records[i].pos);
  }
  content += records.empty() ? kEmptyClosing : kClosing;
  rename_file(write_temp_file(path, content, sync), path);
}

void RecordFile::open(const std::string& path, std::uint64_t end, bool has_records, bool sync) {
  const bool existed = file_exists(path);
  file_ = File(path, O_RDWR | O_CREAT);
  pending_.clear();
  if (!existed) {
    file_.write_at(0, "[\n]\n");
    if (sync) file_.sync();
    tail_ = RecordScanner::kFirstRecord;
    has_records_ = false;
    return;
  }
  const std::string_view closing = has_records ? kClosing : kEmptyClosing;
  const bool clean = static_cast<std::uint64_t>(file_.size()) == end + closing.size() &&
                     file_.read_at(static_cast<off_t>(end), closing.size()) == closing;
  if (!clean) {
    file_.truncate(static_cast<off_t>(end));
    file_.write_at(static_cast<off_t>(end), closing);
    if (sync) file_.sync();
  }
  tail_ = end;
  has_records_ = has_records;
}

std::uint64_t RecordFile::add(std::string_view record) {
  if (has_records_ || !pending_.empty()) pending_ += ",\n";
  const std::uint64_t offset = tail_ + pending_.size();
  pending_ += record;
  return offset;
}

void RecordFile::write_pending() {
  if (pending_.empty()) return;
  const std::size_t records = pending_.size();
  pending_ += kClosing;
  try {
    file_.write_at(static_cast<off_t>(tail_), pending_);
  } catch (...) {
    pending_.resize(records);
    throw;
  }
  tail_ += records;
  has_records_ = true;
  pending_.clear();
}

std::string bytes_before(const std::string& path, std::uint64_t end) {
  const std::uint64_t from = end > kCheckedTailBytes ? end - kCheckedTailBytes : 0;
  std::ifstream in(path, std::ios::binary);
  std::string bytes(static_cast<std::size_t>(end - from), '\0');
  if (!in.seekg(static_cast<std::streamoff>(from)) || !in.read(bytes.data(), static_cast<std::streamsize>(bytes.size())))
    return {};
  return bytes;
}

std::string RecordFile::bytes_before_end() const {
  const std::uint64_t from = tail_ > kCheckedTailBytes ? tail_ - kCheckedTailBytes : 0;
  return file_.read_at(static_cast<off_t>(from), static_cast<std::size_t>(tail_ - from));
}

std::string RecordFile::read(std::uint64_t offset) const {
  if (offset >= tail_) {  // queued, not written yet
    std::string_view rest(pending_);
    rest.remove_prefix(static_cast<std::size_t>(offset - tail_));
    return std::string(without_comma(rest.substr(0, rest.find('\n'))));
  }
  std::string text;
  for (std::size_t chunk = kFirstReadBytes;; chunk = std::min(chunk * 2, kMaxRecordBytes)) {
    const std::string part = file_.read_at(static_cast<off_t>(offset + text.size()), chunk);
    const std::size_t newline = part.find('\n');
    if (newline != std::string::npos) {
      text.append(part, 0, newline);
      return std::string(without_comma(text));
    }
    if (part.empty() || text.size() > kMaxRecordBytes)
      throw std::runtime_error(file_.path() + ": no record ends after offset " + std::to_string(offset));
    text += part;
  }
}

}  // namespace bib::persistence
