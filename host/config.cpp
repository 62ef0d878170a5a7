#include "config.hpp"

#include <toml++/toml.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <utility>

#include "http_address.hpp"

namespace bib::host {
namespace {

// "file:line" of a node, or just the file when toml++ knows no position (e.g. --set values).
std::string where(const std::string& file, const toml::node& node) {
  const auto& src = node.source();
  if (src.begin.line == 0) return file;
  return file + ":" + std::to_string(src.begin.line);
}

[[noreturn]] void fail(const std::string& place, const std::string& key, const std::string& message) {
  throw ConfigError(place + ": key '" + key + "': " + message);
}

const char* toml_type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "bool";
    case toml::node_type::array: return "array";
    case toml::node_type::table: return "table";
    default: return "date/time";
  }
}

// How deep tables and arrays may nest in a config. No setting needs more than a few levels; the
// limit keeps the recursion below (and the key paths it builds) bounded, whatever the file holds:
// a fuzzed config of dotted keys thousands deep overflowed the stack (docs/fuzzing.md).
constexpr int kMaxConfigDepth = 32;

// TOML → Value, expanding variables in every string; errors name the key and its line.
Value to_value(const toml::node& node, const std::string& file, const std::string& key, int depth = 0) {
  if (depth > kMaxConfigDepth && (node.is_array() || node.is_table()))
    fail(where(file, node), key, "nested more than " + std::to_string(kMaxConfigDepth) + " levels deep");
  try {
    if (auto s = node.as_string()) return Value(expand_variables(s->get()));
  } catch (const ConfigError& e) {
    fail(where(file, node), key, e.what());
  }
  if (auto i = node.as_integer()) return Value(static_cast<std::int64_t>(i->get()));
  if (auto f = node.as_floating_point()) return Value(f->get());
  if (auto b = node.as_boolean()) return Value(b->get());
  if (auto arr = node.as_array()) {
    Array out;
    for (std::size_t i = 0; i < arr->size(); ++i)
      out.push_back(to_value(*arr->get(i), file, key + "[" + std::to_string(i) + "]", depth + 1));
    return Value(std::move(out));
  }
  if (auto table = node.as_table()) {
    Map out;
    for (auto&& [k, v] : *table) out.emplace(std::string(k.str()), to_value(v, file, key + "." + std::string(k.str()), depth + 1));
    return Value(std::move(out));
  }
  std::ostringstream text;  // dates and times stay readable strings
  node.visit([&](auto&& n) { text << n; });
  return Value(text.str());
}

// A --set value: a TOML value when it parses as one (42, true, "x", [1, 2]), else a plain string.
toml::table parse_override_value(const std::string& raw) {
  try {
    auto parsed = toml::parse("v = " + raw);
    if (parsed.contains("v")) return parsed;
  } catch (const toml::parse_error&) {
  }
  toml::table t;
  t.insert("v", raw);
  return t;
}

// An entry's name after ${VAR} expansion; the name as written when it does not expand (the
// error is reported, with its line, when the entries are read).
std::string expanded_name(const toml::table& entry) {
  const std::string raw = entry["name"].value_or(std::string());
  try {
    return expand_variables(raw);
  } catch (const ConfigError&) {
    return raw;
  }
}

void apply_override(toml::table& root, const std::string& file, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError(file + ": --set '" + assignment + "': expected key=value");
  const std::string key = assignment.substr(0, eq);
  toml::table value = parse_override_value(assignment.substr(eq + 1));
  toml::node& v = *value.get("v");

  // Split "a.b.c"; "plugins.<name>.<key>" addresses the [[plugins]] entry with that name.
  std::vector<std::string> parts;
  std::stringstream ss(key);
  for (std::string part; std::getline(ss, part, '.');) parts.push_back(part);
  toml::table* table = &root;
  std::size_t i = 0;
  if (parts.size() >= 3 && parts[0] == "plugins") {
    // Entries are matched by their name as the host will see it, after ${VAR} expansion:
    // `name = "persistence-${BIB_PERSISTENCE:-json}"` is plugins.persistence-json.* by default.
    table = nullptr;
    std::string names;
    if (auto arr = root["plugins"].as_array()) {
      for (auto& entry : *arr) {
        auto t = entry.as_table();
        if (!t) continue;
        const std::string name = expanded_name(*t);
        if (name == parts[1]) table = t;
        if (!name.empty()) names += (names.empty() ? "" : ", ") + name;
      }
    }
    if (!table)
      throw ConfigError(file + ": --set '" + key + "': no [[plugins]] entry named '" + parts[1] + "' (entries: " +
                        (names.empty() ? "none" : names) + ")");
    i = 2;
  }
  for (; i + 1 < parts.size(); ++i) {
    auto next = (*table)[parts[i]].as_table();
    if (!next) {
      if (table->contains(parts[i])) throw ConfigError(file + ": --set '" + key + "': '" + parts[i] + "' is not a table");
      table->insert(parts[i], toml::table{});
      next = (*table)[parts[i]].as_table();
    }
    table = next;
  }
  table->insert_or_assign(parts.back(), std::move(v));
}

