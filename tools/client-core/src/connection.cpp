#include "bib_cli/connection.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <CLI/CLI.hpp>

#include "bib_cli/client_context.hpp"

namespace bib::cli {

std::string endpoint_from(const std::string& flag, const char* env_var, const std::string& fallback) {
  if (!flag.empty()) return flag;
  if (const char* value = std::getenv(env_var); value != nullptr && *value != '\0') return value;
  return fallback;
}

namespace {

// One endpoint: flag, else environment, else context, else default; `origin` says which.
void settle(std::string& endpoint, std::string& origin, const char* env_var, const std::optional<std::string>& from_context,
            const std::string& context_path, const char* fallback) {
  if (!endpoint.empty()) {
    origin = "flag";
  } else if (const char* value = std::getenv(env_var); value != nullptr && *value != '\0') {
    endpoint = value;
    origin = std::string("env ") + env_var;
  } else if (from_context) {
    endpoint = *from_context;
    origin = "context " + context_path;
  } else {
    endpoint = fallback;
    origin = "default";
  }
}

}  // namespace

std::optional<Error> Connection::resolve() {
  ClientContext context;
  const std::string named = endpoint_from(context_file, kContextEnv, "");
  if (!named.empty()) {
    auto read = read_client_context(context_path(named));
    if (!read) return read.error();
    context = std::move(read.value());
  } else if (const std::string pointer = current_context_pointer(); !pointer.empty()) {
    // A missing or dangling pointer just means no local cluster runs.
    if (std::ifstream(pointer).good()) {
      // Named by its target (what bib-cluster wrote), so people and scripts see which cluster.
      std::error_code not_a_link;
      const std::filesystem::path target = std::filesystem::read_symlink(pointer, not_a_link);
      auto read = read_client_context(not_a_link || target.is_relative() ? pointer : target.string());
      if (read) context = std::move(read.value());
      else notice = read.error().message + " (ignored)";
    }
  }
  context_file = context.path;
  context_name = context.name;
  settle(broker, origin.broker, kBrokerEnv, context.broker, context.path, kDefaultBroker);
  settle(proxy, origin.proxy, kProxyEnv, context.proxy, context.path, kDefaultProxy);
  settle(reference, origin.reference, kReferenceEnv, context.reference, context.path, kDefaultReference);
  session_file = endpoint_from(session_file, kSessionEnv, "");
  broker_key = endpoint_from(broker_key, kBrokerKeyEnv, context.broker_key.value_or(""));
  proxy_key = endpoint_from(proxy_key, kProxyKeyEnv, context.proxy_key.value_or(""));
  keys_dir = endpoint_from(keys_dir, kKeysEnv, context.keys.value_or(""));
  try {
    const CurveKeyPair own = broker_key.empty() && proxy_key.empty() ? CurveKeyPair{} : generate_curve_key_pair();
    if (!broker_key.empty()) broker_setup_ = curve_client_setup(own, read_curve_public_key(broker_key));
    if (!proxy_key.empty()) proxy_setup_ = curve_client_setup(own, read_curve_public_key(proxy_key));
  } catch (const std::runtime_error& e) {
    return Error{e.what()};
  }
  return std::nullopt;
}

ClientOptions Connection::client_options() const {
  ClientOptions options;
  options.timeout = std::chrono::milliseconds(timeout_ms);
  options.retries = retries;
  return options;
}

ClientOptions Connection::broker_options() const {
  ClientOptions options = client_options();
  options.prepare = broker_setup_;
  return options;
}

Result<ClientOptions> Connection::member_options(const std::string& member) const {
  ClientOptions options = client_options();
  if (keys_dir.empty()) return options;
  try {
    options.prepare = curve_client_setup(keys_dir + "/" + member + ".pub", keys_dir + "/tools.key");
  } catch (const std::runtime_error& e) {
    return Error{e.what()};
  }
  return options;
}

SocketSetup Connection::proxy_prepare() const { return proxy_setup_; }

void add_context_options(CLI::App& app, Connection& connection) {
  app.add_option("--context", connection.context_file,
                 std::string("a context: a file naming the endpoints, or the name of one `bib context save` kept (env ") +
                     kContextEnv + "; default: the cluster bib-cluster started last, " + current_context_pointer() + ")")
      ->type_name("FILE")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--reference", connection.reference,
                 std::string("reference server endpoint, for status (env ") + kReferenceEnv +
                     ", else the context, else " + kDefaultReference + ")")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--keys", connection.keys_dir,
                 std::string("the cluster's keys folder, when its links speak CURVE: status asks the reference and "
                             "the servers as DIR/tools.key (env ") + kKeysEnv + ", else the context)")
      ->type_name("DIR")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

void add_connection_options(CLI::App& app, Connection& connection) {
  // The last of repeated flags wins, so a wrapper's defaults can be overridden.
  app.add_option("--broker", connection.broker,
                 std::string("broker endpoint for requests (env ") + kBrokerEnv + ", else the context, else " +
                     kDefaultBroker + ")")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--proxy", connection.proxy,
                 std::string("proxy endpoint for subscriptions (env ") + kProxyEnv + ", else the context, else " +
                     kDefaultProxy + ")")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--broker-key", connection.broker_key,
                 std::string("the broker's public key file (broker.pub), when its client port speaks CURVE (env ") +
                     kBrokerKeyEnv + ")")
      ->type_name("FILE")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--proxy-key", connection.proxy_key,
                 std::string("the proxy's public key file (proxy.pub), when its client port speaks CURVE (env ") +
                     kProxyKeyEnv + ")")
      ->type_name("FILE")
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
      ->type_name("FILE")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

std::string server_direct_endpoint(const std::string& text) {
  if (text.find("://") != std::string::npos) return text;
  // A bare IPv4 address or name has no ':'; "host:port" has one.
  if (text.find(':') != std::string::npos) return "tcp://" + text;
  return "tcp://" + text + ":" + std::to_string(kServerDirectPort);
}

}  // namespace bib::cli
