#include "bib/ordered_log.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>

namespace bib {

namespace {

std::optional<std::uint64_t> parse_count(std::string_view text) {
  std::uint64_t n = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
  return n;
}

Result<std::optional<LogPosition>> parse_before(const Value& data) {
  const Value* before = data.find("before");
  if (before == nullptr || before->is_nil()) return std::optional<LogPosition>{};
  if (before->is_int()) {
    if (before->as_int() < 0) return Error{"field 'before' must not be negative"};
    // Sorts before every entry of that clock: origins are never empty.
    return std::optional<LogPosition>{LogPosition{static_cast<std::uint64_t>(before->as_int()), "", 0}};
  }
  if (before->is_string()) {
    if (auto position = parse_cursor(before->as_string())) return std::optional<LogPosition>{*position};
    return Error{"field 'before' is not a cursor \"clock:origin:seq\": '" + before->as_string() + "'"};
  }
  return Error{std::string("field 'before' must be an integer clock or a cursor string, got ") +
               Value::type_name(before->type())};
}

}  // namespace

std::string to_cursor(const LogPosition& position) {
  return std::to_string(position.clock) + ":" + position.origin + ":" + std::to_string(position.seq);
}

std::optional<LogPosition> parse_cursor(std::string_view cursor) {
  const auto first = cursor.find(':');
  const auto last = cursor.rfind(':');
  if (first == std::string_view::npos || first == last) return std::nullopt;
  auto clock = parse_count(cursor.substr(0, first));
  auto seq = parse_count(cursor.substr(last + 1));
  std::string_view origin = cursor.substr(first + 1, last - first - 1);
  if (!clock || !seq || origin.empty()) return std::nullopt;
  return LogPosition{*clock, std::string(origin), *seq};
}

Value log_entry(const Event& event, Map fields) {
  fields.insert_or_assign("timestamp", event.timestamp);
  fields.insert_or_assign("clock", event.clock);
  fields.insert_or_assign("origin", event.origin);
  fields.insert_or_assign("seq", event.seq);
  return fields;
}

Result<PageQuery> page_query(const Value& request_data) {
  PageQuery query;
  if (const Value* limit = request_data.find("limit"); limit != nullptr && !limit->is_nil()) {
    if (!limit->is_int())
      return Error{std::string("field 'limit' must be an integer, got ") + Value::type_name(limit->type())};
    if (limit->as_int() < 1) return Error{"field 'limit' must be at least 1, got " + std::to_string(limit->as_int())};
    query.limit = std::min<std::uint64_t>(static_cast<std::uint64_t>(limit->as_int()), kMaxPageLimit);
  }
  auto before = parse_before(request_data);
  if (!before) return before.error();
  query.before = std::move(before).value();
  return query;
}

OrderedLog::Outcome OrderedLog::insert(const LogPosition& position, Entry entry, const std::string& request_id) {
  if (request_id.empty()) return insert(position, std::move(entry)) ? Outcome::added : Outcome::ignored;
  auto [kept, fresh] = by_request_.try_emplace(request_id, position);
  if (fresh) {
    if (insert(position, std::move(entry))) return Outcome::added;
    by_request_.erase(kept);
    return Outcome::ignored;
  }
  if (!(position < kept->second)) return Outcome::ignored;  // the same entry, or a later twin
  entries_.erase(kept->second);
  kept->second = position;
  insert(position, std::move(entry));
  return Outcome::replaced;
}

bool OrderedLog::insert(const LogPosition& position, Entry entry) {
  // Entries arrive mostly in order: try the end first, which costs O(1) when it is right.
  auto hint = entries_.end();
  if (!entries_.empty() && !(std::prev(hint)->first < position)) hint = entries_.lower_bound(position);
  if (hint != entries_.end() && hint->first == position) return false;
  entries_.emplace_hint(hint, position, std::move(entry));
  return true;
}

Map OrderedLog::page(const PageQuery& query, std::string_view key) const {
  const auto stop = query.before ? entries_.lower_bound(*query.before) : entries_.end();
  auto first = stop;
  for (std::size_t n = 0; n < query.limit && first != entries_.begin(); ++n) --first;

  Array entries;
  entries.reserve(static_cast<std::size_t>(std::distance(first, stop)));
  for (auto it = first; it != stop; ++it) entries.push_back(*it->second);

  Map reply;
  reply.emplace(std::string(key), std::move(entries));
  if (first != entries_.begin()) reply.emplace("next", to_cursor(first->first));
  return reply;
}

}  // namespace bib
