#include "discovery_options.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string_view>

namespace bib::discovery {

namespace {

constexpr std::array<std::string_view, 4> kKnown{"reference", "address", "heartbeat_ms", "request_timeout_ms"};

std::chrono::milliseconds positive_ms(const Value& config, const char* key, std::chrono::milliseconds fallback) {
  const auto value = config.opt_int(key).value_or(fallback.count());
  if (value <= 0) throw std::invalid_argument(std::string("option '") + key + "' must be positive");
  return std::chrono::milliseconds(value);
}

}  // namespace

ReferenceDiscoveryOptions parse_reference_discovery_options(const Value& config) {
  ReferenceDiscoveryOptions options;
  if (config.is_nil()) return options;
  for (const auto& [key, value] : config.as_map()) {
    if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end()) {
      throw std::invalid_argument("unknown option '" + key +
                                  "' (options: reference, address, heartbeat_ms, request_timeout_ms)");
    }
  }
  try {
    options.reference = config.opt_string("reference").value_or(options.reference);
    options.address = config.opt_string("address").value_or(options.address);
    options.heartbeat = positive_ms(config, "heartbeat_ms", options.heartbeat);
    options.request_timeout = positive_ms(config, "request_timeout_ms", options.request_timeout);
  } catch (const FieldError& e) {
    // "field 'x' must be an integer, got string" -> "option 'x' must be an integer, got string"
    std::string message = e.what();
    if (message.rfind("field ", 0) == 0) message.replace(0, 5, "option");
    throw std::invalid_argument(message);
  }
  return options;
}

}  // namespace bib::discovery
