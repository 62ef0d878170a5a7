#include "broker_options.hpp"

#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "bib/options.hpp"

namespace bib::broker {
namespace {

std::int64_t integer(const Value& config, std::string_view key, std::int64_t fallback,
                     std::int64_t minimum) {
  const auto value = config.opt_int(key);  // FieldError names the key on a wrong type: read_options words it
  if (!value) return fallback;
  if (*value < minimum) {
    throw std::invalid_argument("option '" + std::string(key) + "' must be at least " +
                                std::to_string(minimum) + ", got " + std::to_string(*value));
  }
  return *value;
}

}  // namespace

BrokerOptions parse_options(const Value& config) {
  BrokerOptions options;
  require_known_options(config, {"frontend", "backend", "heartbeat_ms", "liveness", "hold_ms",
                                 "request_timeout_ms", "max_inflight", "max_pending"});
  read_options([&] {
    if (auto v = config.opt_string("frontend")) options.frontend = *v;
    if (auto v = config.opt_string("backend")) options.backend = *v;
    auto& d = options.dispatch;
    d.heartbeat = Millis(integer(config, "heartbeat_ms", d.heartbeat.count(), 10));
    d.liveness = static_cast<int>(integer(config, "liveness", d.liveness, 1));
    d.hold = Millis(integer(config, "hold_ms", d.hold.count(), 0));
    d.request_timeout = Millis(integer(config, "request_timeout_ms", d.request_timeout.count(), 0));
    d.max_inflight = static_cast<std::size_t>(
        integer(config, "max_inflight", static_cast<std::int64_t>(d.max_inflight), 0));
    d.max_pending = static_cast<std::size_t>(
        integer(config, "max_pending", static_cast<std::int64_t>(d.max_pending), 0));
  });
  if (options.frontend.empty() || options.backend.empty()) {
    throw std::invalid_argument("options 'frontend' and 'backend' must not be empty");
  }
  return options;
}

}  // namespace bib::broker
