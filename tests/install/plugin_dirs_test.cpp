// The default plugin folder (host/plugin_dirs.hpp) on hand-made layouts: an install with the
// plugins where ${CMAKE_INSTALL_LIBDIR} put them, the build tree, and neither.
#include "plugin_dirs.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/process.hpp"

namespace bib::host {
namespace {

namespace fs = std::filesystem;

class PluginDirsTest : public ::testing::Test {
 protected:
  std::string make(const std::string& relative) {
    const fs::path dir = root_ / relative;
    fs::create_directories(dir);
    return dir.lexically_normal().string();
  }
  std::string dir_of(const std::string& from_bin) {
    return default_plugin_dir(boost::filesystem::path((root_ / "bin").string()), from_bin);
  }
  fs::path root_ = test::make_temp_dir("plugin-dirs");
};

TEST_F(PluginDirsTest, MultiarchInstallIsFoundFromTheBinFolder) {
  make("bin");
  const std::string plugins = make("lib/x86_64-linux-gnu/bib/plugins");
  EXPECT_EQ(dir_of("../lib/x86_64-linux-gnu/bib/plugins"), plugins);
}

TEST_F(PluginDirsTest, TheInstallFolderWinsOverTheBuildTreeLayout) {
  make("bin");
  make("lib/bib/plugins");
  const std::string plugins = make("lib64/bib/plugins");
  EXPECT_EQ(dir_of("../lib64/bib/plugins"), plugins);
}

TEST_F(PluginDirsTest, TheBuildTreeLayoutIsTheFallback) {
  make("bin");
  const std::string plugins = make("lib/bib/plugins");
  EXPECT_EQ(dir_of("../lib/x86_64-linux-gnu/bib/plugins"), plugins);
}

TEST_F(PluginDirsTest, AnAbsoluteInstallFolderIsTakenAsItIs) {
  make("bin");
  const std::string plugins = make("elsewhere/plugins");
  EXPECT_EQ(dir_of(plugins), plugins);
}

TEST_F(PluginDirsTest, WithNeitherTheInstallFolderIsNamed) {
  make("bin");
  EXPECT_EQ(dir_of("../lib/x86_64-linux-gnu/bib/plugins"),
            (root_ / "lib/x86_64-linux-gnu/bib/plugins").lexically_normal().string());
}

}  // namespace
}  // namespace bib::host
