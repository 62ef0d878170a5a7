#include "reference_options.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string_view>

namespace bib::reference {

namespace {
constexpr std::array<std::string_view, 3> kKnown{"endpoint", "heartbeat_timeout_ms", "state_file"};
}

ReferenceOptions parse_reference_options(const Value& config) {
  ReferenceOptions options;
  if (config.is_nil()) return options;
  for (const auto& [key, value] : config.as_map()) {
    if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end()) {
      throw std::invalid_argument("unknown option '" + key + "' (options: endpoint, heartbeat_timeout_ms, state_file)");
    }
  }
  try {
    options.endpoint = config.opt_string("endpoint").value_or(options.endpoint);
    const auto timeout = config.opt_int("heartbeat_timeout_ms").value_or(options.heartbeat_timeout.count());
    if (timeout <= 0) throw std::invalid_argument("option 'heartbeat_timeout_ms' must be positive");
    options.heartbeat_timeout = std::chrono::milliseconds(timeout);
    options.state_file = config.opt_string("state_file").value_or("");
  } catch (const FieldError& e) {
    // "field 'x' must be an integer, got string" -> "option 'x' must be an integer, got string"
    std::string message = e.what();
    if (message.rfind("field ", 0) == 0) message.replace(0, 5, "option");
    throw std::invalid_argument(message);
  }
  return options;
}

}  // namespace bib::reference
