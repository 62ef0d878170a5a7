#include "tools_cluster.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "bib/json.hpp"
#include "support/wait.hpp"

namespace bib::test {

namespace {

std::string quoted(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ToolRun run_tool(const std::vector<std::string>& argv, const std::string& dir, int limit_s,
                 const std::string& stdin_path) {
  static int runs = 0;
  const std::string n = std::to_string(++runs);
  const std::string out = dir + "/run-" + n + ".out";
  const std::string err = dir + "/run-" + n + ".err";
  // `timeout` bounds a hung tool; it exits 124 then, and 128+9 after its KILL.
  std::string command = "timeout -k 5 " + std::to_string(limit_s);
  // Appended piece by piece: GCC 12 at -O3 warns (stringop-overflow) about `" " + quoted(a)`.
  for (const auto& a : argv) {
    command += ' ';
    command += quoted(a);
  }
  command += " >" + quoted(out) + " 2>" + quoted(err) + " <" + quoted(stdin_path.empty() ? "/dev/null" : stdin_path);
  const int status = std::system(command.c_str());
  return ToolRun{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(out), read_text(err)};
}

// The start time (clock ticks since boot) of a running, non-zombie process; 0 when gone.
long long start_time(long long pid) {
  const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::vector<std::string> parts;
  for (std::string field; fields >> field;) parts.push_back(field);
  if (parts.size() < 20 || parts[0] == "Z" || parts[0] == "X") return 0;
  return std::stoll(parts[19]);
}

int count_lines(const std::string& text, const std::string& needle) {
  std::istringstream lines(text);
  int count = 0;
  for (std::string line; std::getline(lines, line);)
    if (line.find(needle) != std::string::npos) ++count;
  return count;
}

ToolRun ToolsClusterTest::launcher(const std::vector<std::string>& args) {
  // XDG_STATE_HOME in the workdir: bib-cluster's "current cluster" pointer is the test's own.
  std::vector<std::string> argv{"/usr/bin/env", "BIB_BUILD_DIR=" + bin_path(".."), "XDG_STATE_HOME=" + workdir + "/state", "python3",
                                source_path("tools/bib-cluster"), "--workdir", workdir};
  argv.insert(argv.end(), args.begin(), args.end());
  ToolRun run = run_tool(argv, workdir, 90);
  remember_recorded();
  return run;
}

void ToolsClusterTest::up(int bots) {
  const ToolRun run = launcher({"up", "--servers", "1", "--bots", std::to_string(bots), "--base", base,
                                "--timeout", "40"});
  ASSERT_EQ(run.code, 0) << run.all();
}

Value ToolsClusterTest::launcher_status() {
  const ToolRun run = launcher({"status", "--json"});
  EXPECT_EQ(run.code, 0) << run.all();
  auto status = parse_json(run.out);
  EXPECT_TRUE(status) << run.out;
  return status ? status.value() : Value(Map{});
}

void ToolsClusterTest::remember_recorded() {
  auto state = parse_json(read_text(workdir + "/cluster.json"));
  if (!state || !state.value().is_map()) return;
  for (const auto& p : state.value().get_array("processes")) {
    const auto started = p.at("starttime");
    if (started.is_int()) recorded_.insert({p.get_int("pid"), started.as_int()});
  }
}

void ToolsClusterTest::TearDown() {
  launcher({"down", "--grace", "3"});
  for (const auto& [pid, started] : recorded_) {
    if (start_time(pid) == started) ::kill(static_cast<pid_t>(pid), SIGKILL);
  }
  for (const auto& [pid, started] : recorded_) {
    EXPECT_TRUE(wait_until([&, p = pid, s = started] { return start_time(p) != s; }, std::chrono::seconds(5)))
        << "pid " << pid << " of this test's cluster still runs";
  }
}

std::vector<std::string> ToolsClusterTest::endpoint_flags() const {
  return {"--broker", broker(), "--proxy", proxy()};
}

ToolRun ToolsClusterTest::bib(const std::vector<std::string>& args) {
  std::vector<std::string> argv{bin_path("bib")};
  const auto flags = endpoint_flags();
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return run_tool(argv, workdir);
}

}  // namespace bib::test
