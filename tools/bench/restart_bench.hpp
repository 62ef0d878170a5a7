// bib-bench-persistence --restart: how long a server holding a stored history takes to be
// ready to serve, with and without a checkpoint (docs/persistence.md, "Checkpoints").
//
// On a data directory already filled with events (by the append phase), it starts bib-host
// three times, timing each from exec until the server answers `status`:
//   1. no checkpoint yet: the whole log is replayed (the server saves one at once after it);
//   2. after a SIGTERM stop (which also saves one): nothing to replay;
//   3. after `tail` more posts through the server and a SIGKILL: the checkpoint and the posts
//      stored after it.
// Each start must report the same events and digest as the history implies.
#pragma once

#include <cstdint>
#include <string>

namespace bib::bench {

struct RestartRun {
  std::string plugin;       // "json" or "sqlite"
  std::string data_dir;     // filled with `events` events
  std::string run_dir;      // the config and the servers' logs go here
  std::string host_binary;  // bib-host
  std::string plugin_dir;
  std::uint64_t events = 0;
  std::uint64_t tail = 2000;  // posts written before the SIGKILL
};

// Prints one table; false when a start failed or reported the wrong history.
bool bench_restart(const RestartRun& run);

}  // namespace bib::bench
