// Service plugins handle named request services (login, channel, publish, ...).
//
// A request reaches handle() with its data already decoded and the Lamport clock observed.
// A read or a rejection answers a Reply at once. A write answers a Write: the host then
// commits it as an Event (docs/architecture.md: apply -> persist -> replicate -> reply), calling
// apply() to change the plugin's state and to build the reply. apply() is also called for
// events that come from peers and when events are replayed at start-up; it must be
// deterministic, and the host never applies the same (origin, seq) twice.
//
// A handler may throw (FieldError for a bad field, anything else for a bug): the host turns
// the exception into {"status": "erro", "description": what()} and keeps running.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bib/export.hpp"
#include "bib/plugin.hpp"
#include "bib/value.hpp"

namespace bib {

struct Request {
  std::string service;
  Value data;         // the request's data map
  std::string peer;   // where it came from, for logs ("broker", "direct", ...)
};

struct Reply {
  Value data;  // reply data; the host adds timestamp and clock
};

struct Write {
  Value data;  // the event's data: what apply() needs to change state everywhere
};

using Outcome = std::variant<Reply, Write>;

// A committed write (docs/architecture.md). (origin, seq) identifies it cluster-wide.
struct Event {
  std::string origin;       // node that accepted the write
  std::uint64_t seq = 0;    // per-origin counter, from 1, no gaps
  std::uint64_t clock = 0;  // Lamport clock at commit
  double timestamp = 0;     // origin's physical clock at commit
  std::string service;      // the request service that produced it
  Value data;               // Write::data
  std::string request_id;   // client or broker request id ("" when none), for deduplication
};

BIB_SDK_API Value to_value(const Event& event);
// Throws FieldError when a field is missing or mistyped.
BIB_SDK_API Event event_from_value(const Value& value);

enum class ApplyMode { local, replicated, replay };

class BIB_SDK_API ServicePlugin : public Plugin {
 public:
  // The request services this plugin answers; the host refuses two plugins claiming one.
  virtual std::vector<std::string> services() const = 0;
  virtual Outcome handle(const Request& request) = 0;
  // Change state for a committed event. For mode == local the returned Value is the reply
  // data (publish to topics here); otherwise it is ignored. Default: nothing to change.
  virtual Value apply(const Event& event, ApplyMode mode);

  // Restart in constant time (docs/persistence.md): the state apply() built, as bytes
  // (bib/state_bytes.hpp), which the host saves in its checkpoint, and puts back with
  // restore_state() in a new instance before any event is applied ("" means no state: back to
  // what configure() left). restore_state throws on bytes it did not write.
  // Default: no checkpoint (nothing returned). Once an event of such a plugin's services is
  // applied the host saves no checkpoint and start-up replays the whole history; plugins whose
  // apply() keeps nothing need not override these.
  virtual std::optional<std::string> save_state() const;
  virtual void restore_state(std::string_view bytes);
};

}  // namespace bib
