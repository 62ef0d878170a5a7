// bib-host configuration: one TOML file, `--set key=value` overrides, and ${VAR} /
// ${VAR:-default} expansion in every string. Every error names the file, the line and the key:
//   configs/server.toml:12: key 'host.liveness': must be an integer, got string
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
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
  std::string plugin_path;                   // "" = <exe dir>/../lib/bib/plugins
  std::string listen;                        // optional ROUTER for direct requests: "tcp://127.0.0.1:7000"
  std::string broker;                        // optional broker backend to serve: "tcp://127.0.0.1:5556"
  std::string proxy;                         // optional proxy XSUB to publish to: "tcp://127.0.0.1:5557"
  std::int64_t heartbeat_ms = 1000;          // worker <-> broker heartbeat interval
  std::int64_t liveness = 3;                 // heartbeats missed before the peer counts as dead
  std::int64_t session_wait_ms = 2000;       // longest wait for data.after events; below the client timeout (2500)
  std::int64_t catch_up_ms = 15000;          // longest wait for replication to catch up before serving the broker
};

// One [[plugins]] entry.
struct PluginEntry {
  std::string name;     // plugin name; the file is <plugin_path>/bib-<name>.so unless path is set
  std::string path;     // explicit library path ("" = from name)
  Value options;        // every other key of the entry, as a map: the plugin's own config
  std::string where;    // "file:line" of the entry, for messages
};

struct Config {
  std::string file;
  HostSettings host;
  std::vector<PluginEntry> plugins;
};

// Parses `file`, applies overrides ("host.log_level=debug", "plugins.<name>.<key>=value"; the
// value is read as TOML when it parses as a TOML value, else as a string), expands variables,
// validates the [host] table (unknown keys are errors) and the plugin entries.
Config load_config(const std::string& file, const std::vector<std::string>& overrides = {});

// ${VAR} and ${VAR:-default} in one string; $$ is a literal $. An unset ${VAR} without a
// default is an error (thrown as ConfigError with just the message; the caller adds where).
std::string expand_variables(const std::string& text);

}  // namespace bib::host
