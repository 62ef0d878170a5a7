// The host's configuration (host/config.hpp): load_config() on any text, written to a file as
// bib-host reads it, with ${VAR} / ${VAR:-default} expansion and --set overrides. The input
// is the file's text, then after each NUL byte one --set assignment (TOML has no NUL, so the
// file's text never holds one). A config is either refused with a ConfigError (any other
// exception is a finding: bib-host would print it without the file and line) or it keeps the
// promises of config.hpp: a valid [host] table, plugins with distinct non-empty names, and
// every path absolute (or empty) once loaded, so that plugins never see a relative one.
#include <stdlib.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "config.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace bib;
using bib::fuzz::check;

bool absolute_or_empty(const std::string& path) { return path.empty() || path.front() == '/'; }

void check_loaded(const host::Config& config) {
  const host::HostSettings& h = config.host;
  check(!h.name.empty() && h.max_message_bytes >= 1024 && h.heartbeat_ms >= 10 && h.liveness >= 1 &&
            h.session_wait_ms >= 0 && h.catch_up_ms >= 0 && h.checkpoint_every >= 0,
        "a [host] setting out of its range was accepted");
  check(absolute_or_empty(h.plugin_path), "host.plugin_path stayed relative");
  std::set<std::string> names;
  for (const host::PluginEntry& p : config.plugins) {
    check(!p.name.empty() && names.insert(p.name).second, "a plugin without a name, or listed twice");
    check(absolute_or_empty(p.path), "a plugin's path stayed relative");
    check(p.options.is_map() && !p.options.contains("name") && !p.options.contains("path"),
          "a plugin's options hold its name or path");
    for (const auto& [key, value] : p.options.as_map())
      check(!host::is_path_option(key) || !value.is_string() || absolute_or_empty(value.as_string()),
            "a plugin's path option stayed relative");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // One variable set, so ${BIB_NODE} expands from the environment; any other has its default
  // or is an error.
  setenv("BIB_NODE", "server-7", 1);
  unsetenv("BIB_DATA");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = fuzz::text_of(data, size);
  const std::size_t nul = input.find('\0');
  const std::string_view text = input.substr(0, nul);
  std::vector<std::string> overrides;
  for (std::size_t start = nul; start != std::string_view::npos;) {
    const std::size_t next = input.find('\0', start + 1);
    overrides.emplace_back(input.substr(start + 1, next == std::string_view::npos ? next : next - start - 1));
    start = next;
  }
  // Relative paths in it resolve against the scratch folder, which is this process's own.
  static const std::string path = fuzz::scratch_path("host.toml");
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(text.data(), static_cast<std::streamsize>(text.size()));
  try {
    check_loaded(host::load_config(path, overrides));
  } catch (const host::ConfigError&) {
    // refused, with the file, line and key
  }
  return 0;
}
