// persistence-memory (docs/architecture.md): the event log in a vector, nothing on disk. A fresh
// process replays nothing. For tests and benchmarks, where durability is not the point.
//
//   [[plugins]]
//   name = "persistence-memory"
//   # dir and fsync are accepted (fsync is checked) and ignored, so that swapping the
//   # persistence plugin in a config needs no other change.
#pragma once

#include <vector>

#include "bib/context.hpp"
#include "bib/persistence.hpp"
#include "event_index.hpp"

namespace bib::persistence {

class MemoryPersistence final : public PersistencePlugin {
 public:
  void configure(Context& ctx) override;
  // Hands over what this object holds: nothing, in a new process.
  void replay(const std::function<void(const Event&)>& fn) override;
  // Keeps the event; an (origin, seq) already held is ignored.
  void append(const Event& event) override;
  void flush() override {}
  std::optional<Event> read(std::string_view origin, std::uint64_t seq) override;
  std::vector<Event> read_after(std::string_view origin, std::uint64_t after, std::size_t limit) override;

  const std::vector<Event>& events() const noexcept { return events_; }

 private:
  std::vector<Event> events_;
  EventIndex index_;  // into events_
};

}  // namespace bib::persistence
