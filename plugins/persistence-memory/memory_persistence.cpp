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
  if (index_.insert(event.origin, event.seq, events_.size())) events_.push_back(event);
}

std::optional<Event> MemoryPersistence::read(std::string_view origin, std::uint64_t seq) {
  auto where = index_.find(origin, seq);
  if (!where) return std::nullopt;
  return events_[*where];
}

std::vector<Event> MemoryPersistence::read_after(std::string_view origin, std::uint64_t after, std::size_t limit) {
  std::vector<Event> out;
  for (std::size_t where : index_.after(origin, after, limit)) out.push_back(events_[where]);
  return out;
}

}  // namespace bib::persistence
