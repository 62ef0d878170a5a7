#include "snapshot_files.hpp"

#include <optional>
#include <stdexcept>
#include <string_view>

#include "bib/json.hpp"
#include "posix_file.hpp"

namespace bib::persistence {

namespace {

constexpr std::size_t kOthers = 4;

// True when data holds nothing but (some of) the original fields, so that the record's
// copies of those fields rebuild it exactly and `data` need not be stored.
bool data_is_original_fields(const Value& data, const SnapshotFile& file) {
  if (!data.is_map()) return false;
  for (const auto& [key, value] : data.as_map()) {
    bool original = false;
    for (const char* field : file.fields) original = original || key == field;
    if (!original) return false;
  }
  return true;
}

std::uint64_t get_count(const Value& record, std::string_view key) {
  const std::int64_t n = record.get_int(key);
  if (n < 0) {
    std::string k(key);
    throw FieldError(k, "field '" + k + "' must be a non-negative integer, got " + std::to_string(n));
  }
  return static_cast<std::uint64_t>(n);
}

constexpr std::string_view kPosPrefix = "{\"pos\": ";

// Where the record's text after {"pos": N,  starts, or npos when it does not start so.
std::size_t after_position(std::string_view record) {
  if (record.substr(0, kPosPrefix.size()) != kPosPrefix) return std::string_view::npos;
  std::size_t i = kPosPrefix.size();
  const std::size_t digits = i;
  while (i < record.size() && record[i] >= '0' && record[i] <= '9') ++i;
  if (i == digits || record.substr(i, 2) != ", ") return std::string_view::npos;
  return i + 2;
}

// The fast path: the layout snapshots are written in,
//   [
//   {"pos": 1, ...},
//   {"pos": 2, ...}
//   ]
// read one line at a time. Empty when the text is laid out otherwise, or anything in it is
// wrong: the whole-document path then decides, and words the error.
std::optional<std::vector<StoredRecord>> read_line_layout(std::string_view text, std::size_t file) {
  std::vector<StoredRecord> out;
  if (text == "[]\n" || text == "[]") return out;
  if (text.substr(0, 2) != "[\n") return std::nullopt;
  std::size_t start = 2;
  bool more = true;  // the previous record ended with a comma
  for (;;) {
    const std::size_t newline = text.find('\n', start);
    if (newline == std::string_view::npos) return std::nullopt;
    std::string_view line = text.substr(start, newline - start);
    start = newline + 1;
    if (line == "]") {
      if (more && !out.empty()) return std::nullopt;  // a comma before ]
      return start == text.size() ? std::optional(std::move(out)) : std::nullopt;
    }
    if (!more) return std::nullopt;  // two records without a comma
    more = !line.empty() && line.back() == ',';
    if (more) line.remove_suffix(1);
    Result<Value> record = parse_json(line);
    if (!record) return std::nullopt;
    try {
      PositionedEvent parsed = event_from_record(record.value(), file);
      std::string stored = after_position(line) != std::string_view::npos ? std::string(line)
                                                                          : snapshot_record(parsed.event, file);
      out.push_back({parsed.pos, std::move(parsed.event), std::move(stored), file});
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
}

}  // namespace

const std::array<SnapshotFile, 5>& snapshot_files() {
  static const std::array<SnapshotFile, 5> files{{
      {"usuarios.json", "login", {"user"}},
      {"canais.json", "channel", {"channel"}},
      {"publicacoes.json", "publish", {"user", "channel", "message"}},
      {"mensagens.json", "message", {"src", "dst", "message"}},
      {"outros.json", "", {}},
  }};
  return files;
}

std::size_t snapshot_file_for(const std::string& service) {
  const auto& files = snapshot_files();
  for (std::size_t i = 0; i < kOthers; ++i)
    if (service == files[i].service) return i;
  return kOthers;
}

std::string snapshot_record(const Event& event, std::size_t file) {
  if (file == kOthers) return with_position(to_json(to_value(event)), 0);
  const SnapshotFile& spec = snapshot_files()[file];
  Map record;
  for (const char* field : spec.fields)
    if (const Value* v = event.data.find(field)) record.emplace(field, *v);
  if (!data_is_original_fields(event.data, spec)) record.insert_or_assign("data", event.data);
  record.insert_or_assign("timestamp", event.timestamp);
  record.insert_or_assign("origin", event.origin);
  record.insert_or_assign("seq", event.seq);
  record.insert_or_assign("clock", event.clock);
  record.insert_or_assign("request_id", event.request_id);
  // pos goes first, where a reader sees it at once ("pos" is never a key of the map itself).
  return with_position(to_json(Value(std::move(record))), 0);
}

void append_with_position(std::string& out, const std::string& record, std::uint64_t pos) {
  std::size_t rest = after_position(record);
  // A record without the prefix is a whole JSON object "{...}" (never empty: it has origin).
  rest = rest != std::string_view::npos ? rest : 1;
  out.append(kPosPrefix).append(std::to_string(pos)).append(", ").append(record, rest);
}

std::string with_position(const std::string& record, std::uint64_t pos) {
  std::string out;
  append_with_position(out, record, pos);
  return out;
}

std::vector<StoredRecord> read_snapshot_file(const std::string& path, std::size_t file) {
  const std::string text = read_file(path);
  if (auto records = read_line_layout(text, file)) return std::move(*records);

  Result<Value> document = parse_json(text);
  if (!document) throw std::runtime_error("corrupt snapshot " + path + ": " + document.error().message);
  if (!document.value().is_array())
    throw std::runtime_error("corrupt snapshot " + path + ": expected a JSON array, got " +
                             Value::type_name(document.value().type()));
  std::vector<StoredRecord> out;
  std::size_t index = 0;
  for (const Value& record : document.value().as_array()) {
    ++index;
    try {
      PositionedEvent parsed = event_from_record(record, file);
      std::string text_of_record = snapshot_record(parsed.event, file);
      out.push_back({parsed.pos, std::move(parsed.event), std::move(text_of_record), file});
    } catch (const std::exception& e) {
      throw std::runtime_error("corrupt snapshot " + path + " record " + std::to_string(index) + ": " + e.what());
    }
  }
  return out;
}

PositionedEvent event_from_record(const Value& record, std::size_t file) {
  record.as_map();  // "expected a map, got X" before any field sentence
  PositionedEvent out{get_count(record, "pos"), {}};
  if (file == kOthers) {
    out.event = event_from_value(record);
    return out;
  }
  const SnapshotFile& spec = snapshot_files()[file];
  Event& event = out.event;
  event.origin = record.get_string("origin");
  event.seq = get_count(record, "seq");
  event.clock = get_count(record, "clock");
  event.timestamp = record.get_double("timestamp");
  event.service = spec.service;
  event.request_id = record.opt_string("request_id").value_or("");
  if (const Value* stored = record.find("data")) {
    event.data = *stored;
  } else {
    Map data;
    for (const char* field : spec.fields)
      if (const Value* v = record.find(field)) data.emplace(field, *v);
    event.data = std::move(data);
  }
  return out;
}

}  // namespace bib::persistence
