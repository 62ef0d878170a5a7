#include "support/cluster.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "bib/json.hpp"
#include "support/loopback.hpp"
#include "support/process.hpp"
#include "support/wait.hpp"

namespace bib::test {

namespace {

using namespace std::chrono_literals;

// Seconds a launcher command may take beyond its own waits before `timeout` ends it.
constexpr std::chrono::seconds kLauncherSlack{20};
constexpr std::chrono::seconds kDownGrace{5};
constexpr int kBlockTries = 100;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
  return out;
}

// Takes a random loopback /24 no other LocalCluster holds: an flock on a file named after the
// block, in a directory every test process shares. The fd is close-on-exec, so the cluster's
// own processes never inherit (and keep) the lock. Returns the lock file's path and fd.
std::pair<std::string, int> claim_block() {
  const auto dir = std::filesystem::temp_directory_path() / "bib-loopback-blocks";
  std::filesystem::create_directories(dir);
  for (int i = 0; i < kBlockTries; ++i) {
    const LoopbackBlock block;
    const std::string first = block.address(1);
    const std::string base = first.substr(0, first.rfind('.'));
    const std::string path = (dir / (base + ".lock")).string();
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) throw std::runtime_error("cannot open " + path);
    // The holder unlinks the file when it is done: a lock taken on a file since unlinked (or
    // replaced) holds nothing, so it must still be the file at `path`.
    struct stat held {}, named {};
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0 && ::fstat(fd, &held) == 0 && ::stat(path.c_str(), &named) == 0 &&
        held.st_ino == named.st_ino && held.st_dev == named.st_dev)
      return {path, fd};
    ::close(fd);
  }
  throw std::runtime_error("no free loopback block after " + std::to_string(kBlockTries) + " tries");
}

}  // namespace

long long process_start_time(long long pid) {
  // The command name is in parentheses and may hold spaces: split after the last ')'.
  const std::string line = read_text("/proc/" + std::to_string(pid) + "/stat");
  const auto close = line.rfind(')');
  if (close == std::string::npos || close + 2 > line.size()) return 0;
  std::istringstream fields(line.substr(close + 2));
  std::vector<std::string> parts;
  for (std::string field; fields >> field;) parts.push_back(field);
  if (parts.size() < 20 || parts[0] == "Z" || parts[0] == "X") return 0;
  return std::stoll(parts[19]);
}

LocalCluster::LocalCluster(ClusterOptions options) : options_(std::move(options)) {
  std::tie(block_lock_path_, block_lock_fd_) = claim_block();
  base_ = std::filesystem::path(block_lock_path_).stem().string();  // ".../127.A.B.lock" -> "127.A.B"
  workdir_ = make_temp_dir("cluster-" + base_);
}

LocalCluster::~LocalCluster() {
  try {
    launcher({"down", "--grace", "3"});
  } catch (const std::exception&) {
    // The SIGKILLs below are the fallback.
  }
  for (const auto& [pid, started] : recorded_)
    if (process_start_time(pid) == started) ::kill(static_cast<pid_t>(pid), SIGKILL);
  wait_until(
      [&] {
        for (const auto& [pid, started] : recorded_)
          if (process_start_time(pid) == started) return false;
        return true;
      },
      5000ms);
  // Unlink while still holding the lock, so the directory does not fill up with old blocks.
  ::unlink(block_lock_path_.c_str());
  ::close(block_lock_fd_);
}

LauncherRun LocalCluster::launcher(const std::vector<std::string>& args) {
  std::chrono::seconds limit = kDownGrace + kLauncherSlack;
  if (!args.empty() && (args[0] == "up" || args[0] == "start")) limit += options_.ready_timeout;
  const std::string n = std::to_string(++runs_);
  const std::string out = workdir_ + "/launcher-" + n + ".out";
  const std::string err = workdir_ + "/launcher-" + n + ".err";
  // XDG_STATE_HOME in the workdir: the "current cluster" pointer bib-cluster keeps is the
  // test's own, never the user's (~/.local/state/bulletinboard/current).
  std::string command = "BIB_BUILD_DIR=" + shell_quote(bin_path("..")) + " XDG_STATE_HOME=" +
                        shell_quote(workdir_ + "/state") +
                        " timeout --kill-after=5 " + std::to_string(limit.count()) + " python3 " +
                        shell_quote(source_path("tools/bib-cluster")) + " --workdir " +
                        shell_quote(workdir_);
  for (const auto& a : args) command += " " + shell_quote(a);
  command += " >" + shell_quote(out) + " 2>" + shell_quote(err) + " </dev/null";
  const int status = std::system(command.c_str());
  remember_recorded();
  return LauncherRun{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(out), read_text(err)};
}

void LocalCluster::must(const std::vector<std::string>& args) {
  const LauncherRun run = launcher(args);
  if (run.code != 0)
    throw std::runtime_error("bib-cluster " + joined(args) + " (workdir " + workdir_ + ") exited " +
                             std::to_string(run.code) + "\nstdout:\n" + run.out + "stderr:\n" + run.err);
}

void LocalCluster::remember_recorded() {
  auto state = parse_json(read_text(workdir_ + "/cluster.json"));
  if (!state || !state.value().is_map() || !state.value().contains("processes")) return;
  for (const auto& p : state.value().at("processes").as_array()) {
    const Value* pid = p.find("pid");
    const Value* started = p.find("starttime");
    if (pid && pid->is_int() && started && started->is_int()) recorded_.insert({pid->as_int(), started->as_int()});
  }
}

void LocalCluster::up() {
  std::vector<std::string> args = {"up",
                                   "--servers", std::to_string(options_.servers),
                                   "--base", base_,
                                   "--timeout", std::to_string(options_.ready_timeout.count()),
                                   "--persistence", options_.persistence,
                                   "--bots", std::to_string(options_.bots)};
  if (!options_.replication.empty()) args.insert(args.end(), {"--replication", options_.replication});
  for (const auto& s : options_.set) args.insert(args.end(), {"--set", s});
  if (options_.secure) args.push_back("--secure");
  if (options_.secure_clients) args.push_back("--secure-clients");
  must(args);
}

void LocalCluster::down() { must({"down", "--grace", std::to_string(kDownGrace.count())}); }

void LocalCluster::restart_all() {
  down();
  up();
}

void LocalCluster::kill(const std::string& name) { must({"kill", name}); }
void LocalCluster::stop(const std::string& name) { must({"stop", name}); }
void LocalCluster::cont(const std::string& name) { must({"cont", name}); }
void LocalCluster::start(const std::string& name) {
  must({"start", name, "--timeout", std::to_string(options_.ready_timeout.count())});
}

std::string LocalCluster::broker_endpoint() const { return "tcp://" + base_ + ".2:5555"; }
std::string LocalCluster::proxy_sub_endpoint() const { return "tcp://" + base_ + ".3:5558"; }
std::string LocalCluster::server_endpoint(int n) const {
  return "tcp://" + base_ + "." + std::to_string(10 + n) + ":5561";
}

std::string LocalCluster::log_of(const std::string& name) const { return read_text(workdir_ + "/logs/" + name + ".log"); }

}  // namespace bib::test
