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

#include "bib/export.hpp"
#include "bib/result.hpp"
#include "bib/service.hpp"
#include "bib/state_bytes.hpp"
#include "bib/value.hpp"

namespace bib {

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
class Context;

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
  std::size_t size() const noexcept { return slots_.size(); }
  bool empty() const noexcept { return slots_.empty(); }

  // One page as reply data: {<key>: [entries oldest first], "next": cursor (when older remain)}.
  Map page(const PageQuery& query, std::string_view key, const Loader& load) const;

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
    std::uint32_t unused = 0;  // the padding, named so that saved bytes are all initialised
  };
  std::uint32_t intern(const std::string& origin);
  LogPosition position_of(const Slot& slot) const { return {slot.clock, origins_[slot.origin], slot.seq}; }
  // The first slot not before `position` (slots_.end() when none).
  std::vector<Slot>::const_iterator lower_bound(const LogPosition& position) const;
  bool less(const Slot& a, const Slot& b) const;
  bool insert_slot(const Slot& slot, const LogPosition& position);
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

// The named fields of an event's data, each a string (user, channel, message), or nothing when
// one is missing or not a string: every replica skips such an event alike.
BIB_SDK_API std::optional<Map> string_fields(const Event& event, const std::vector<std::string>& names);

// A Loader that reads each entry's event back through ctx.replica() and builds
// log_entry(event, string_fields(event, names)). An event that is gone or malformed is left
// out, with a warning; a host that lends no replica is an error (thrown).
BIB_SDK_API OrderedLog::Loader stored_entries(Context& ctx, std::vector<std::string> names);

}  // namespace bib
