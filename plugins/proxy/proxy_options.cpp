#include "proxy_options.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string_view>

namespace bib::proxy {

namespace {
constexpr std::array<std::string_view, 3> kKnown{"frontend", "backend", "stats_interval_ms"};
}

ProxyOptions parse_proxy_options(const Value& config) {
  ProxyOptions options;
  if (config.is_nil()) return options;
  for (const auto& [key, value] : config.as_map()) {
    if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end()) {
      throw std::invalid_argument("unknown option '" + key + "' (options: frontend, backend, stats_interval_ms)");
    }
  }
  try {
    options.frontend = config.opt_string("frontend").value_or(options.frontend);
    options.backend = config.opt_string("backend").value_or(options.backend);
    const auto interval = config.opt_int("stats_interval_ms").value_or(options.stats_interval.count());
    if (interval < 0) throw std::invalid_argument("option 'stats_interval_ms' must be 0 (off) or positive");
    options.stats_interval = std::chrono::milliseconds(interval);
  } catch (const FieldError& e) {
    // "field 'x' must be an integer, got string" -> "option 'x' must be an integer, got string"
    std::string message = e.what();
    if (message.rfind("field ", 0) == 0) message.replace(0, 5, "option");
    throw std::invalid_argument(message);
  }
  if (options.frontend == options.backend) {
    throw std::invalid_argument("options 'frontend' and 'backend' are the same endpoint: " + options.frontend);
  }
  return options;
}

}  // namespace bib::proxy
