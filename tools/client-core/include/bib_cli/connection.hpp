// Where and how bib and bib-bot talk to the cluster: broker and proxy endpoints from a flag,
// else the environment (BIB_BROKER_ENDPOINT, BIB_PROXY_ENDPOINT), else 127.0.0.1; per-try
// timeout and tries (Lazy Pirate), and whether to print the wire lines.
#pragma once

#include <string>

#include "bib/client.hpp"

// CLI11 stays out of this header (every client source includes it): the wiring is in
// connection.cpp, and a main() that calls add_connection_options includes <CLI/CLI.hpp> itself.
namespace CLI {
class App;
}  // namespace CLI

namespace bib::cli {

inline constexpr const char* kBrokerEnv = "BIB_BROKER_ENDPOINT";
inline constexpr const char* kProxyEnv = "BIB_PROXY_ENDPOINT";
inline constexpr const char* kSessionEnv = "BIB_SESSION";
inline constexpr const char* kDefaultBroker = "tcp://127.0.0.1:5555";
inline constexpr const char* kDefaultProxy = "tcp://127.0.0.1:5558";
inline constexpr int kServerDirectPort = 5561;

struct Connection {
  std::string broker;  // empty until resolve(): flag, else env, else default
  std::string proxy;
  int timeout_ms = 2500;
  int retries = 3;
  bool quiet = false;  // no wire lines
  // Where one-shot commands keep the session between runs (read-your-writes across `bib`
  // invocations); empty: each run starts a new session. Flag, else env BIB_SESSION.
  std::string session_file;

  // Fills broker and proxy when no flag gave them.
  void resolve();
  ClientOptions client_options() const;
};

// --broker, --proxy, --timeout-ms, --retries, --quiet, --session on `app` (and inherited by subcommands
// when `app` is the top level and the options are added before them).
void add_connection_options(CLI::App& app, Connection& connection);

// The value of a flag if given, else of the environment variable if set and non-empty, else
// the fallback.
std::string endpoint_from(const std::string& flag, const char* env_var, const std::string& fallback);

// A server's direct port from what a person types: "127.0.2.1" -> "tcp://127.0.2.1:5561",
// "127.0.2.1:6000" -> "tcp://127.0.2.1:6000", a full "tcp://..." endpoint unchanged.
std::string server_direct_endpoint(const std::string& text);

}  // namespace bib::cli
