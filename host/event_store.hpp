// Which events this node has applied, by identity (origin, seq) (docs/architecture.md).
//
// The version vector is, per origin, the highest seq up to which every event was applied
// (events 1..n, no gaps). Events that arrive ahead of a gap (a peer's seq 7 before its 6)
// are remembered apart until the gap closes, so that (origin, seq) is never applied twice
// whatever the order. Anti-entropy exchanges version vectors and pulls what is missing.
//   {"n1": 12, "n2": 4}  = every event n1#1..12 and n2#1..4 is applied
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>

#include <string>

#include "bib/replica.hpp"
#include "bib/state_bytes.hpp"

namespace bib::host {

using VersionVector = bib::VersionVector;

class EventStore {
 public:
  bool applied(const std::string& origin, std::uint64_t seq) const;
  // Records (origin, seq) as applied. False when it already was (the caller must not apply).
  bool mark(const std::string& origin, std::uint64_t seq);
  // Per origin, the highest contiguous seq applied.
  VersionVector version_vector() const;
  // The highest seq applied for origin, gaps or not (0 when none).
  std::uint64_t highest(const std::string& origin) const;
  // How many events were applied in all.
  std::uint64_t count() const noexcept { return count_; }

  // For the host's checkpoint (checkpoint.hpp). load() replaces everything; it throws
  // std::runtime_error on bytes save() did not write.
  void save(bib::StateWriter& out) const;
  void load(bib::StateReader& in);

 private:
  struct Origin {
    std::uint64_t contiguous = 0;   // 1..contiguous are all applied
    std::set<std::uint64_t> ahead;  // applied seqs beyond a gap
  };
  std::map<std::string, Origin, std::less<>> origins_;
  std::uint64_t count_ = 0;
};

}  // namespace bib::host
