// An ordered log of posts or private messages, in the cluster-wide order of docs/architecture.md:
// (clock, origin, seq). Every replica that holds the same entries pages them identically.
//
// Paging reads backwards from a cursor, newest first, and returns the page oldest first:
//   request  {"channel": "geral", "limit": 2}
//   reply    {"posts": [{.. "clock": 7, "origin": "server-1", "seq": 3}, {.. "clock": 9, ..}],
//             "next": "7:server-1:3"}
//   request  {"channel": "geral", "limit": 2, "before": "7:server-1:3"}   -> the two before it
//   request  {"channel": "geral", "before": 7}                            -> entries with clock < 7
// `next` is present only while older entries remain. The cursor "clock:origin:seq" is exclusive
// and names one entry exactly, so pages neither skip nor repeat entries that share a clock.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bib/event_loop.hpp"
#include "bib/export.hpp"
#include "bib/result.hpp"
#include "bib/retention.hpp"
#include "bib/service.hpp"
#include "bib/state_bytes.hpp"
#include "bib/value.hpp"

namespace bib {

class Context;

// Where an entry sits in the total order; its event's identity.
struct LogPosition {
  std::uint64_t clock = 0;
  std::string origin;
  std::uint64_t seq = 0;

  auto operator<=>(const LogPosition&) const = default;
  bool operator==(const LogPosition&) const = default;

  static LogPosition of(const Event& event) { return {event.clock, event.origin, event.seq}; }
};

// "clock:origin:seq", e.g. "42:server-1:7". The origin may itself contain ':'.
BIB_SDK_API std::string to_cursor(const LogPosition& position);
BIB_SDK_API std::optional<LogPosition> parse_cursor(std::string_view cursor);

// An entry as stored and paged: the given fields plus the event's timestamp, clock, origin, seq.
//   {"user": "ana", "channel": "geral", "message": "oi", "timestamp": 1714.2, "clock": 7,
//    "origin": "server-1", "seq": 3}
BIB_SDK_API Value log_entry(const Event& event, Map fields);

inline constexpr std::size_t kDefaultPageLimit = 100;
inline constexpr std::size_t kMaxPageLimit = 1000;

struct PageQuery {
  std::size_t limit = kDefaultPageLimit;
  std::optional<LogPosition> before;  // exclusive upper bound; none = from the newest entry
};

// Reads the optional `limit` (at least 1; above kMaxPageLimit means kMaxPageLimit) and `before`
// (an integer Lamport clock, or a cursor string) of a request. The error is a sentence for the
// client: "field 'before' is not a cursor: ...".
BIB_SDK_API Result<PageQuery> page_query(const Value& request_data);

// The log keeps positions only, 32 bytes per entry and about 12 more for the request ids: the
// entries' bodies are the events' data, which live in the node's store, and page() reads them
// back through a Loader (a service plugin builds it on ctx.replica()->event()). So a channel
// with a million posts costs tens of MiB of memory, not its text.
class BIB_SDK_API OrderedLog {
 public:
  // The entry at a position, read back from its event; nothing when the event cannot be found
  // (the entry is then left out of the page). Throws when the store cannot be read.
  using Loader = std::function<std::optional<Value>(const LogPosition&)>;

  // False, and nothing changes, when the position is already taken.
  bool insert(const LogPosition& position);

  // One request, one entry, on every replica. A write can be committed twice under one
  // request_id when two servers both took it (a client retried while the first server was
  // stalled but not yet evicted); replicas then hold both events. Whatever the order they
  // arrive in, the entry at the earliest position is kept and the other is dropped, so every
  // replica shows it once, identically. Request ids are remembered by a 64-bit stable_hash:
  // two different ids of one log colliding (odds about n^2 / 2^65, 3e-8 at a million entries)
  // would show only one of their entries, the same one on every replica.
  enum class Outcome { added, replaced, ignored };
  Outcome insert(const LogPosition& position, std::string_view request_id);
  // The same, with the event's timestamp (seconds since the epoch), which a Retention's age
  // limit reads. An entry inserted without one never expires by age.
  Outcome insert(const LogPosition& position, std::string_view request_id, double timestamp);
  std::size_t size() const noexcept { return slots_.size(); }
  bool empty() const noexcept { return slots_.empty(); }

  // One page as reply data: {<key>: [entries oldest first], "next": cursor (when older remain)}.
  Map page(const PageQuery& query, std::string_view key, const Loader& load) const;
  // The same, showing only the entries `retention` keeps at `now` (seconds since the epoch):
  // the newest max_entries of the log, less those older than max_age_s. Every replica holding
  // the same entries shows the same pages (the age limit: as of its own clock).
  Map page(const PageQuery& query, std::string_view key, const Loader& load, const Retention& retention,
           double now) const;

