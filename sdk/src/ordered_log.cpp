#include "bib/ordered_log.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <iterator>
#include <stdexcept>

#include "bib/clock.hpp"
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

namespace {
// Leads the bytes of save_named_logs: "bibLOG" and the format, 2 since entries carry their
// time. Version 1 had no tag (it began with the count) and no times: such a checkpoint is
// refused, and the host replays the log instead, which gives every entry its time.
constexpr std::uint64_t kNamedLogsFormat = 0x6269624c4f470002ULL;
}  // namespace

std::string save_named_logs(const NamedLogs& logs, std::uint64_t count) {
  StateWriter out;
  out.u64(kNamedLogsFormat);
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
  if (in.u64() != kNamedLogsFormat)
    throw std::runtime_error("checkpoint state: ordered logs of an earlier format (entries without their time)");
  loaded.second = in.u64();
  for (std::uint64_t n = in.count(sizeof(std::uint64_t)); n > 0; --n) {
    std::string name = in.str();
    loaded.first.emplace(std::move(name), OrderedLog::load(in));
  }
  in.expect_end();
  return loaded;
}

OrderedLog::Outcome insert_retained(NamedLogs& logs, const std::string& name, const Event& event,
                                    const RetentionRules& rules, double now) {
  OrderedLog& log = logs[name];
  const auto outcome = log.insert(LogPosition::of(event), event.request_id, event.timestamp);
  log.trim(rules.for_name(name), now);
  return outcome;
}

Timer start_retention_sweep(Context& ctx, NamedLogs& logs, const RetentionRules& rules) {
  if (rules.keeps_everything()) return {};
  constexpr std::chrono::seconds kEvery{30};
  return ctx.loop().start_timer(
      kEvery,
      [&ctx, &logs, &rules] {
        const double now = ctx.clock().now();
        for (auto& [name, log] : logs) log.trim(rules.for_name(name), now, true);
      },
      true);
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
  return insert_entry(position, request_id, 0);
}

OrderedLog::Outcome OrderedLog::insert(const LogPosition& position, std::string_view request_id, double timestamp) {
  // Whole seconds, at least 1 (0 means "no time"); beyond 2106 the largest.
  constexpr double kLast = std::numeric_limits<std::uint32_t>::max();
  const double seconds = std::isnan(timestamp) ? 1.0 : std::clamp(std::floor(timestamp), 1.0, kLast);
  return insert_entry(position, request_id, static_cast<std::uint32_t>(seconds));
}

OrderedLog::Outcome OrderedLog::insert_entry(const LogPosition& position, std::string_view request_id,
                                             std::uint32_t seconds) {
  if (request_id.empty())
    return insert_slot(Slot{position.clock, position.seq, 0, intern(position.origin), seconds}, position)
               ? Outcome::added
               : Outcome::ignored;
  const std::uint64_t key = std::max<std::uint64_t>(stable_hash(request_id), 1);  // 0 means none
  const Slot slot{position.clock, position.seq, key, intern(position.origin), seconds};
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
  return page(query, key, load, Retention{}, 0);
}

Map OrderedLog::page(const PageQuery& query, std::string_view key, const Loader& load, const Retention& retention,
                     double now) const {
  const auto oldest = slots_.begin() + static_cast<std::ptrdiff_t>(first_kept(retention));
  const std::uint32_t cutoff = age_cutoff(retention, now);
  auto at = query.before ? lower_bound(*query.before) : slots_.end();
  if (at < oldest) at = oldest;

  // Newest first from the cursor, skipping what the age limit drops.
  std::vector<const Slot*> picked;
  picked.reserve(std::min<std::size_t>(query.limit, static_cast<std::size_t>(at - oldest)));
  while (at != oldest && picked.size() < query.limit) {
    --at;
    if (!expired(*at, cutoff)) picked.push_back(&*at);
  }
  const bool older_remain =
      std::any_of(oldest, at, [cutoff](const Slot& slot) { return !expired(slot, cutoff); });

  Array entries;
  entries.reserve(picked.size());
  for (auto it = picked.rbegin(); it != picked.rend(); ++it) {
    if (auto entry = load(position_of(**it))) entries.push_back(std::move(*entry));
  }

  Map reply;
  reply.emplace(std::string(key), std::move(entries));
  if (older_remain) reply.emplace("next", to_cursor(position_of(*picked.back())));
  return reply;
}

std::size_t OrderedLog::first_kept(const Retention& retention) const {
  if (retention.max_entries == 0 || slots_.size() <= retention.max_entries) return 0;
  return slots_.size() - static_cast<std::size_t>(retention.max_entries);
}

std::uint32_t OrderedLog::age_cutoff(const Retention& retention, double now) {
  if (retention.max_age_s == 0) return 0;
  const double cutoff = std::floor(now) - static_cast<double>(retention.max_age_s);
  if (!(cutoff > 0)) return 0;
  return static_cast<std::uint32_t>(std::min<double>(cutoff, std::numeric_limits<std::uint32_t>::max()));
}

std::size_t OrderedLog::trim(const Retention& retention, double now, bool eager) {
  if (retention.keeps_everything() || slots_.empty()) return 0;
  std::size_t drop = first_kept(retention);
  const std::uint32_t cutoff = age_cutoff(retention, now);
  while (drop < slots_.size() && expired(slots_[drop], cutoff)) ++drop;
  constexpr std::size_t kBatch = 1024;
  if (drop == 0 || (!eager && drop < kBatch && drop * 8 < slots_.size())) return 0;
  slots_.erase(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(drop));
  rebuild_requests();
  return drop;
}

// The request ids of the entries left, in a table sized for them: dropped entries' ids are
// forgotten, so the table shrinks with the log.
void OrderedLog::rebuild_requests() {
  requests_.clear();
  requests_.shrink_to_fit();
  request_count_ = 0;
  for (const Slot& slot : slots_)
    if (slot.request != 0) add_request(slot.request);
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
