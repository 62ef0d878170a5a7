// Lines from a file descriptor (stdin) that can be waited on together with a ZeroMQ socket:
// read_some() after poll says the fd is readable, next_line() for each complete line. Works
// for a terminal and for a pipe or file (a script on stdin; end of file ends the input, and a
// last line without a newline still counts).
#pragma once

#include <optional>
#include <string>

#include <zmq.hpp>

namespace bib::client {

class LineInput {
 public:
  explicit LineInput(int fd = 0) : fd_(fd) {}

  zmq::pollitem_t poll_item() const noexcept { return zmq::pollitem_t{nullptr, fd_, ZMQ_POLLIN, 0}; }
  // One read(2): appends what came; at end of file (or a read error) marks the end.
  void read_some();
  // The next complete line (without "\n" or "\r\n"), or the unterminated rest once at the end.
  std::optional<std::string> next_line();
  // No line is left and none will come.
  bool finished() const noexcept { return eof_ && buffer_.empty(); }

 private:
  int fd_;
  std::string buffer_;
  bool eof_ = false;
};

}  // namespace bib::client
