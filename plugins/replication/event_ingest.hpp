// Received events into the host's Replica: the one path that a peer's pushed batch and a
// pulled anti-entropy page both take (docs/replication.md, "ingest").
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "bib/context.hpp"
#include "bib/lifeline.hpp"
#include "bib/refusal_log.hpp"
#include "bib/replica.hpp"
#include "replication_messages.hpp"

namespace bib::replication {

class EventIngest {
 public:
  using OnReadable = std::function<void(const EventId&)>;
  using OnDurable = std::function<void(const EventId&, bool ok, const std::string& error)>;

  // Unreadable events are reported on `refusals` (once per interval, not once per event).
  explicit EventIngest(RefusalLog& refusals) : refusals_(refusals) {}

  void start(Replica& replica) { replica_ = &replica; }
  // Completions still to come are dropped: nothing runs after stop().
  void stop() { lifeline_.renew(); }

  // Every readable event is ingested (unreadable ones are logged, naming `source`, and
  // skipped): on_readable(id) at once, on_durable(id, ok, error) once it is durable here or
  // refused, then all_durable() once every one has, also when there were none.
  void batch(const std::vector<Value>& events, const std::string& source, const OnReadable& on_readable,
             OnDurable on_durable, std::function<void()> all_durable);

 private:
  void one(const Event& event, Replica::Done done);

  RefusalLog& refusals_;
  Replica* replica_ = nullptr;
  Lifeline lifeline_;
};

}  // namespace bib::replication
