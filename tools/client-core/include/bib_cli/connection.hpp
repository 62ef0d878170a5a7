// Where and how bib and bib-bot talk to the cluster: broker, proxy and reference endpoints from
// a flag, else the environment (BIB_BROKER_ENDPOINT, BIB_PROXY_ENDPOINT, BIB_REFERENCE_ENDPOINT),
// else a context file (client_context.hpp: --context, BIB_CONTEXT, or the one a local
// bib-cluster points at), else 127.0.0.1; per-try timeout and tries (Lazy Pirate), and whether
// to print the wire lines. With --broker-key / --proxy-key (BIB_BROKER_KEY, BIB_PROXY_KEY), the
// public key files of a cluster whose client ports speak CURVE (host.client_security,
// docs/security.md): the client then connects as a CURVE client with a fresh key pair of its own.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "bib/client.hpp"
#include "bib/curve_keys.hpp"
#include "bib/result.hpp"
#include "bib/subscriber.hpp"

// CLI11 stays out of this header (every client source includes it): the wiring is in
// connection.cpp, and a main() that calls add_connection_options includes <CLI/CLI.hpp> itself.
namespace CLI {
class App;
}  // namespace CLI

namespace bib::cli {

inline constexpr const char* kBrokerEnv = "BIB_BROKER_ENDPOINT";
inline constexpr const char* kProxyEnv = "BIB_PROXY_ENDPOINT";
inline constexpr const char* kReferenceEnv = "BIB_REFERENCE_ENDPOINT";
inline constexpr const char* kContextEnv = "BIB_CONTEXT";
inline constexpr const char* kSessionEnv = "BIB_SESSION";
inline constexpr const char* kBrokerKeyEnv = "BIB_BROKER_KEY";
inline constexpr const char* kProxyKeyEnv = "BIB_PROXY_KEY";
inline constexpr const char* kKeysEnv = "BIB_KEYS_DIR";
inline constexpr const char* kDefaultBroker = "tcp://127.0.0.1:5555";
inline constexpr const char* kDefaultProxy = "tcp://127.0.0.1:5558";
inline constexpr const char* kDefaultReference = "tcp://127.0.0.1:5560";
inline constexpr int kServerDirectPort = 5561;

// Where an endpoint's value came from, for `bib context` and error messages.
struct EndpointOrigin {
  std::string broker, proxy, reference;  // "flag", "env NAME", "context PATH" or "default"
};

struct Connection {
  std::string broker;  // empty until resolve(): flag, else env, else context, else default
  std::string proxy;
  std::string reference;
  std::string context_file;  // --context; resolve() records the file it used here
  std::string context_name;  // the used context's "name", when it has one
  EndpointOrigin origin;
  int timeout_ms = 2500;
  int retries = 3;
  bool quiet = false;  // no wire lines
  // Where one-shot commands keep the session between runs (read-your-writes across `bib`
  // invocations); empty: each run starts a new session. Flag, else env BIB_SESSION.
  std::string session_file;
  // The broker's and the proxy's public key files (NAME.pub): flag, else env, else the
  // context; empty: plain.
  std::string broker_key;
  std::string proxy_key;
  // The cluster's keys folder when its links speak CURVE (host.security): flag --keys, else env
  // BIB_KEYS_DIR, else the context; empty: plain. The reference and the servers' direct ports
  // are then asked as keys/tools.key, each checked against keys/<its name>.pub.
  std::string keys_dir;

  // Fills the endpoints no flag gave, and reads the key files given (an Error when one
  // cannot be read). An Error when a context named by --context or
  // BIB_CONTEXT cannot be used; a broken file behind the well-known pointer is skipped with a
  // note in `notice` instead (a stale cluster must not stop a command aimed elsewhere).
  std::optional<Error> resolve();
  std::string notice;
  // Timeouts and tries, plain: for any endpoint (the reference, a server's direct port).
  ClientOptions client_options() const;
  // The same for the broker: a CURVE client of it when broker_key is given.
  ClientOptions broker_options() const;
  // The same for a member's cluster port ("reference", or a server's name on 5561): a CURVE
  // client as keys_dir/tools.key when keys_dir is given. An Error when a key file cannot be read.
  Result<ClientOptions> member_options(const std::string& member) const;
  // What a subscriber at the proxy calls on its socket before connecting (LiveFeed): a CURVE
  // client of the proxy when proxy_key is given, else nothing.
  SocketSetup proxy_prepare() const;

 private:
  // CURVE clients of the broker and the proxy (one fresh pair for this run), made by resolve()
  // when broker_key or proxy_key is given; empty otherwise.
  SocketSetup broker_setup_;
  SocketSetup proxy_setup_;
};

// --context and --reference, for the programs that use them (bib; the bot needs neither).
void add_context_options(CLI::App& app, Connection& connection);

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
