#include "event_ingest.hpp"

#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

namespace bib::replication {

namespace {

// A received event, or a sentence saying why it is unreadable.
struct Parsed {
  std::optional<Event> event;
  std::string problem;
};

Parsed parse_event(const Value& value) {
  try {
    return Parsed{event_from_value(value), ""};
  } catch (const FieldError& e) {
    return Parsed{std::nullopt, e.what()};
  }
}

// Runs each() per event and all() once the last one is in; holds one extra count while the
// batch is being handed over, so that all() never runs early.
struct Countdown {
  std::size_t waiting = 1;
  EventIngest::OnDurable each;
  std::function<void()> all;
  void release() {
    if (--waiting == 0) all();
  }
};

}  // namespace

void EventIngest::batch(const std::vector<Value>& events, const std::string& source, const OnReadable& on_readable,
                        OnDurable on_durable, std::function<void()> all_durable) {
  auto countdown = std::make_shared<Countdown>(Countdown{1, std::move(on_durable), std::move(all_durable)});
  for (const Value& value : events) {
    Parsed parsed = parse_event(value);
    if (!parsed.event) {
      refusals_.refuse("unreadable replicated event", "in " + source + ": " + parsed.problem);
      continue;
    }
    const EventId id = id_of(*parsed.event);
    on_readable(id);
    ++countdown->waiting;
    one(*parsed.event, lifeline_.guard([countdown, id](bool ok, const std::string& error) {
      countdown->each(id, ok, error);
      countdown->release();
    }));
  }
  countdown->release();
}

// The Replica reports failures through done; a third-party one that throws is treated alike.
void EventIngest::one(const Event& event, Replica::Done done) {
  if (replica_ == nullptr) throw std::logic_error("replication: events received before start()");
  try {
    replica_->ingest(event, done);
  } catch (const std::exception& e) {
    done(false, e.what());
  }
}

}  // namespace bib::replication
