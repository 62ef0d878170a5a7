// Opening one plugin library and checking its descriptor (docs/architecture.md). Nothing of the
// plugin's code is called here: the ABI version is read first and a mismatch is refused with
//   plugin /path/bib-x.so: ABI version 2, host expects 1
#pragma once

#include <stdexcept>
#include <string>

#include <boost/shared_ptr.hpp>

#include "bib/plugin.hpp"
#include "config.hpp"

namespace bib::host {

// A plugin could not be loaded, created, configured or started. what() is one line naming
// the plugin (or its file) and the reason.
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PluginLibrary {
  std::string file;
  // Points into the library and keeps it loaded: release it only after every object the
  // plugin made is destroyed.
  boost::shared_ptr<const bib::PluginDescriptor> descriptor;
};

// The library file of an entry: its `path` (relative paths are taken from base_dir, the
// config file's directory), else <plugin_dir>/bib-<name>.so.
std::string plugin_file(const PluginEntry& entry, const std::string& plugin_dir, const std::string& base_dir);

// Loads the library and checks its descriptor: ABI version, then name and factory.
PluginLibrary load_plugin_library(const PluginEntry& entry, const std::string& file);

}  // namespace bib::host
