// The reserved `status` service every bib-host answers on its direct port (5561 on a server):
// what an operator needs to see that replicas agree (docs/protocol.md).
//
//   {"node": "server-1", "rank": 1, "coordinator": "server-3", "lamport": 812,
//    "time": 1764323400.12, "clock_offset": -0.0004, "users": 4, "channels": 3, "posts": 120,
//    "messages": 9, "events": 136, "version_vector": {"server-1": 50, "server-2": 43, ...},
//    "digest": "5c1f0e9a3b7d2c44", "plugins": ["ping", "login", ...]}
//
// Counts and the coordinator come from the plugins' describe(); rank from discovery; the
// rest from the host. Equal digest (and events) on two servers = the same replicated state.
#pragma once

#include "bib/value.hpp"
#include "commit.hpp"
#include "plugin_set.hpp"
#include "runtime.hpp"

namespace bib::host {

bib::Value build_status(Runtime& runtime, PluginSet& plugins, const Committer& committer);

}  // namespace bib::host
