// Where a program of this project looks for plugins when nothing names a folder: bib-host
// (host.plugin_path and --plugin-path unset) and bib-bench-persistence (--plugin-dir unset).
//
// Installed, plugins are in ${CMAKE_INSTALL_LIBDIR}/bib/plugins and the programs in
// ${CMAKE_INSTALL_BINDIR}: the top-level CMakeLists.txt bakes the first as seen from the second
// into the program as BIB_PLUGIN_DIR_FROM_BIN ("../lib/bib/plugins",
// "../lib/x86_64-linux-gnu/bib/plugins"), so an install works under any prefix. In the build
// tree the plugins are in <build>/lib/bib/plugins beside <build>/bin.
#pragma once

#include <string>

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/filesystem/operations.hpp>
#include <boost/filesystem/path.hpp>

namespace bib::host {

// The first existing folder of: exe_dir/from_bin (from_bin as it is when absolute), then
// exe_dir/../lib/bib/plugins. When neither exists, the first, so that the error names the
// folder an install would have.
inline std::string default_plugin_dir(const boost::filesystem::path& exe_dir, const std::string& from_bin) {
  namespace fs = boost::filesystem;
  const fs::path installed = fs::path(from_bin).is_absolute() ? fs::path(from_bin) : exe_dir / from_bin;
  const fs::path build_tree = exe_dir / ".." / "lib" / "bib" / "plugins";
  for (const fs::path& dir : {installed, build_tree}) {
    boost::system::error_code ec;
    if (fs::is_directory(dir, ec)) return dir.lexically_normal().string();
  }
  return installed.lexically_normal().string();
}

#ifdef BIB_PLUGIN_DIR_FROM_BIN
// The same for the running program, with the folder this build was configured to install to.
inline std::string default_plugin_dir() {
  return default_plugin_dir(boost::dll::program_location().parent_path(), BIB_PLUGIN_DIR_FROM_BIN);
}
#endif

}  // namespace bib::host
