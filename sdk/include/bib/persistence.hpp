// Persistence plugins keep the durable event log (docs/architecture.md, docs/persistence.md).
// The host appends every committed event, calls flush() before replies go out (per the fsync
// policy), and replays everything at start-up before it serves.
//
// The store is also where history is read back from: a server keeps in memory only an index of
// its posts and messages (their positions), and reads the events themselves on demand — a
// channel's page, an inbox, the events a peer lacks — through read() and read_after().
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "bib/export.hpp"
#include "bib/plugin.hpp"
#include "bib/service.hpp"

namespace bib {

class BIB_SDK_API PersistencePlugin : public Plugin {
 public:
  // Called once after configure(), before start(): hand every stored event to fn, in the
  // order they were appended. Throw to stop start-up (a corrupt store must not be served).
  virtual void replay(const std::function<void(const Event&)>& fn) = 0;
  // Record one event. It need not be durable until flush() returns.
  virtual void append(const Event& event) = 0;
  // Make every appended event durable as the plugin's fsync policy says.
  virtual void flush() = 0;

  // Reads, after replay(). They see every event appended so far, flushed or not; they throw
  // when the store cannot be read (the caller answers `erro`, the process goes on).
  // The event (origin, seq), or nothing when it is not stored.
  virtual std::optional<Event> read(std::string_view origin, std::uint64_t seq) = 0;
  // Up to limit stored events of origin with seq > after, in seq order (what a peer lacks).
  virtual std::vector<Event> read_after(std::string_view origin, std::uint64_t after, std::size_t limit) = 0;
};

}  // namespace bib
