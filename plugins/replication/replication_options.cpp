#include "replication_options.hpp"

#include <stdexcept>

#include "bib/options.hpp"

namespace bib::replication {

const char* to_string(Mode mode) noexcept { return mode == Mode::async ? "async" : "quorum"; }

namespace {

std::chrono::milliseconds ms_in(const Value& config, const char* key, std::chrono::milliseconds fallback) {
  return std::chrono::milliseconds(int_option(config, key, fallback.count(), 1, 3600 * 1000));
}

}  // namespace

ReplicationOptions parse_replication_options(const Value& config) {
  ReplicationOptions options;
  require_known_options(config, {"listen", "peer_port", "batch", "retry_ms", "max_retry_ms", "outbox_limit",
                                 "anti_entropy_ms", "quorum_timeout_ms", "cluster_size"});
  read_options([&] {
    options.listen = config.opt_string("listen").value_or("");
    if (options.listen.empty())
      throw std::invalid_argument("option 'listen' is missing (this server's replication port, e.g. tcp://127.0.2.1:5562)");
    options.peer_port = port_option(config, "peer_port", options.peer_port);
    options.batch = static_cast<std::size_t>(int_option(config, "batch", 256, 1, 100000));
    options.retry = ms_in(config, "retry_ms", options.retry);
    options.max_retry = ms_in(config, "max_retry_ms", options.max_retry);
    options.outbox_limit = static_cast<std::size_t>(int_option(config, "outbox_limit", 100000, 1, 100000000));
    options.anti_entropy = ms_in(config, "anti_entropy_ms", options.anti_entropy);
    options.quorum_timeout = ms_in(config, "quorum_timeout_ms", options.quorum_timeout);
    // cluster_size = "${BIB_SERVERS:-0}" arrives as a string: int_option takes both.
    options.cluster_size = static_cast<std::size_t>(int_option(config, "cluster_size", 0, 0, 1000));
  });
  if (options.max_retry < options.retry) {
    throw std::invalid_argument("option 'max_retry_ms' (" + std::to_string(options.max_retry.count()) +
                                ") must not be below 'retry_ms' (" + std::to_string(options.retry.count()) + ")");
  }
  return options;
}

}  // namespace bib::replication
