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
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bib/export.hpp"
#include "bib/result.hpp"
#include "bib/service.hpp"
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

class BIB_SDK_API OrderedLog {
 public:
  // Shared so that one entry can sit in several logs (a message in its sender's and its
  // recipient's inbox) without a copy.
  using Entry = std::shared_ptr<const Value>;

  // False, and nothing changes, when the position is already taken.
  bool insert(const LogPosition& position, Entry entry);

  // One request, one entry, on every replica. A write can be committed twice under one
  // request_id when two servers both took it (a client retried while the first server was
  // stalled but not yet evicted); replicas then hold both events. Whatever the order they
  // arrive in, the entry at the earliest position is kept and the other is dropped, so every
  // replica shows it once, identically.
  enum class Outcome { added, replaced, ignored };
  Outcome insert(const LogPosition& position, Entry entry, const std::string& request_id);
  std::size_t size() const noexcept { return entries_.size(); }
  bool empty() const noexcept { return entries_.empty(); }

  // One page as reply data: {<key>: [entries oldest first], "next": cursor (when older remain)}.
  Map page(const PageQuery& query, std::string_view key) const;

 private:
  std::map<LogPosition, Entry> entries_;
  std::map<std::string, LogPosition, std::less<>> by_request_;  // request_id -> its kept entry
};

}  // namespace bib
