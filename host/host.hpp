// One bib-host run, from a loaded Config to the exit code: the plugin phases, the sockets
// that feed the dispatcher, the loop, and the orderly shutdown on SIGINT/SIGTERM.
#pragma once

#include "config.hpp"

namespace bib::host {

// check_only: load, create and configure every plugin, print "config OK: ..." or the reason,
// and return without starting anything or binding any socket.
// Returns the process exit code: 0 after a clean run or check, 1 when something was refused.
int run_host(const Config& config, bool check_only);

}  // namespace bib::host
