// Replication plugins decide how a committed event reaches the peers (docs/architecture.md).
#pragma once

#include <functional>
#include <string>

#include "bib/export.hpp"
#include "bib/plugin.hpp"
#include "bib/replica.hpp"
#include "bib/service.hpp"

namespace bib {

class BIB_SDK_API ReplicationPlugin : public Plugin {
 public:
  // Called after the local durable append of a locally accepted event. Call done(true, "")
  // when the client may be answered, or done(false, reason) to answer `erro`. May call done
  // synchronously (async replication) or later from a loop callback (quorum).
  using Done = std::function<void(bool ok, const std::string& error)>;
  virtual void replicate(const Event& event, Done done) = 0;
  // A hint from the host: a client waits for these events (session guarantees, data.after),
  // pull them from peers now rather than at the next anti-entropy round. Default: nothing.
  virtual void want(const VersionVector& missing);
  // Called once by the host after start(): call fn (once, on the loop thread) when this node
  // has caught up with its peers (a first anti-entropy round with every known peer is done),
  // so that a server joining a running cluster takes requests only then. The host waits at
  // most host.catch_up_ms. Default: at once.
  virtual void when_caught_up(std::function<void()> fn);
  // Called once by the host after start(): call fn(false, why) (on the loop thread) when this
  // server cannot accept writes for now, and fn(true, "") when it can again. While it cannot,
  // the host takes no new requests from the broker (PAUSE, docs/broker.md): the broker sends
  // them to servers that can, and this one still answers what it holds and its direct port.
  // replication-quorum: no majority of the cluster in reach. Default: never (always can).
  using Availability = std::function<void(bool available, const std::string& why)>;
  virtual void on_availability(Availability fn);
};

}  // namespace bib
