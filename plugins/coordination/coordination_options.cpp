#include "coordination_options.hpp"

#include <cmath>
#include <cstdlib>
#include <optional>
#include <stdexcept>

#include <spdlog/fmt/fmt.h>

#include "bib/options.hpp"

namespace bib::coordination {

CoordinationOptions parse_coordination_options(const Value& config) {
  CoordinationOptions options;
  require_known_options(config, {"subscribe", "peer_port", "drift_s", "election_timeout_ms", "announce_ms",
                                 "sync_interval_ms", "outlier_s", "request_timeout_ms", "ask_every", "ask_check_ms"});
  read_options([&] {
    options.subscribe = config.opt_string("subscribe").value_or(options.subscribe);
    if (options.subscribe.empty()) throw std::invalid_argument("option 'subscribe' must name the proxy's XPUB endpoint");

    options.peer_port = port_option(config, "peer_port", options.peer_port);

    options.drift_s = opt_number(config, "drift_s").value_or(options.drift_s);  // "${BIB_DRIFT:-0}" too
    if (!std::isfinite(options.drift_s) || std::fabs(options.drift_s) > kMaxDriftSeconds) {
      throw std::invalid_argument(fmt::format("option 'drift_s' must be between -1 and 1 seconds, got {}", options.drift_s));
    }

    options.outlier_s = config.opt_double("outlier_s").value_or(options.outlier_s);
    if (!std::isfinite(options.outlier_s) || options.outlier_s <= 0) {
      throw std::invalid_argument(fmt::format("option 'outlier_s' must be a positive number of seconds, got {}", options.outlier_s));
    }

    options.ask_every = static_cast<int>(int_option(config, "ask_every", options.ask_every, 1, 1000000));

    options.election_timeout = positive_ms(config, "election_timeout_ms", options.election_timeout);
    options.announce = positive_ms(config, "announce_ms", options.announce);
    options.sync_interval = positive_ms(config, "sync_interval_ms", options.sync_interval);
    options.request_timeout = positive_ms(config, "request_timeout_ms", options.request_timeout);
    options.ask_check = positive_ms(config, "ask_check_ms", options.ask_check);
  });
  return options;
}

}  // namespace bib::coordination
