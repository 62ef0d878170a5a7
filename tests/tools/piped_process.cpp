#include "piped_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

#include "tools_cluster.hpp"

namespace bib::test {

namespace {

int open_output(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + path);
  return fd;
}

}  // namespace

PipedProcess::PipedProcess(std::vector<std::string> argv, std::string out_path, std::string err_path)
    : out_path_(std::move(out_path)), err_path_(std::move(err_path)) {
  if (argv.empty()) throw std::invalid_argument("PipedProcess needs a program");
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const int out = open_output(out_path_);
  const int err = open_output(err_path_);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(pipe_fds[0], STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    ::setpgid(0, 0);  // its own group: a signal to the test runner does not reach it twice
    die_with_parent(parent);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(pipe_fds[0]);
  ::close(out);
  ::close(err);
  stdin_fd_ = pipe_fds[1];
  ::signal(SIGPIPE, SIG_IGN);  // writing after the child quit must fail, not kill the test
}

PipedProcess::~PipedProcess() {
  close_stdin();
  if (wait_exit(std::chrono::milliseconds(0)) == -1) {
    ::kill(pid_, SIGTERM);
    if (wait_exit(std::chrono::milliseconds(3000)) == -1) {
      ::kill(pid_, SIGKILL);
      wait_exit(std::chrono::milliseconds(5000));
    }
  }
}

void PipedProcess::write(const std::string& text) {
  if (stdin_fd_ < 0) return;
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(stdin_fd_, text.data() + done, text.size() - done);
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

void PipedProcess::close_stdin() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  stdin_fd_ = -1;
}

int PipedProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!exited_) {
    if (::waitpid(pid_, &status_, WNOHANG) == pid_) {
      exited_ = true;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
  return -1;
}

std::string PipedProcess::out() const { return read_text(out_path_); }
std::string PipedProcess::err() const { return read_text(err_path_); }

}  // namespace bib::test
