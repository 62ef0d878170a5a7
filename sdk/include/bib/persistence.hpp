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
#include <string>
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

  // Restart in constant time (docs/persistence.md, "Checkpoints"). The defaults keep none, and
  // start-up then replays everything.
  // After a flush, when every applied event is stored: keep host_state (the host's checkpoint:
  // version vector, digest, the services' state) together with whatever the plugin needs to
  // open without reading its whole log, replacing the previous checkpoint atomically. False
  // when the plugin keeps no checkpoints. Throws when it cannot write one (the old one stays);
  // a plugin may also finish writing in the background and log a failure (persistence-json
  // does: a large checkpoint takes seconds to reach the disk), so the latest one after a
  // crash may be the one before.
  virtual bool save_checkpoint(std::string_view host_state);
  // Called at most once, after configure() and before replay(): the host state of the latest
  // checkpoint, when the stored events are still those it was taken after (a checkpoint
  // that does not match them, torn or stale, gives nothing: a whole replay is always safe).
  virtual std::optional<std::string> load_checkpoint();
  // Instead of replay(), when the host could use what load_checkpoint() gave: hand fn only
  // the events stored after that checkpoint, in the order they were appended.
  virtual void replay_since_checkpoint(const std::function<void(const Event&)>& fn);
};

}  // namespace bib
