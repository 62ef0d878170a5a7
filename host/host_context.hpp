// The bib::Context one plugin receives: the process's shared pieces (Runtime), plus what is
// its own: its name, its config table, its logger, and a view of the loop that tags its
// callbacks with its name.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "bib/context.hpp"
#include "bib/discovery.hpp"
#include "config.hpp"
#include "event_loop.hpp"
#include "runtime.hpp"

namespace bib::host {

// How a context finds the other plugins of the process (implemented by PluginSet).
class PluginDirectory {
 public:
  virtual ~PluginDirectory() = default;
  virtual bib::Plugin* find(std::string_view name) = 0;
  virtual bib::DiscoveryPlugin* discovery() = 0;
};

class HostContext final : public bib::Context {
 public:
  HostContext(Runtime& runtime, const PluginEntry& entry, PluginDirectory& plugins);
  // Drops the loop callbacks the plugin left behind. Destroyed after the plugin object and
  // before its library is unloaded (PluginSet::destroy), which is what makes that safe.
  ~HostContext() override;

  const std::string& node_name() const override { return runtime_.settings.name; }
  const bib::Value& config() const override { return config_; }
  spdlog::logger& log() override { return *log_; }
  spdlog::logger& wire_log() override { return runtime_.logging.wire(); }
  bib::LamportClock& lamport() override { return runtime_.lamport; }
  bib::PhysicalClock& clock() override { return runtime_.clock; }
  bib::EventLoop& loop() override { return loop_; }
  zmq::context_t& zmq_context() override { return runtime_.zmq; }
  std::int64_t max_message_bytes() const override { return runtime_.settings.max_message_bytes; }
  const bib::LinkSecurity& link_security() const override { return runtime_.security; }
  void publish(std::string_view topic, const bib::Envelope& message) override;
  bib::Plugin* find_plugin(std::string_view name) override { return plugins_.find(name); }
  bib::DiscoveryPlugin* discovery() override { return plugins_.discovery(); }
  bib::Replica* replica() override { return runtime_.replica; }
  std::uint64_t requests_handled() const override { return runtime_.requests_handled; }
  bib::Metrics& metrics() override { return runtime_.metrics; }

 private:
  Runtime& runtime_;
  bib::Value config_;
  std::shared_ptr<spdlog::logger> log_;
  PluginLoop loop_;
  PluginDirectory& plugins_;
};

}  // namespace bib::host
