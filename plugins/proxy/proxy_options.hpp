// The proxy plugin's options, checked (docs/reference.md):
//   [[plugins]]
//   name = "proxy"
//   frontend = "tcp://*:5557"     # XSUB, publishers connect
//   backend = "tcp://*:5558"      # XPUB, subscribers connect
//   stats_interval_ms = 10000     # 0 = counts only at stop
#pragma once

#include <chrono>
#include <string>

#include "bib/value.hpp"

namespace bib::proxy {

struct ProxyOptions {
  std::string frontend = "tcp://*:5557";
  std::string backend = "tcp://*:5558";
  std::chrono::milliseconds stats_interval{10000};
};

// Throws std::invalid_argument naming the option: unknown key, wrong type, value out of range.
ProxyOptions parse_proxy_options(const Value& config);

}  // namespace bib::proxy
