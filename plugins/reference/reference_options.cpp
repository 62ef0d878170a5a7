#include "reference_options.hpp"

#include "bib/options.hpp"

namespace bib::reference {

ReferenceOptions parse_reference_options(const Value& config) {
  ReferenceOptions options;
  require_known_options(config, {"endpoint", "heartbeat_timeout_ms", "state_file"});
  read_options([&] {
    options.endpoint = config.opt_string("endpoint").value_or(options.endpoint);
    options.heartbeat_timeout = positive_ms(config, "heartbeat_timeout_ms", options.heartbeat_timeout);
    options.state_file = config.opt_string("state_file").value_or("");
  });
  return options;
}

}  // namespace bib::reference
