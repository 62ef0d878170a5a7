#include "replication_options.hpp"

#include <stdexcept>

#include "bib/options.hpp"

namespace bib::replication {

const char* to_string(Mode mode) noexcept { return mode == Mode::async ? "async" : "quorum"; }

namespace {

std::int64_t int_in(const Value& config, const char* key, std::int64_t fallback, std::int64_t min, std::int64_t max) {
  const std::int64_t value = config.opt_int(key).value_or(fallback);
  if (value < min || value > max) {
    throw std::invalid_argument(std::string("option '") + key + "' must be between " + std::to_string(min) + " and " +
                                std::to_string(max) + ", got " + std::to_string(value));
  }
  return value;
}

std::chrono::milliseconds ms_in(const Value& config, const char* key, std::chrono::milliseconds fallback) {
  return std::chrono::milliseconds(int_in(config, key, fallback.count(), 1, 3600 * 1000));
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
    options.peer_port = static_cast<int>(int_in(config, "peer_port", options.peer_port, 1, 65535));
    options.batch = static_cast<std::size_t>(int_in(config, "batch", 256, 1, 100000));
    options.retry = ms_in(config, "retry_ms", options.retry);
    options.max_retry = ms_in(config, "max_retry_ms", options.max_retry);
    options.outbox_limit = static_cast<std::size_t>(int_in(config, "outbox_limit", 100000, 1, 100000000));
    options.anti_entropy = ms_in(config, "anti_entropy_ms", options.anti_entropy);
    options.quorum_timeout = ms_in(config, "quorum_timeout_ms", options.quorum_timeout);
    // cluster_size = "${BIB_SERVERS:-0}" arrives as a string: opt_whole_number takes both.
    const std::int64_t servers = opt_whole_number(config, "cluster_size").value_or(0);
    if (servers < 0 || servers > 1000)
      throw std::invalid_argument("option 'cluster_size' must be between 0 and 1000, got " + std::to_string(servers));
    options.cluster_size = static_cast<std::size_t>(servers);
  });
  if (options.max_retry < options.retry) {
    throw std::invalid_argument("option 'max_retry_ms' (" + std::to_string(options.max_retry.count()) +
                                ") must not be below 'retry_ms' (" + std::to_string(options.retry.count()) + ")");
  }
  return options;
}

}  // namespace bib::replication
