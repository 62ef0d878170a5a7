#include "support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace bib::test {

Process::Process(std::vector<std::string> argv, std::string log_path) : log_path_(std::move(log_path)) {
  if (argv.empty()) throw std::invalid_argument("Process needs a program");
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open log " + log_path_);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(fd);
    throw std::runtime_error("fork failed");
  }
  if (pid_ == 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::setpgid(0, 0);  // its own group: a signal to the test runner does not reach it twice
    die_with_parent(parent);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(fd);
}

Process::~Process() { stop(std::chrono::milliseconds(3000)); }

bool Process::running() {
  if (exited_ || pid_ <= 0) return false;
  const pid_t r = ::waitpid(pid_, &status_, WNOHANG);
  if (r == pid_) exited_ = true;
  return !exited_;
}

void Process::signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

int Process::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
  return -1;
}

int Process::stop(std::chrono::milliseconds grace) {
  if (!running()) return exited_ ? wait_exit(std::chrono::milliseconds(0)) : -1;
  ::kill(pid_, SIGCONT);  // a stopped process cannot handle SIGTERM
  ::kill(pid_, SIGTERM);
  int code = wait_exit(grace);
  if (code == -1) {
    ::kill(pid_, SIGKILL);
    code = wait_exit(std::chrono::milliseconds(5000));
  }
  return code;
}

std::string Process::log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void die_with_parent(pid_t parent) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
}

std::string make_temp_dir(const std::string& prefix) {
  std::string base = std::string(BIB_BIN_DIR) + "/../Testing/tmp";
  std::string mk = "mkdir -p '" + base + "'";
  if (std::system(mk.c_str()) != 0) throw std::runtime_error("cannot create " + base);
  std::string templ = base + "/" + prefix + "-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + templ);
  return templ;
}

std::string bin_path(const std::string& name) { return std::string(BIB_BIN_DIR) + "/" + name; }
std::string plugin_dir() { return BIB_PLUGIN_DIR; }
std::string source_path(const std::string& relative) { return std::string(BIB_SOURCE_DIR) + "/" + relative; }

}  // namespace bib::test
