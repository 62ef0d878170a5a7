// The launcher's own checks and every program's --version: nothing here starts a cluster.
#include <gtest/gtest.h>

#include <filesystem>

#include "bib/version.hpp"
#include "support/loopback.hpp"
#include "tools_cluster.hpp"

namespace bib::test {
namespace {

ToolRun launcher(const std::string& workdir, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"/usr/bin/env", "BIB_BUILD_DIR=" + bin_path(".."), "python3",
                                source_path("tools/bib-cluster"), "--workdir", workdir};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_tool(argv, workdir, 60);
}

// A misspelt plugin is refused before anything starts, naming what would have been accepted.
TEST(Launcher, RefusesAnUnknownPersistenceOrReplicationPlugin) {
  const std::string workdir = make_temp_dir("launcher-choices");
  LoopbackBlock block;  // only used if the refusal were missing: then `down` below cleans up
  const std::string base = block.address(1).substr(0, block.address(1).rfind('.'));
  struct Case {
    std::string option, value;
    std::vector<std::string> accepted;
  };
  for (const Case& c : {Case{"--persistence", "jsn", {"json", "sqlite", "memory"}},
                        Case{"--replication", "sync", {"async", "quorum"}}}) {
    const ToolRun r = launcher(workdir, {"up", "--servers", "1", "--bots", "0", "--base", base, c.option, c.value});
    if (r.code == 0) launcher(workdir, {"down"});
    EXPECT_EQ(r.code, 2) << r.all();  // argparse's usage error
    EXPECT_NE(r.err.find("argument " + c.option + ": invalid choice: '" + c.value + "'"), std::string::npos) << r.all();
    for (const std::string& name : c.accepted) EXPECT_NE(r.err.find(name), std::string::npos) << name << "\n" << r.all();
    EXPECT_FALSE(std::filesystem::exists(workdir + "/cluster.json")) << "something was started";
  }
}

// Every program prints the project's version (CMake's project(VERSION), bib/version.hpp).
TEST(Versions, EveryProgramPrintsTheProjectVersion) {
  const std::string dir = make_temp_dir("versions");
  const std::string version = BIB_VERSION_STRING;
  ToolRun r = run_tool({bin_path("bib-host"), "--version"}, dir);
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_EQ(r.out.rfind("bib-host " + version + " (plugin ABI ", 0), 0u) << r.all();
  for (const char* tool : {"bib", "bib-bot", "bib-probe", "bib-bench", "bib-bench-persistence"}) {
    r = run_tool({bin_path(tool), "--version"}, dir);
    EXPECT_EQ(r.code, 0) << tool << "\n" << r.all();
    EXPECT_EQ(r.out, std::string(tool) + " " + version + "\n") << r.all();
  }
  r = launcher(dir, {"--version"});
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_EQ(r.out, "bib-cluster " + version + "\n") << r.all();
  // The macros agree with the string.
  EXPECT_EQ(version, std::to_string(BIB_VERSION_MAJOR) + "." + std::to_string(BIB_VERSION_MINOR) + "." +
                         std::to_string(BIB_VERSION_PATCH));
  EXPECT_EQ(BIB_VERSION, BIB_VERSION_OF(BIB_VERSION_MAJOR, BIB_VERSION_MINOR, BIB_VERSION_PATCH));
}

}  // namespace
}  // namespace bib::test
