// How bib-bench drives its clients: N threads, each with its own connection, bounded by a
// request count and/or a duration, in a closed loop (each client sends its next request when
// the last one is answered) or an open loop (requests scheduled at a fixed total rate, latency
// counted from when a request was due, so a slow system is not excused by waiting less).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace bib::bench {

struct LoadSettings {
  int clients = 4;
  std::size_t requests = 0;  // in all; 0: bounded by duration only
  double duration_s = 0;     // 0: bounded by requests only
  double rate = 0;           // requests per second in all (open loop); 0: closed loop
  bool progress = true;      // a progress bar on stderr when it is a terminal
};

struct Timed {
  std::vector<double> latencies_ms;
  std::size_t errors = 0;
  std::string first_error;
};

struct LoadResult {
  std::map<std::string, Timed> by_operation;
  double seconds = 0;
};

// One request of a client: sends it, names its operation, and says whether the reply was the
// expected one (else why, in error).
using Step = std::function<bool(std::string& operation, std::string& error)>;

// make(i) sets client i up (its login, its channel) and returns its step; it runs on the
// client's own thread before the clock starts. Throws std::runtime_error when a setup fails.
LoadResult run_load(const LoadSettings& settings, const std::function<Step(int client)>& make);

}  // namespace bib::bench
