// What the host lends to a plugin (docs/architecture.md). One Context per plugin, owned by the
// host, valid from configure() until after stop(). Every member is for the loop thread
// unless it says otherwise.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <zmq.hpp>

#include "bib/clock.hpp"
#include "bib/codec.hpp"
#include "bib/event_loop.hpp"
#include "bib/export.hpp"
#include "bib/link_security.hpp"
#include "bib/logger.hpp"
#include "bib/metrics.hpp"
#include "bib/value.hpp"

namespace bib {

class Plugin;
class DiscoveryPlugin;
class Replica;

class BIB_SDK_API Context {
 public:
  virtual ~Context();

  // This process's node name (config host.name), e.g. "server-1" or "broker".
  virtual const std::string& node_name() const = 0;
  // This plugin's own table from its [[plugins]] entry (a map; "name" and "path" removed).
  virtual const Value& config() const = 0;
  // A logger named after the plugin; level set by the host.
  virtual spdlog::logger& log() = 0;
  // The logger for message lines ("wire"): one line per message sent or received. It has its
  // own level so that benchmarks can turn it off.
  virtual spdlog::logger& wire_log() = 0;

  virtual LamportClock& lamport() = 0;
  virtual PhysicalClock& clock() = 0;
  virtual EventLoop& loop() = 0;
  // The process's one ZeroMQ context, for the plugin's own sockets.
  virtual zmq::context_t& zmq_context() = 0;
  // Largest frame a socket accepts (ZMQ_MAXMSGSIZE), from host.max_message_bytes; plugins set it
  // on every socket that faces the network.
  virtual std::int64_t max_message_bytes() const = 0;
  // How this node's sockets authenticate their links (host.security, bib/link_security.hpp):
  // call it on every socket that binds or connects a cluster or client port. Default: plain.
  virtual const LinkSecurity& link_security() const;

  // Publish an envelope on a pub/sub topic through the host's PUB socket (connected to the
  // proxy when host.proxy is set; otherwise dropped with a debug line). Stamps nothing.
  virtual void publish(std::string_view topic, const Envelope& message) = 0;

  // Another plugin of this process by its config name, or nullptr. Valid from configure().
  virtual Plugin* find_plugin(std::string_view name) = 0;
  // The process's discovery plugin, or nullptr when none is loaded.
  virtual DiscoveryPlugin* discovery() = 0;

  // The node's applied events (bib/replica.hpp), for replication plugins and status. Valid
  // from start() on; nullptr during configure().
  virtual Replica* replica() = 0;
  // How many requests this process's dispatcher has handled so far (servers ask the
  // coordinator for the time every 10 of them, docs/architecture.md).
  virtual std::uint64_t requests_handled() const = 0;

  // The process's metrics, served as Prometheus text on host.metrics (bib/metrics.hpp). One
  // registry for the process: prefix a plugin's names with what it is (bib_broker_...).
  virtual Metrics& metrics() = 0;
};

}  // namespace bib
