// The discovery-reference plugin's options, checked (docs/reference.md):
//   [[plugins]]
//   name = "discovery-reference"
//   reference = "tcp://127.0.0.1:5560"
//   address = "127.0.0.1"          # this server's own address, advertised to its peers
//   heartbeat_ms = 1000
//   request_timeout_ms = 1000
#pragma once

#include <chrono>
#include <string>

#include "bib/value.hpp"

namespace bib::discovery {

struct ReferenceDiscoveryOptions {
  std::string reference = "tcp://127.0.0.1:5560";
  std::string address = "127.0.0.1";
  std::chrono::milliseconds heartbeat{1000};
  std::chrono::milliseconds request_timeout{1000};
};

// Throws std::invalid_argument naming the option: unknown key, wrong type, value out of range.
ReferenceDiscoveryOptions parse_reference_discovery_options(const Value& config);

}  // namespace bib::discovery
