// What a server's host lends to replication plugins and status tooling: the node's set of
// applied events (docs/architecture.md). Replication plugins read it to push and to answer
// anti-entropy pulls, and hand it the peers' events.
//
//   version vector  per origin, the highest seq n such that origin#1..n are all applied:
//                   {"server-1": 12, "server-2": 4}
//   digest          an order-independent hash of every applied event: the sum (mod 2^64) of a
//                   hash of its identity (origin, seq) and of its clock and service; its data
//                   is not hashed, as (origin, seq) already names exactly one write
//                   (host/event_log.hpp). Two replicas with equal digests (and counts) hold
//                   the same events, hence (plugins being deterministic) the same state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bib/export.hpp"
#include "bib/service.hpp"
#include "bib/value.hpp"

namespace bib {

using VersionVector = std::map<std::string, std::uint64_t, std::less<>>;

// {"server-1": 12, ...} <-> VersionVector. from_value throws FieldError on a wrong shape.
BIB_SDK_API Value to_value(const VersionVector& vv);
BIB_SDK_API VersionVector version_vector_from_value(const Value& value, std::string_view field = "vv");
// The entries of `want` that `have` lacks: origin o with want[o] > have[o] (0 when absent).
BIB_SDK_API VersionVector missing_from(const VersionVector& have, const VersionVector& want);
// True when `have` covers `want`: have[o] >= want[o] for every origin o of want.
BIB_SDK_API bool covers(const VersionVector& have, const VersionVector& want);

class BIB_SDK_API Replica {
 public:
  // ok: the event is applied and durable here (or was already); otherwise error says why.
  using Done = std::function<void(bool ok, const std::string& error)>;

  virtual ~Replica();

  virtual const std::string& node_name() const = 0;
  virtual VersionVector version_vector() const = 0;
  // The highest seq of origin this node has applied, gaps or not (0 when none).
  virtual std::uint64_t highest(std::string_view origin) const = 0;
  // Up to `limit` applied events of `origin` with seq > after, in seq order (may skip gaps).
  virtual std::vector<Event> events_after(std::string_view origin, std::uint64_t after, std::size_t limit) const = 0;
  // The applied event (origin, seq), from a cache of recent events or else the node's store;
  // nothing when it is not applied here. Throws when the store cannot be read. Service plugins
  // keep positions in memory and read their entries' bodies back through this.
  virtual std::optional<Event> event(std::string_view origin, std::uint64_t seq) const = 0;
  // A peer's event: applied once (by (origin, seq)) and persisted; done runs on the loop thread
  // once it is durable (after this iteration's flush), or at once with ok=false when it cannot
  // be applied (no plugin answers its service). Never replicated again, never answered.
  virtual void ingest(const Event& event, Done done) = 0;
  // Called on the loop thread after each event is applied (local, peer or pulled).
  virtual void on_applied(std::function<void(const Event&)> fn) = 0;
  // How many events are applied, and their digest (16 hex digits).
  virtual std::uint64_t event_count() const = 0;
  virtual std::string digest() const = 0;
};

}  // namespace bib
