#include "bib_cli/connection.hpp"

#include <cstdlib>

#include <CLI/CLI.hpp>

namespace bib::cli {

std::string endpoint_from(const std::string& flag, const char* env_var, const std::string& fallback) {
  if (!flag.empty()) return flag;
  if (const char* value = std::getenv(env_var); value != nullptr && *value != '\0') return value;
  return fallback;
}

void Connection::resolve() {
  broker = endpoint_from(broker, kBrokerEnv, kDefaultBroker);
  proxy = endpoint_from(proxy, kProxyEnv, kDefaultProxy);
  session_file = endpoint_from(session_file, kSessionEnv, "");
}

ClientOptions Connection::client_options() const {
  ClientOptions options;
  options.timeout = std::chrono::milliseconds(timeout_ms);
  options.retries = retries;
  return options;
}

void add_connection_options(CLI::App& app, Connection& connection) {
  // The last of repeated flags wins, so a wrapper's defaults can be overridden.
  app.add_option("--broker", connection.broker,
                 std::string("broker endpoint for requests (env ") + kBrokerEnv + ", default " + kDefaultBroker + ")")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--proxy", connection.proxy,
                 std::string("proxy endpoint for subscriptions (env ") + kProxyEnv + ", default " + kDefaultProxy + ")")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--timeout-ms", connection.timeout_ms, "wait for a reply, per try")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--retries", connection.retries, "tries in all before giving up (Lazy Pirate)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_flag("--quiet,-q", connection.quiet, "do not show the messages sent and received");
  app.add_option("--session", connection.session_file,
                 std::string("keep the session (the events seen) in this file between runs, so that a command "
                             "reads what an earlier one wrote whichever server answers (env ") +
                     kSessionEnv + ")")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

std::string server_direct_endpoint(const std::string& text) {
  if (text.find("://") != std::string::npos) return text;
  // A bare IPv4 address or name has no ':'; "host:port" has one.
  if (text.find(':') != std::string::npos) return "tcp://" + text;
  return "tcp://" + text + ":" + std::to_string(kServerDirectPort);
}

}  // namespace bib::cli
