// A broker and its servers as real bib-host processes on one private loopback block:
// the broker at .1 (clients 5555, servers 5556), server-N at .(1+N). Fast liveness
// (heartbeat 200 ms, liveness 3) keeps eviction windows short. Every process is stopped by
// its Process destructor, whatever the test did.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "bib/codec.hpp"
#include "support/loopback.hpp"
#include "support/process.hpp"
#include "support/readiness.hpp"

namespace bib::test {

inline constexpr std::chrono::milliseconds kHeartbeat{200};
inline constexpr int kLiveness = 3;
inline constexpr std::chrono::milliseconds kHold{1000};
// Silence after which the broker evicts a server.
inline constexpr std::chrono::milliseconds kEviction = kHeartbeat * kLiveness;

// One request on a fresh REQ socket: the reply, or nullopt after timeout.
std::optional<Envelope> call(zmq::context_t& zmq, const std::string& endpoint,
                             const std::string& service, Value data = Map{},
                             std::chrono::milliseconds timeout = std::chrono::seconds(10));
// The same with raw bytes.
std::optional<std::string> call_raw(zmq::context_t& zmq, const std::string& endpoint,
                                    const std::string& body, std::chrono::milliseconds timeout);

// What the broker's own `broker` service says.
struct BrokerView {
  struct Worker {
    std::string name;
    bool live = false;
    std::int64_t inflight = 0;
  };
  std::vector<Worker> workers;
  std::int64_t pending = 0;
  std::int64_t requests = 0;
  std::int64_t replies = 0;
  std::int64_t resent = 0;

  int live_count() const;
  bool is_live(const std::string& name) const;
};

class BrokerCluster {
 public:
  explicit BrokerCluster(const std::string& name);

  // Starts the broker and waits until it serves.
  void start_broker();
  // Starts server-N (plugins ping and fixture-slow) and waits until it serves.
  void start_server(int n);

  Process& broker() { return *broker_; }
  Process& server(int n) { return *servers_.at(n); }
  void stop_broker() { broker_.reset(); }

  std::string frontend() const { return block_.endpoint(1, 5555); }
  std::string backend() const { return block_.endpoint(1, 5556); }
  const std::string& dir() const { return dir_; }
  zmq::context_t& zmq() { return zmq_; }

  std::optional<BrokerView> view();
  // Polls the broker service until `count` servers are live.
  bool wait_live(int count, std::chrono::milliseconds timeout);
  // Polls until server `name` is (or is not) live.
  bool wait_worker(const std::string& name, bool live, std::chrono::milliseconds timeout);
  // Every process's log, for failure messages.
  std::string logs();

 private:
  // Starts bib-host with config and waits until it answers `ready` at endpoint.
  std::unique_ptr<Process> start(const std::string& name, const std::string& config, const std::string& endpoint,
                                 const Readiness& ready);

  LoopbackBlock block_;
  std::string dir_;
  zmq::context_t zmq_;
  int runs_ = 0;
  std::unique_ptr<Process> broker_;
  std::map<int, std::unique_ptr<Process>> servers_;
};

}  // namespace bib::test
