// Replication lag as bib-bench measures it (docs/benchmarks.md): for sampled writes, the time
// from the client's acknowledgement until every server shows the write. A write's reply
// carries `seen`, the answering server's version vector just after it committed; a server
// shows the write once its own version vector covers that. (This can only overstate the lag:
// `seen` may also hold other writes the answering server had applied.) A thread polls every
// server's `status` on its direct endpoint, one round after another with a short pause.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_stats.hpp"
#include "bib/replica.hpp"

namespace bib::bench {

class LagProbe {
 public:
  LagProbe(std::vector<std::string> servers, std::chrono::milliseconds pause);
  ~LagProbe();
  LagProbe(const LagProbe&) = delete;
  LagProbe& operator=(const LagProbe&) = delete;

  // A write acknowledged just now, whose reply said `seen`. Any thread.
  void sample(bib::VersionVector seen);
  // Waits until every sample is shown everywhere, or timeout_s; the lags in ms (samples not
  // shown by then count as errors), then stops polling.
  Summary finish(double timeout_s);

 private:
  using Clock = std::chrono::steady_clock;
  struct Pending {
    Clock::time_point acknowledged;
    bib::VersionVector seen;
  };
  void poll();

  std::vector<std::string> servers_;
  std::chrono::milliseconds pause_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Pending> pending_;
  std::vector<double> lags_ms_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace bib::bench
