// The broker plugin's options, from its [[plugins]] table (configs/broker.toml):
//   frontend = "tcp://*:5555"   ROUTER for clients (REQ or DEALER)
//   backend = "tcp://*:5556"    ROUTER for servers (DEALER, worker protocol)
//   heartbeat_ms = 1000, liveness = 3, hold_ms = 3000, request_timeout_ms = 20000,
//   max_inflight = 100, max_pending = 10000
#pragma once

#include <string>

#include "bib/value.hpp"
#include "dispatch_state.hpp"

namespace bib::broker {

struct BrokerOptions {
  std::string frontend = "tcp://*:5555";
  std::string backend = "tcp://*:5556";
  DispatchSettings dispatch;
};

// Throws std::invalid_argument naming the option on an unknown key, a mistyped or
// out-of-range value.
BrokerOptions parse_options(const Value& config);

}  // namespace bib::broker
