#include "discovery_options.hpp"

#include "bib/options.hpp"

namespace bib::discovery {

ReferenceDiscoveryOptions parse_reference_discovery_options(const Value& config) {
  ReferenceDiscoveryOptions options;
  require_known_options(config, {"reference", "address", "heartbeat_ms", "request_timeout_ms"});
  read_options([&] {
    options.reference = config.opt_string("reference").value_or(options.reference);
    options.address = config.opt_string("address").value_or(options.address);
    options.heartbeat = positive_ms(config, "heartbeat_ms", options.heartbeat);
    options.request_timeout = positive_ms(config, "request_timeout_ms", options.request_timeout);
  });
  return options;
}

}  // namespace bib::discovery
