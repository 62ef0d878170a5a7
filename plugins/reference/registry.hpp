// The reference server's memory, free of sockets and clocks so that tests drive it with a
// fake time: which rank each server name holds, where its ports listen, and when it was last
// heard from (rank registration or heartbeat).
//
// Rules (docs/protocol.md, docs/reference.md):
//   - a name keeps its rank forever (ranks restored from the state file are kept too);
//   - a new name gets the rank it asks for when that rank is free (a server re-registering
//     after a reference restart keeps its rank), otherwise the next rank after the highest
//     ever given, starting at 1, so ranks follow the order of first registration;
//   - `list` holds the servers heard from within the heartbeat timeout, sorted by rank.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bib::reference {

// Ranks asked for above this are ignored (a new rank is given instead), so that one bad
// request cannot push every later rank out to the end of the integer range.
inline constexpr int kMaxWantedRank = 1000000;

class Registry {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  struct Server {
    std::string name;
    int rank = 0;
    std::string address;
  };

  struct Registration {
    int rank = 0;
    bool new_rank = false;  // the name got a rank it never had: the state file must be saved
    bool was_live = false;  // it was already in the live list before this registration
  };

  enum class Heartbeat {
    unknown,  // not registered since this reference started: it must call `rank` again
    alive,    // known and fresh
    revived,  // known, but it had gone stale: back in the list now
  };

  explicit Registry(std::chrono::milliseconds heartbeat_timeout);

  // Ranks held before (from the state file). They stay reserved; the servers still have to
  // register again to appear in the list.
  void restore(const std::map<std::string, int>& ranks);

  // `rank {user, address?, rank?}`. An empty address leaves the one known (if any).
  Registration register_server(const std::string& name, const std::string& address, TimePoint now,
                               std::optional<int> wanted_rank = std::nullopt);
  Heartbeat heartbeat(const std::string& name, TimePoint now);

  // Servers heard from within the timeout, by rank.
  std::vector<Server> live(TimePoint now) const;
  // Servers that went stale since the last call (each reported once per silence), for a log line.
  std::vector<Server> newly_stale(TimePoint now);

  std::map<std::string, int> ranks() const;
  std::chrono::milliseconds heartbeat_timeout() const { return timeout_; }

 private:
  struct Entry {
    int rank = 0;
    std::string address;
    std::optional<TimePoint> last_seen;  // empty: rank restored but not registered since start
    bool reported_stale = false;
  };

  bool fresh(const Entry& entry, TimePoint now) const;
  bool rank_taken(int rank) const;

  std::chrono::milliseconds timeout_;
  std::map<std::string, Entry> entries_;
  int highest_rank_ = 0;
};

}  // namespace bib::reference
