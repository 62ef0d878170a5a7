#include "proxy_options.hpp"

#include <stdexcept>

#include "bib/options.hpp"

namespace bib::proxy {

ProxyOptions parse_proxy_options(const Value& config) {
  ProxyOptions options;
  require_known_options(config, {"frontend", "backend", "stats_interval_ms"});
  read_options([&] {
    options.frontend = config.opt_string("frontend").value_or(options.frontend);
    options.backend = config.opt_string("backend").value_or(options.backend);
    const auto interval = config.opt_int("stats_interval_ms").value_or(options.stats_interval.count());
    if (interval < 0) throw std::invalid_argument("option 'stats_interval_ms' must be 0 (off) or positive");
    options.stats_interval = std::chrono::milliseconds(interval);
  });
  if (options.frontend == options.backend) {
    throw std::invalid_argument("options 'frontend' and 'backend' are the same endpoint: " + options.frontend);
  }
  return options;
}

}  // namespace bib::proxy
