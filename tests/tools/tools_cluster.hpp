// Test support for the client tools: a GoogleTest fixture that owns one local cluster
// (tools/bib-cluster up in this test's own loopback /24 and work directory, always brought
// down, with a SIGKILL fallback by recorded PID and start time), and a way to run a tool to
// completion with its stdout and stderr captured apart.
#pragma once

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "bib/value.hpp"
#include "support/loopback.hpp"
#include "support/process.hpp"

namespace bib::test {

struct ToolRun {
  int code = -1;  // exit code; -1 when killed (e.g. by the time limit)
  std::string out;
  std::string err;
  std::string all() const { return "stdout:\n" + out + "\nstderr:\n" + err; }
};

std::string read_text(const std::string& path);

// Runs argv (argv[0] a path) to completion, at most `limit_s` seconds, stdin from /dev/null
// unless `stdin_path` is given; files for stdout and stderr go under `dir`.
ToolRun run_tool(const std::vector<std::string>& argv, const std::string& dir, int limit_s = 60,
                 const std::string& stdin_path = "");

class ToolsClusterTest : public ::testing::Test {
 protected:
  void TearDown() override;

  // bib-cluster up --servers 1 --bots B in this test's block; fails the test when it fails.
  void up(int bots = 0);
  ToolRun launcher(const std::vector<std::string>& args);
  Value launcher_status();

  // `bib ARGS` with this cluster's endpoints given as flags.
  ToolRun bib(const std::vector<std::string>& args);
  // The same flags for a process started some other way.
  std::vector<std::string> endpoint_flags() const;

  std::string broker() const { return "tcp://" + base + ".2:5555"; }
  std::string proxy() const { return "tcp://" + base + ".3:5558"; }
  std::string server_direct(int n) const { return "tcp://" + base + "." + std::to_string(10 + n) + ":5561"; }

  LoopbackBlock block;
  std::string base = block.address(1).substr(0, block.address(1).rfind('.'));  // "127.A.B"
  std::string workdir = make_temp_dir("tools");

 private:
  void remember_recorded();
  std::set<std::pair<long long, long long>> recorded_;  // (pid, start time)
};

// The start time (clock ticks since boot) of a running, non-zombie process; 0 when gone.
long long start_time(long long pid);

// How many lines of `text` contain `needle`.
int count_lines(const std::string& text, const std::string& needle);

}  // namespace bib::test
