// bib-host: the one binary behind every role (server, broker, proxy, reference); the config
// file decides which plugins it loads.
//   bib-host --config FILE [--set key=value ...] [--check] [--plugin-path DIR] [--log-level L]
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/dll/runtime_symbol_info.hpp>

#include "config.hpp"
#include "host.hpp"

int main(int argc, char** argv) {
  CLI::App app{"bib-host: loads the plugins a config file names and serves them"};
  std::string config_file;
  std::vector<std::string> overrides;
  bool check = false;
  std::string plugin_path;
  std::string log_level;
  app.add_option("-c,--config", config_file, "TOML config file")->required();
  app.add_option("--set", overrides, "override a config key, e.g. host.log_level=debug (repeatable)")
      ->allow_extra_args(false);
  app.add_flag("--check", check, "load and configure every plugin, report, and exit");
  app.add_option("--plugin-path", plugin_path, "directory of bib-<name>.so (wins over host.plugin_path)");
  app.add_option("--log-level", log_level, "log level (wins over host.log_level)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  CLI11_PARSE(app, argc, argv);

  try {
    bib::host::Config config = bib::host::load_config(config_file, overrides);
    if (!log_level.empty()) config.host.log_level = log_level;
    if (!plugin_path.empty()) config.host.plugin_path = plugin_path;
    if (config.host.plugin_path.empty()) {
      // Same layout in the build tree and when installed: <prefix>/bin, <prefix>/lib/bib/plugins.
      const auto exe_dir = boost::dll::program_location().parent_path();
      config.host.plugin_path = (exe_dir / ".." / "lib" / "bib" / "plugins").lexically_normal().string();
    }
    return bib::host::run_host(config, check);
  } catch (const std::exception& e) {
    std::cerr << "bib-host: " << e.what() << std::endl;
    return 1;
  }
}