template <class T>
void read_field(const toml::table& host, const std::string& file, const char* name, T& out) {
  const toml::node* node = host.get(name);
  if (!node) return;
  const std::string key = std::string("host.") + name;
  const Value v = to_value(*node, file, key);
  if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) fail(where(file, *node), key, std::string("must be a string, got ") + toml_type_name(*node));
    out = v.as_string();
  } else {
    if (!v.is_int()) fail(where(file, *node), key, std::string("must be an integer, got ") + toml_type_name(*node));
    out = v.as_int();
  }
}

HostSettings read_host(const toml::table& root, const std::string& file, const std::string& base_dir) {
  HostSettings s;
  const toml::node* node = root.get("host");
  if (!node) return s;
  const toml::table* host = node->as_table();
  if (!host) fail(where(file, *node), "host", "must be a table");
  static const char* const known[] = {"name", "log_level", "wire_log", "max_message_bytes", "plugin_path",
                                      "listen", "broker", "proxy", "heartbeat_ms", "liveness",
                                      "session_wait_ms", "catch_up_ms", "checkpoint_every", "metrics",
                                      "security", "client_security", "keys_dir", "key_file"};
  for (auto&& [k, v] : *host) {
    bool ok = false;
    for (const char* name : known) ok = ok || k.str() == name;
    if (!ok) fail(where(file, v), "host." + std::string(k.str()), "unknown key");
  }
  read_field(*host, file, "name", s.name);
  read_field(*host, file, "log_level", s.log_level);
  read_field(*host, file, "wire_log", s.wire_log);
  read_field(*host, file, "max_message_bytes", s.max_message_bytes);
  read_field(*host, file, "plugin_path", s.plugin_path);
  s.plugin_path = resolve_path(base_dir, s.plugin_path);
  read_field(*host, file, "listen", s.listen);
  read_field(*host, file, "broker", s.broker);
  read_field(*host, file, "proxy", s.proxy);
  read_field(*host, file, "heartbeat_ms", s.heartbeat_ms);
  read_field(*host, file, "liveness", s.liveness);
  read_field(*host, file, "session_wait_ms", s.session_wait_ms);
  read_field(*host, file, "catch_up_ms", s.catch_up_ms);
  read_field(*host, file, "checkpoint_every", s.checkpoint_every);
  read_field(*host, file, "metrics", s.metrics);
  read_field(*host, file, "security", s.security);
  read_field(*host, file, "client_security", s.client_security);
  read_field(*host, file, "keys_dir", s.keys_dir);
  s.keys_dir = resolve_path(base_dir, s.keys_dir);
  read_field(*host, file, "key_file", s.key_file);
  s.key_file = resolve_path(base_dir, s.key_file);

  static const char* const levels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  for (auto [key, value] : {std::pair{"host.log_level", s.log_level}, std::pair{"host.wire_log", s.wire_log}}) {
    bool ok = false;
    for (const char* level : levels) ok = ok || value == level;
    if (!ok) fail(file, key, "'" + value + "' is not a level (trace, debug, info, warn, error, critical, off)");
  }
  if (s.name.empty()) fail(file, "host.name", "must not be empty");
  if (s.max_message_bytes < 1024) fail(file, "host.max_message_bytes", "must be at least 1024");
  if (s.heartbeat_ms < 10) fail(file, "host.heartbeat_ms", "must be at least 10");
  if (s.liveness < 1) fail(file, "host.liveness", "must be at least 1");
  if (s.session_wait_ms < 0) fail(file, "host.session_wait_ms", "must not be negative");
  if (s.catch_up_ms < 0) fail(file, "host.catch_up_ms", "must not be negative");
  if (s.checkpoint_every < 0) fail(file, "host.checkpoint_every", "must not be negative");
  for (auto [key, value] : {std::pair{"host.security", s.security}, std::pair{"host.client_security", s.client_security}}) {
    if (value != "none" && value != "curve") fail(file, key, "'" + value + "' is not a mode (none, curve)");
  }
  // Servers find the proxy's key there too when they subscribe to a CURVE client port.
  if ((s.cluster_curve() || s.clients_curve()) && s.keys_dir.empty())
    fail(file, "host.keys_dir", "must name the folder of the members' public keys when CURVE is on");
  if (!s.metrics.empty()) {
    try {
      parse_http_address(s.metrics);
    } catch (const std::invalid_argument& e) {
      fail(file, "host.metrics", e.what());
    }
  }
  return s;
}

