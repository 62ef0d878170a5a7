// The reference plugin's options, checked (docs/reference.md):
//   [[plugins]]
//   name = "reference"
//   endpoint = "tcp://*:5560"
//   heartbeat_timeout_ms = 3000
//   state_file = "data/reference/ranks.txt"   # optional
#pragma once

#include <chrono>
#include <string>

#include "bib/value.hpp"

namespace bib::reference {

struct ReferenceOptions {
  std::string endpoint = "tcp://*:5560";
  std::chrono::milliseconds heartbeat_timeout{3000};
  std::string state_file;  // "" = none
};

// Throws std::invalid_argument naming the option: unknown key, wrong type, value out of range.
ReferenceOptions parse_reference_options(const Value& config);

}  // namespace bib::reference
