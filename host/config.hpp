// bib-host configuration: one TOML file, `--set key=value` overrides, and ${VAR} /
// ${VAR:-default} expansion in every string. Every error names the file, the line and the key:
//   configs/server.toml:12: key 'host.liveness': must be an integer, got string
//
// One rule for relative paths: every path the config gives (host.plugin_path, a plugin's
// `path`, and a plugin option that names a file or folder, see is_path_option) is relative to
// the folder of the config file, after ${VAR} expansion and --set. The host resolves them
// before any plugin sees its options, so plugins only ever get absolute paths.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bib/value.hpp"

namespace bib::host {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The [host] table.
struct HostSettings {
  std::string name = "bib";                  // node name: "server-1", "broker", ...
  std::string log_level = "info";            // trace|debug|info|warn|error|critical|off
  std::string wire_log = "info";             // level of the one-line-per-message log; "off" silences it
  std::int64_t max_message_bytes = 1 << 20;  // ZMQ_MAXMSGSIZE on network sockets
  std::string plugin_path;                   // "" = the install's plugin folder (plugin_dirs.hpp)
  std::string listen;                        // optional ROUTER for direct requests: "tcp://127.0.0.1:7000"
  std::string broker;                        // optional broker backend to serve: "tcp://127.0.0.1:5556"
  std::string proxy;                         // optional proxy XSUB to publish to: "tcp://127.0.0.1:5557"
  std::int64_t heartbeat_ms = 1000;          // worker <-> broker heartbeat interval
  std::int64_t liveness = 3;                 // heartbeats missed before the peer counts as dead
  std::int64_t session_wait_ms = 2000;       // longest wait for data.after events; below the client timeout (2500)
  std::int64_t catch_up_ms = 15000;          // longest wait for replication to catch up before serving the broker
  std::int64_t checkpoint_every = 100000;    // events between checkpoints (and one at stop); 0: only at stop
  std::string metrics;                       // optional HTTP address serving /metrics: "127.0.0.1:9561"
  // CurveZMQ (docs/security.md). "curve": every cluster link authenticated and encrypted;
  // client_security "curve": the client ports too (broker 5555, proxy 5558).
  std::string security = "none";             // none|curve
  std::string client_security = "none";      // none|curve
  std::string keys_dir;                      // every member's NAME.pub (the allow-list), and by default NAME.key
  std::string key_file;                      // this node's secret key; "" = <keys_dir>/<name>.key

  bool cluster_curve() const { return security == "curve"; }
  bool clients_curve() const { return client_security == "curve"; }
  // keys_dir/<name>.key unless key_file says otherwise.
  std::string own_key_file() const { return key_file.empty() ? keys_dir + "/" + name + ".key" : key_file; }
};

// One [[plugins]] entry.
struct PluginEntry {
  std::string name;     // plugin name; the file is <plugin_path>/bib-<name>.so unless path is set
  std::string path;     // explicit library path, absolute ("" = from name)
  Value options;        // every other key of the entry, as a map: the plugin's own config (paths resolved)
  std::string where;    // "file:line" of the entry, for messages
};

struct Config {
  std::string file;
  std::string dir;  // the absolute folder of `file`: what relative paths in it are relative to
  HostSettings host;
  std::vector<PluginEntry> plugins;
};

// Parses `file`, applies overrides ("host.log_level=debug", "plugins.<name>.<key>=value"; the
// value is read as TOML when it parses as a TOML value, else as a string), expands variables,
// validates the [host] table (unknown keys are errors) and the plugin entries.
Config load_config(const std::string& file, const std::vector<std::string>& overrides = {});

// Appends the [[plugins]] entries of another file (nothing else may be in it; its paths are
// relative to its own folder): how a deployment adds a plugin of its own to a stock config
// (`bib-host --add-plugins FILE`, or BIB_ADD_PLUGINS). A name already listed is an error.
void add_plugins_from(Config& config, const std::string& file);

// Whether a plugin option names a file or folder, and so is resolved against the config
// file's folder: `dir`, `file`, `path` and every key ending in `_dir`, `_file` or `_path`
// (persistence `dir`, the reference's `state_file`). Only string values at the top of the
// plugin's table are resolved; "" stays "" (the plugins read it as "none").
bool is_path_option(std::string_view key);

// `path` relative to `base_dir`, normalised; an absolute or empty `path` is returned as it is.
std::string resolve_path(const std::string& base_dir, const std::string& path);

// ${VAR} and ${VAR:-default} in one string; $$ is a literal $; a default may use variables
// too (${BIB_DATA:-../data/${BIB_NODE:-server-1}}). An unset ${VAR} without a
// default is an error (thrown as ConfigError with just the message; the caller adds where).
std::string expand_variables(const std::string& text);

}  // namespace bib::host
