#include "plugin_loader.hpp"

#include <cstring>

#include <boost/dll/import.hpp>
#include <boost/dll/shared_library.hpp>
#include <boost/filesystem/operations.hpp>
#include <boost/filesystem/path.hpp>

namespace bib::host {

namespace fs = boost::filesystem;

std::string plugin_file(const PluginEntry& entry, const std::string& plugin_dir, const std::string& base_dir) {
  if (!entry.path.empty()) {
    fs::path p(entry.path);
    if (p.is_relative() && !base_dir.empty()) p = fs::path(base_dir) / p;
    return p.lexically_normal().string();
  }
  return (fs::path(plugin_dir) / ("bib-" + entry.name + ".so")).lexically_normal().string();
}

PluginLibrary load_plugin_library(const PluginEntry& entry, const std::string& file) {
  const std::string where = entry.where.empty() ? "" : entry.where + ": ";
  boost::system::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw PluginError(where + "plugin '" + entry.name + "': no such file " + file);

  boost::dll::shared_library lib;
  try {
    // rtld_now: an unresolved symbol fails here, with the loader's message, not mid-request.
    lib.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    throw PluginError("plugin " + file + ": cannot load: " + e.what());
  }
  if (!lib.has(bib::kDescriptorSymbol))
    throw PluginError("plugin " + file + ": no " + bib::kDescriptorSymbol +
                      " symbol (not a BulletInBoard plugin, or built without BIB_PLUGIN)");

  PluginLibrary out{file, boost::dll::import_alias<const bib::PluginDescriptor>(
                              std::move(lib), bib::kDescriptorSymbol)};
  const bib::PluginDescriptor& d = *out.descriptor;
  // abi_version is the first member in every ABI version: the only field safe to read yet.
  if (d.abi_version != bib::kAbiVersion)
    throw PluginError("plugin " + file + ": ABI version " + std::to_string(d.abi_version) +
                      ", host expects " + std::to_string(bib::kAbiVersion));
  if (d.name == nullptr || d.version == nullptr || d.create == nullptr)
    throw PluginError("plugin " + file + ": incomplete descriptor (name, version or factory missing)");
  if (entry.name != d.name)
    throw PluginError(where + "plugin " + file + " is named '" + d.name + "', but the entry says '" +
                      entry.name + "'");
  if (static_cast<std::uint32_t>(d.kind) > static_cast<std::uint32_t>(bib::PluginKind::component))
    throw PluginError("plugin " + file + ": unknown kind " +
                      std::to_string(static_cast<std::uint32_t>(d.kind)));
  return out;
}

}  // namespace bib::host
