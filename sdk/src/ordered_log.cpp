#include "bib/ordered_log.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <stdexcept>

#include "bib/context.hpp"
#include "bib/replica.hpp"
#include "bib/stable_hash.hpp"

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

std::uint32_t OrderedLog::intern(const std::string& origin) {
  auto [id, fresh] = origin_ids_.try_emplace(origin, static_cast<std::uint32_t>(origins_.size()));
  if (fresh) origins_.push_back(origin);
  return id->second;
}

bool OrderedLog::less(const Slot& a, const Slot& b) const {
  if (a.clock != b.clock) return a.clock < b.clock;
  if (a.origin != b.origin) return origins_[a.origin] < origins_[b.origin];
  return a.seq < b.seq;
}

std::vector<OrderedLog::Slot>::const_iterator OrderedLog::lower_bound(const LogPosition& position) const {
  return std::lower_bound(slots_.begin(), slots_.end(), position, [this](const Slot& slot, const LogPosition& p) {
    if (slot.clock != p.clock) return slot.clock < p.clock;
    const std::string& origin = origins_[slot.origin];
    if (origin != p.origin) return origin < p.origin;
    return slot.seq < p.seq;
  });
}

bool OrderedLog::insert_slot(const Slot& slot, const LogPosition& position) {
  // Entries arrive mostly in order: try the end first, which costs O(1) when it is right.
  if (slots_.empty() || less(slots_.back(), slot)) {
    slots_.push_back(slot);
    return true;
  }
  const auto at = lower_bound(position);
  if (at != slots_.end() && !less(slot, *at)) return false;  // taken
  slots_.insert(at, slot);
  return true;
}

bool OrderedLog::insert(const LogPosition& position) {
  return insert_slot(Slot{position.clock, position.seq, 0, intern(position.origin)}, position);
}

void OrderedLog::erase(const LogPosition& position) {
  const auto at = lower_bound(position);
  if (at != slots_.end() && position_of(*at) == position) slots_.erase(at);
}

// The request ids are not saved: they are the slots' own (a twin replaced keeps its id's
// slot), so load() puts them back in the table, which costs less than reading it.
void OrderedLog::save(StateWriter& out) const {
  out.u64(origins_.size());
  for (const std::string& origin : origins_) out.str(origin);
  out.pod_vector(slots_);
}

OrderedLog OrderedLog::load(StateReader& in) {
  OrderedLog log;
  const std::uint64_t origins = in.count(sizeof(std::uint64_t));
  for (std::uint64_t i = 0; i < origins; ++i) log.intern(in.str());
  log.slots_ = in.pod_vector<Slot>();
  const bool origins_ok = std::all_of(log.slots_.begin(), log.slots_.end(),
                                      [&](const Slot& s) { return s.origin < log.origins_.size(); });
  if (!origins_ok || log.origins_.size() != origins)
    throw std::runtime_error("checkpoint state: an ordered log that does not hold together");
  for (const Slot& slot : log.slots_)
    if (slot.request != 0) log.add_request(slot.request);
  return log;
}

std::string save_named_logs(const NamedLogs& logs, std::uint64_t count) {
  StateWriter out;
  out.u64(count);
  out.u64(logs.size());
  for (const auto& [name, log] : logs) {
    out.str(name);
    log.save(out);
  }
  return out.take();
}

std::pair<NamedLogs, std::uint64_t> load_named_logs(std::string_view bytes) {
  std::pair<NamedLogs, std::uint64_t> loaded{NamedLogs{}, 0};
  if (bytes.empty()) return loaded;
  StateReader in(bytes);
  loaded.second = in.u64();
  for (std::uint64_t n = in.count(sizeof(std::uint64_t)); n > 0; --n) {
    std::string name = in.str();
    loaded.first.emplace(std::move(name), OrderedLog::load(in));
  }
  in.expect_end();
  return loaded;
}

bool OrderedLog::has_request(std::uint64_t hash) const {
  if (requests_.empty()) return false;
  const std::size_t mask = requests_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    if (requests_[i] == hash) return true;
    if (requests_[i] == 0) return false;
  }
}

void OrderedLog::add_request(std::uint64_t hash) {
  // Grown (doubled, a power of two) before it is 70% full, so a probe always meets a free slot.
  if ((request_count_ + 1) * 10 > requests_.size() * 7) {
    std::vector<std::uint64_t> old(std::max<std::size_t>(16, requests_.size() * 2), 0);
    old.swap(requests_);
    request_count_ = 0;
    for (std::uint64_t h : old)
      if (h != 0) add_request(h);
  }
  const std::size_t mask = requests_.size() - 1;
  std::size_t i = hash & mask;
  while (requests_[i] != 0 && requests_[i] != hash) i = (i + 1) & mask;
  if (requests_[i] == 0) ++request_count_;
  requests_[i] = hash;
}

OrderedLog::Outcome OrderedLog::insert(const LogPosition& position, std::string_view request_id) {
  if (request_id.empty()) return insert(position) ? Outcome::added : Outcome::ignored;
  const std::uint64_t key = std::max<std::uint64_t>(stable_hash(request_id), 1);  // 0 means none
  const Slot slot{position.clock, position.seq, key, intern(position.origin)};
  if (!has_request(key)) {
    if (!insert_slot(slot, position)) return Outcome::ignored;
    add_request(key);
    return Outcome::added;
  }
  // A twin: find the entry its request kept (rare, so a scan, from the newest).
  const auto kept = std::find_if(slots_.rbegin(), slots_.rend(), [key](const Slot& s) { return s.request == key; });
  if (kept == slots_.rend()) return insert_slot(slot, position) ? Outcome::added : Outcome::ignored;
  const LogPosition kept_position = position_of(*kept);
  if (!(position < kept_position)) return Outcome::ignored;  // the same entry, or a later twin
  erase(kept_position);
  insert_slot(slot, position);
  return Outcome::replaced;
}

Map OrderedLog::page(const PageQuery& query, std::string_view key, const Loader& load) const {
  const auto stop = query.before ? lower_bound(*query.before) : slots_.end();
  const auto count = std::min<std::size_t>(query.limit, static_cast<std::size_t>(stop - slots_.begin()));
  const auto first = stop - static_cast<std::ptrdiff_t>(count);

  Array entries;
  entries.reserve(count);
  for (auto it = first; it != stop; ++it) {
    if (auto entry = load(position_of(*it))) entries.push_back(std::move(*entry));
  }

  Map reply;
  reply.emplace(std::string(key), std::move(entries));
  if (first != slots_.begin()) reply.emplace("next", to_cursor(position_of(*first)));
  return reply;
}

std::optional<Map> string_fields(const Event& event, const std::vector<std::string>& names) {
  Map fields;
  for (const std::string& name : names) {
    const Value* field = event.data.find(name);
    if (field == nullptr || !field->is_string()) return std::nullopt;
    fields.emplace(name, *field);
  }
  return fields;
}

OrderedLog::Loader stored_entries(Context& ctx, std::vector<std::string> names) {
  return [&ctx, names = std::move(names)](const LogPosition& position) -> std::optional<Value> {
    Replica* replica = ctx.replica();
    if (replica == nullptr) throw std::runtime_error("history is read back from the host's replica, and it lends none");
    std::optional<Event> event = replica->event(position.origin, position.seq);
    if (!event) {
      ctx.log().warn("event {} is in the history but not in the store; left out", to_cursor(position));
      return std::nullopt;
    }
    auto fields = string_fields(*event, names);
    if (!fields) return std::nullopt;  // apply() skipped it and warned; never in a log
    return log_entry(*event, std::move(*fields));
  };
}

}  // namespace bib
