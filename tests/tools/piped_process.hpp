// A child process whose stdin the test writes to (a person at the keyboard, or a script),
// with stdout and stderr in separate files. Always stopped by PID when the object goes away
// (SIGTERM, SIGKILL after a grace), even when the test fails.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace bib::test {

class PipedProcess {
 public:
  // argv[0] is the program path; output goes to `out_path` and `err_path`.
  PipedProcess(std::vector<std::string> argv, std::string out_path, std::string err_path);
  ~PipedProcess();
  PipedProcess(const PipedProcess&) = delete;
  PipedProcess& operator=(const PipedProcess&) = delete;

  void write(const std::string& text);  // to its stdin
  void close_stdin();                   // end of input
  // Exit code, 128+signal, or -1 when it has not exited within `timeout`.
  int wait_exit(std::chrono::milliseconds timeout);
  std::string out() const;
  std::string err() const;

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int status_ = 0;
  bool exited_ = false;
  std::string out_path_;
  std::string err_path_;
};

}  // namespace bib::test
