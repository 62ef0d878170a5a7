// SIGINT and SIGTERM as a readable file descriptor, so that shutdown is just another event in
// the loop rather than work done inside a signal handler.
#pragma once

namespace bib::host {

class ShutdownSignals {
 public:
  // Blocks SIGINT and SIGTERM in the calling thread. Construct it before any other thread
  // starts (ZeroMQ's I/O threads), so that every thread inherits the mask and the signals
  // can only be taken from the fd.
  ShutdownSignals();
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  int fd() const { return fd_; }
  // Takes one pending signal; returns its number, or 0 when none was pending.
  int take();

 private:
  int fd_ = -1;
};

}  // namespace bib::host