std::vector<PluginEntry> read_plugins(const toml::table& root, const std::string& file, const std::string& base_dir) {
  std::vector<PluginEntry> out;
  const toml::node* node = root.get("plugins");
  if (!node) return out;
  const toml::array* arr = node->as_array();
  if (!arr) fail(where(file, *node), "plugins", "must be an array of tables ([[plugins]])");
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const toml::node& item = *arr->get(i);
    const std::string key = "plugins[" + std::to_string(i) + "]";
    const toml::table* t = item.as_table();
    if (!t) fail(where(file, item), key, "must be a table");
    PluginEntry entry;
    entry.where = where(file, item);
    Value options = to_value(*t, file, key);
    Map& map = options.as_map();
    auto name = map.find("name");
    if (name == map.end() || !name->second.is_string() || name->second.as_string().empty())
      fail(entry.where, key + ".name", "every [[plugins]] entry needs a non-empty string name");
    entry.name = name->second.as_string();
    map.erase(name);
    if (auto path = map.find("path"); path != map.end()) {
      if (!path->second.is_string()) fail(entry.where, key + ".path", "must be a string");
      entry.path = resolve_path(base_dir, path->second.as_string());
      map.erase(path);
    }
    for (auto& [option, value] : map)
      if (is_path_option(option) && value.is_string()) value = Value(resolve_path(base_dir, value.as_string()));
    for (const auto& other : out)
      if (other.name == entry.name)
        fail(entry.where, key + ".name", "plugin '" + entry.name + "' is listed twice (first at " + other.where + ")");
    entry.options = std::move(options);
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace

bool is_path_option(std::string_view key) {
  for (std::string_view word : {"dir", "file", "path"}) {
    if (key == word) return true;
    if (key.size() > word.size() + 1 && key.substr(key.size() - word.size()) == word &&
        key[key.size() - word.size() - 1] == '_')
      return true;
  }
  return false;
}

std::string resolve_path(const std::string& base_dir, const std::string& path) {
  const std::filesystem::path p(path);
  if (path.empty() || p.is_absolute() || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

std::string expand_variables(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') {
      out += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (i + 1 >= text.size() || text[i + 1] != '{') {
      out += '$';
      continue;
    }
    // The matching '}': a default may itself hold ${...} ("${BIB_DATA:-data/${BIB_NODE:-n}}").
    std::size_t close = std::string::npos;
    for (std::size_t j = i + 2, depth = 1; j < text.size(); ++j) {
      if (text[j] == '$' && j + 1 < text.size() && (text[j + 1] == '$' || text[j + 1] == '{')) {
        if (text[j + 1] == '{') ++depth;
        ++j;
      } else if (text[j] == '}' && --depth == 0) {
        close = j;
        break;
      }
    }
    if (close == std::string::npos) throw ConfigError("unterminated ${ in '" + text + "'");
    const std::string inner = text.substr(i + 2, close - i - 2);
    const auto sep = inner.find(":-");
    const std::string name = inner.substr(0, sep);
    if (name.empty()) throw ConfigError("empty variable name in '" + text + "'");
    const char* value = std::getenv(name.c_str());
    if (value && *value) {
      out += value;
    } else if (sep != std::string::npos) {
      out += expand_variables(inner.substr(sep + 2));
    } else {
      throw ConfigError("environment variable " + name + " is not set and has no default (write ${" + name +
                        ":-default})");
    }
    i = close;
  }
  return out;
}

namespace {

toml::table parse_toml(const std::string& file) {
  try {
    return toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    std::string msg(e.description());
    if (e.source().begin.line == 0) throw ConfigError(file + ": " + msg);
    throw ConfigError(file + ":" + std::to_string(e.source().begin.line) + ": " + msg);
  }
}

std::string folder_of(const std::string& file) {
  return std::filesystem::absolute(file).parent_path().lexically_normal().string();
}

}  // namespace

Config load_config(const std::string& file, const std::vector<std::string>& overrides) {
  toml::table root = parse_toml(file);
  for (const auto& o : overrides) apply_override(root, file, o);
  for (auto&& [k, v] : root) {
    if (k.str() != "host" && k.str() != "plugins") fail(where(file, v), std::string(k.str()), "unknown top-level key (expected [host] or [[plugins]])");
  }
  Config config;
  config.file = file;
  config.dir = folder_of(file);
  config.host = read_host(root, file, config.dir);
  config.plugins = read_plugins(root, file, config.dir);
  return config;
}

void add_plugins_from(Config& config, const std::string& file) {
  const toml::table root = parse_toml(file);
  for (auto&& [k, v] : root) {
    if (k.str() != "plugins")
      fail(where(file, v), std::string(k.str()), "a file of added plugins holds only [[plugins]] entries");
  }
  for (PluginEntry& entry : read_plugins(root, file, folder_of(file))) {
    for (const PluginEntry& other : config.plugins)
      if (other.name == entry.name)
        throw ConfigError(entry.where + ": plugin '" + entry.name + "' is already listed (at " + other.where + ")");
    config.plugins.push_back(std::move(entry));
  }
}

}  // namespace bib::host
