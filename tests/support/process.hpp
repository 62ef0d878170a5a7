// A child process owned by a test: started with fork/exec, output to a log file, and always
// stopped by PID (SIGTERM, then SIGKILL after a grace period) when the object goes away,
// even when the test fails.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace bib::test {

class Process {
 public:
  // argv[0] is the program path. stdout and stderr go to log_path (appended).
  Process(std::vector<std::string> argv, std::string log_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running();                       // not exited yet (reaps it if it has)
  void signal(int sig);                 // e.g. SIGKILL, SIGSTOP, SIGCONT
  // SIGTERM, wait up to grace, then SIGKILL. Returns the exit status (as waitpid) or -1.
  int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  // Wait for exit up to timeout; returns the exit code, 128+signal, or -1 on timeout.
  int wait_exit(std::chrono::milliseconds timeout);
  const std::string& log_path() const { return log_path_; }
  std::string log() const;              // the whole log so far

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  bool exited_ = false;
  std::string log_path_;
};

// A fresh directory under the build tree's Testing/ for one test's files.
std::string make_temp_dir(const std::string& prefix);

// In a child just forked by `parent`: have the kernel SIGKILL it when the test process ends,
// however it ends (ctest kills a test that overran its time with SIGKILL, and no destructor
// runs then). The test's processes start and stop on the thread that runs the test, which is
// what the kernel watches. Async-signal-safe.
void die_with_parent(pid_t parent);

// Paths of built things.
std::string bin_path(const std::string& name);     // BIB_BIN_DIR/name
std::string plugin_dir();                           // BIB_PLUGIN_DIR
std::string source_path(const std::string& relative);  // BIB_SOURCE_DIR/relative

}  // namespace bib::test
