// What one bib-host process has exactly one of, shared by every plugin's context: settings,
// loggers, the ZeroMQ context, the event loop, the Lamport and physical clocks, the PUB socket,
// the metrics.
#pragma once

#include <zmq.hpp>

#include "bib/clock.hpp"
#include "bib/link_security.hpp"
#include "bib/metrics.hpp"
#include "bib/replica.hpp"
#include "config.hpp"
#include "event_loop.hpp"
#include "logging.hpp"
#include "publisher.hpp"

namespace bib::host {

struct Runtime {
  Runtime(HostSettings host_settings, Logging& host_logging)
      : settings(std::move(host_settings)),
        logging(host_logging),
        loop(logging.host()),
        publisher(zmq, security, settings.proxy, logging.host(), logging.wire()) {}

  HostSettings settings;
  Logging& logging;
  // How sockets authenticate (host.security); set by run_host before any plugin is configured.
  bib::LinkSecurity security;
  // Declared early: whatever registers a computed series (plugins, the host's own) is gone
  // before it is.
  bib::Metrics metrics;
  // Declared before everything that owns sockets, so that it is terminated last.
  zmq::context_t zmq;
  EventLoop loop;
  bib::LamportClock lamport;
  bib::PhysicalClock clock;
  Publisher publisher;
  // Set by serve() once the commit pipeline exists (plugins see it from start() on).
  bib::Replica* replica = nullptr;
  // Counted by the dispatcher, read by plugins through Context::requests_handled().
  std::uint64_t requests_handled = 0;
};

}  // namespace bib::host
