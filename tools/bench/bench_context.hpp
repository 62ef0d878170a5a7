// The bib::Context a benchmark hands to a persistence plugin: its options, a node name and
// loggers, and a loop that only runs what is posted. A persistence plugin needs no sockets,
// timers or peers, so those throw.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "bib/context.hpp"

namespace bib::bench {

// Keeps what plugins post (persistence-json posts its snapshots) until run_posted().
class BenchLoop final : public EventLoop {
 public:
  void add_socket(zmq::socket_t&, std::function<void()>) override { unavailable(); }
  void remove_socket(zmq::socket_t&) override { unavailable(); }
  TimerId add_timer(std::chrono::milliseconds, std::function<void()>, bool) override { unavailable(); }
  void cancel_timer(TimerId) override { unavailable(); }
  void post(std::function<void()> fn) override { posted_.push_back(std::move(fn)); }
  void at_iteration_end(std::function<void()> fn) override { posted_.push_back(std::move(fn)); }

  // What a host loop iteration would do next.
  void run_posted() {
    std::vector<std::function<void()>> fns;
    fns.swap(posted_);
    for (auto& fn : fns) fn();
  }

 private:
  [[noreturn]] static void unavailable() { throw std::logic_error("the benchmark has no sockets or timers"); }
  std::vector<std::function<void()>> posted_;
};

class BenchContext final : public Context {
 public:
  BenchContext(Value config, spdlog::level::level_enum level)
      : config_(std::move(config)),
        log_(std::make_shared<spdlog::logger>("persistence", std::make_shared<spdlog::sinks::stderr_sink_mt>())),
        wire_(std::make_shared<spdlog::logger>("wire", std::make_shared<spdlog::sinks::stderr_sink_mt>())) {
    log_->set_level(level);
    wire_->set_level(spdlog::level::off);
  }

  const std::string& node_name() const override { return node_; }
  const Value& config() const override { return config_; }
  spdlog::logger& log() override { return *log_; }
  spdlog::logger& wire_log() override { return *wire_; }
  LamportClock& lamport() override { return lamport_; }
  PhysicalClock& clock() override { return clock_; }
  EventLoop& loop() override { return loop_; }
  BenchLoop& bench_loop() { return loop_; }
  zmq::context_t& zmq_context() override { throw std::logic_error("the benchmark has no ZeroMQ context"); }
  std::int64_t max_message_bytes() const override { return 1 << 20; }
  void publish(std::string_view, const Envelope&) override {}
  Plugin* find_plugin(std::string_view) override { return nullptr; }
  DiscoveryPlugin* discovery() override { return nullptr; }
  Replica* replica() override { return nullptr; }
  std::uint64_t requests_handled() const override { return 0; }
  Metrics& metrics() override { return metrics_; }

 private:
  std::string node_ = "bench";
  Value config_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<spdlog::logger> wire_;
  LamportClock lamport_;
  PhysicalClock clock_;
  BenchLoop loop_;
  Metrics metrics_;  // kept, never served
};

}  // namespace bib::bench
