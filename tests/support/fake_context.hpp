// A bib::Context for unit tests of a plugin, without a host process: config from a Value,
// loggers to stderr, real clocks, a manual event loop (timers fire when the test says so),
// publishes recorded, other plugins registered by name.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "bib/context.hpp"
#include "bib/discovery.hpp"
#include "bib/plugin.hpp"
#include "support/fake_replica.hpp"

namespace bib::test {

// Timers run only when the test calls fire_due(now) or fire_all(); sockets are recorded.
class ManualLoop final : public EventLoop {
 public:
  struct Timer {
    std::chrono::milliseconds after;
    std::function<void()> fn;
    bool repeat;
    std::chrono::milliseconds due;
  };
  void add_socket(zmq::socket_t& s, std::function<void()> fn) override { sockets[&s] = std::move(fn); }
  void remove_socket(zmq::socket_t& s) override { sockets.erase(&s); }
  TimerId add_timer(std::chrono::milliseconds after, std::function<void()> fn, bool repeat) override {
    timers[++next_id] = Timer{after, std::move(fn), repeat, now + after};
    return next_id;
  }
  void cancel_timer(TimerId id) override { timers.erase(id); }
  void post(std::function<void()> fn) override { posted.push_back(std::move(fn)); }
  void at_iteration_end(std::function<void()> fn) override { posted.push_back(std::move(fn)); }

  // Advance virtual time and run every timer due by then, in due order.
  void advance(std::chrono::milliseconds by) {
    const auto target = now + by;
    for (;;) {
      auto due = timers.end();
      for (auto it = timers.begin(); it != timers.end(); ++it)
        if (it->second.due <= target && (due == timers.end() || it->second.due < due->second.due)) due = it;
      if (due == timers.end()) break;
      now = due->second.due;
      const TimerId id = due->first;
      auto fn = due->second.fn;
      if (due->second.repeat) due->second.due = now + due->second.after;
      else timers.erase(due);
      fn();
      (void)id;
    }
    now = target;
  }
  void run_posted() {
    auto fns = std::move(posted);
    posted.clear();
    for (auto& fn : fns) fn();
  }

  std::chrono::milliseconds now{0};
  std::map<TimerId, Timer> timers;
  std::map<zmq::socket_t*, std::function<void()>> sockets;
  std::vector<std::function<void()>> posted;
  TimerId next_id = 0;
};

class FakeContext final : public Context {
 public:
  explicit FakeContext(Value config = Map{}, std::string node = "test-node")
      : node_(std::move(node)), config_(std::move(config)),
        log_(std::make_shared<spdlog::logger>("plugin", std::make_shared<spdlog::sinks::stderr_sink_mt>())),
        wire_(std::make_shared<spdlog::logger>("wire", std::make_shared<spdlog::sinks::stderr_sink_mt>())) {
    wire_->set_level(spdlog::level::warn);
  }

  const std::string& node_name() const override { return node_; }
  const Value& config() const override { return config_; }
  spdlog::logger& log() override { return *log_; }
  spdlog::logger& wire_log() override { return *wire_; }
  LamportClock& lamport() override { return lamport_; }
  PhysicalClock& clock() override { return clock_; }
  EventLoop& loop() override { return loop_; }
  zmq::context_t& zmq_context() override { return zmq_; }
  std::int64_t max_message_bytes() const override { return 1 << 20; }
  void publish(std::string_view topic, const Envelope& message) override {
    published.emplace_back(std::string(topic), message);
  }
  Plugin* find_plugin(std::string_view name) override {
    auto it = plugins.find(std::string(name));
    return it == plugins.end() ? nullptr : it->second;
  }
  DiscoveryPlugin* discovery() override { return discovery_plugin; }
  Replica* replica() override { return replica_view; }
  std::uint64_t requests_handled() const override { return requests; }
  Metrics& metrics() override { return registry; }

  ManualLoop loop_;
  // What replica() lends by default: a service's test adds each event it applies, so that
  // history pages can read their entries back.
  FakeReplica applied{"test-node"};
  Replica* replica_view = &applied;  // not owned
  std::uint64_t requests = 0;
  // What metrics() lends: a test reads it back with registry.render().
  Metrics registry;
  std::vector<std::pair<std::string, Envelope>> published;
  std::map<std::string, Plugin*> plugins;  // not owned
  DiscoveryPlugin* discovery_plugin = nullptr;

 private:
  std::string node_;
  Value config_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<spdlog::logger> wire_;
  LamportClock lamport_;
  PhysicalClock clock_;
  zmq::context_t zmq_;
};

}  // namespace bib::test
