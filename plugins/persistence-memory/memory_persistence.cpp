#include "memory_persistence.hpp"

#include "bib/options.hpp"
#include "persistence_options.hpp"

namespace bib::persistence {

void MemoryPersistence::configure(Context& ctx) {
  // The options of the other persistence plugins are accepted (and, but for fsync, ignored) so
  // that a config switches to memory by its name alone; anything else is a typo.
  require_known_options(ctx.config(), {"dir", "fsync", "snapshot_every"});
  fsync_option(ctx.config());  // a wrong value is wrong for every persistence plugin
  ctx.log().info("events are kept in memory only: a restart starts empty");
}

void MemoryPersistence::replay(const std::function<void(const Event&)>& fn) {
  for (const Event& event : events_) fn(event);
}

void MemoryPersistence::append(const Event& event) {
  if (keys_.insert(event.origin, event.seq)) events_.push_back(event);
}

}  // namespace bib::persistence
