// bib-host: the one binary behind every role (server, broker, proxy, reference); the config
// file decides which plugins it loads.
//   bib-host --config FILE [--set key=value ...] [--add-plugins FILE ...] [--check]
//            [--plugin-path DIR] [--log-level L]
//   bib-host --version
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bib/plugin.hpp"
#include "bib/version.hpp"
#include "config.hpp"
#include "huge_pages.hpp"
#include "host.hpp"
#include "plugin_dirs.hpp"

namespace {

// BIB_ADD_PLUGINS: files of [[plugins]] entries, separated by ':' (for containers and scripts
// that cannot change the command line).
std::vector<std::string> added_plugin_files_from_environment() {
  std::vector<std::string> files;
  const char* value = std::getenv("BIB_ADD_PLUGINS");
  std::istringstream list(value ? value : "");
  for (std::string file; std::getline(list, file, ':');)
    if (!file.empty()) files.push_back(file);
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  bib::host::prefer_huge_pages(argv);
  CLI::App app{"bib-host: loads the plugins a config file names and serves them"};
  std::string config_file;
  std::vector<std::string> overrides;
  bool check = false;
  std::string plugin_path;
  std::string log_level;
  std::vector<std::string> added_plugins;
  app.set_version_flag("--version", std::string("bib-host " BIB_VERSION_STRING " (plugin ABI ") +
                                        std::to_string(bib::kAbiVersion) + ")");
  app.add_option("-c,--config", config_file, "TOML config file")->required();
  app.add_option("--set", overrides, "override a config key, e.g. host.log_level=debug (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--add-plugins", added_plugins,
                 "a TOML file of more [[plugins]] entries, loaded after the config's (repeatable; also "
                 "BIB_ADD_PLUGINS=FILE[:FILE...])")
      ->allow_extra_args(false);
  app.add_flag("--check", check, "load and configure every plugin, report, and exit");
  app.add_option("--plugin-path", plugin_path, "directory of bib-<name>.so (wins over host.plugin_path)");
  app.add_option("--log-level", log_level, "log level (wins over host.log_level)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  CLI11_PARSE(app, argc, argv);

  try {
    bib::host::Config config = bib::host::load_config(config_file, overrides);
    for (const std::string& file : added_plugin_files_from_environment()) bib::host::add_plugins_from(config, file);
    for (const std::string& file : added_plugins) bib::host::add_plugins_from(config, file);
    if (!log_level.empty()) config.host.log_level = log_level;
    if (!plugin_path.empty()) config.host.plugin_path = plugin_path;
    // The install's plugin folder (or the build tree's) relative to this executable.
    if (config.host.plugin_path.empty()) config.host.plugin_path = bib::host::default_plugin_dir();
    return bib::host::run_host(config, check);
  } catch (const std::exception& e) {
    std::cerr << "bib-host: " << e.what() << std::endl;
    return 1;
  }
}