  // Gives back the memory of the entries `retention` no longer keeps at `now`; returns how
  // many went. Pages leave them out already, so unless `eager` this waits until a batch is
  // worth it (1,024 entries or an eighth of the log), instead of moving the whole log for
  // every new entry of a log at its limit. An entry dropped is gone for good: one arriving
  // later that is older than what the log keeps is not shown either.
  std::size_t trim(const Retention& retention, double now, bool eager = false);

  // For checkpoints (ServicePlugin::save_state): the whole log as bytes, copied as it lies in
  // memory, and back. load() throws std::runtime_error on bytes save() did not write.
  void save(StateWriter& out) const;
  static OrderedLog load(StateReader& in);

 private:
  // A position with its origin interned (origins are few: the servers; entries many), and the
  // hash of its request id (0: none).
  struct Slot {
    std::uint64_t clock;
    std::uint64_t seq;
    std::uint64_t request;
    std::uint32_t origin;
    std::uint32_t seconds = 0;  // the event's timestamp, whole seconds (0: none; never expires)
  };
  std::uint32_t intern(const std::string& origin);
  LogPosition position_of(const Slot& slot) const { return {slot.clock, origins_[slot.origin], slot.seq}; }
  // The first slot not before `position` (slots_.end() when none).
  std::vector<Slot>::const_iterator lower_bound(const LogPosition& position) const;
  bool less(const Slot& a, const Slot& b) const;
  bool insert_slot(const Slot& slot, const LogPosition& position);
  Outcome insert_entry(const LogPosition& position, std::string_view request_id, std::uint32_t seconds);
  // Where the entries `retention` keeps by count begin, and the age below which it drops them.
  std::size_t first_kept(const Retention& retention) const;
  static std::uint32_t age_cutoff(const Retention& retention, double now);
  static bool expired(const Slot& slot, std::uint32_t cutoff) { return slot.seconds != 0 && slot.seconds < cutoff; }
  void rebuild_requests();
  void erase(const LogPosition& position);
  // The set of request hashes held: open addressing in a flat table (a node-based set would
  // cost three times the memory per entry).
  bool has_request(std::uint64_t hash) const;
  void add_request(std::uint64_t hash);

  std::vector<std::string> origins_;
  std::map<std::string, std::uint32_t, std::less<>> origin_ids_;
  std::vector<Slot> slots_;                                    // in (clock, origin, seq) order
  std::vector<std::uint64_t> requests_;                        // hashes; 0 = free
  std::size_t request_count_ = 0;
};

// Ordered logs by name (a channel's posts, a user's inbox), and a count of the entries a
// service shows, saved and loaded together for ServicePlugin::save_state / restore_state.
using NamedLogs = std::map<std::string, OrderedLog, std::less<>>;
BIB_SDK_API std::string save_named_logs(const NamedLogs& logs, std::uint64_t count);
// Throws std::runtime_error on bytes save_named_logs() did not write; "" gives no logs.
BIB_SDK_API std::pair<NamedLogs, std::uint64_t> load_named_logs(std::string_view bytes);

// An event's entry into logs[name] (created when missing), then what that log's retention no
// longer keeps at `now` dropped (in batches, OrderedLog::trim).
BIB_SDK_API OrderedLog::Outcome insert_retained(NamedLogs& logs, const std::string& name, const Event& event,
                                                const RetentionRules& rules, double now);

// Every 30 s on ctx's loop, each log of `logs` gives back the memory of what its retention
// dropped (an idle channel's expired posts too). No timer when the rules keep everything. The
// logs and rules must outlive the timer.
[[nodiscard]] BIB_SDK_API Timer start_retention_sweep(Context& ctx, NamedLogs& logs, const RetentionRules& rules);

// The named fields of an event's data, each a string (user, channel, message), or nothing when
// one is missing or not a string: every replica skips such an event alike.
BIB_SDK_API std::optional<Map> string_fields(const Event& event, const std::vector<std::string>& names);

// A Loader that reads each entry's event back through ctx.replica() and builds
// log_entry(event, string_fields(event, names)). An event that is gone or malformed is left
// out, with a warning; a host that lends no replica is an error (thrown).
BIB_SDK_API OrderedLog::Loader stored_entries(Context& ctx, std::vector<std::string> names);

}  // namespace bib
