// The limits bib-bench measures in the same run, to print every figure also as a ratio to them
// (docs/benchmarks.md): what ZeroMQ itself allows, and what one durable write on the data
// disk costs.
//   raw echo   the same number of clients (REQ) sending the same payload through a
//              ROUTER/DEALER proxy to 3 echo workers (REP), all in this process on loopback
//   fdatasync  a small append and fdatasync of a file in the data directory, one at a time
#pragma once

#include <string>

#include "bench_stats.hpp"
#include "load.hpp"

namespace bib::bench {

// Closed loop, `settings` as the real run's (clients, count and/or duration; no rate).
Summary raw_echo(const LoadSettings& settings, const std::string& payload);
// `samples` appends of 100 bytes, each followed by fdatasync, in a scratch file in dir
// (removed after). Throws std::system_error naming the file when it cannot write.
Summary fdatasync_floor(const std::string& dir, int samples);

}  // namespace bib::bench
