#include "broker_options.hpp"

#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "bib/options.hpp"

namespace bib::broker {
BrokerOptions parse_options(const Value& config) {
  BrokerOptions options;
  require_known_options(config, {"frontend", "backend", "heartbeat_ms", "liveness", "hold_ms",
                                 "request_timeout_ms", "max_inflight", "max_pending"});
  read_options([&] {
    if (auto v = config.opt_string("frontend")) options.frontend = *v;
    if (auto v = config.opt_string("backend")) options.backend = *v;
    auto& d = options.dispatch;
    d.heartbeat = Millis(int_option(config, "heartbeat_ms", d.heartbeat.count(), 10));
    d.liveness = static_cast<int>(int_option(config, "liveness", d.liveness, 1));
    d.hold = Millis(int_option(config, "hold_ms", d.hold.count(), 0));
    d.request_timeout = Millis(int_option(config, "request_timeout_ms", d.request_timeout.count(), 0));
    d.max_inflight = static_cast<std::size_t>(
        int_option(config, "max_inflight", static_cast<std::int64_t>(d.max_inflight), 0));
    d.max_pending = static_cast<std::size_t>(
        int_option(config, "max_pending", static_cast<std::int64_t>(d.max_pending), 0));
  });
  if (options.frontend.empty() || options.backend.empty()) {
    throw std::invalid_argument("options 'frontend' and 'backend' must not be empty");
  }
  return options;
}

}  // namespace bib::broker
