#include "line_input.hpp"

#include <unistd.h>

#include <cerrno>

namespace bib::client {

void LineInput::read_some() {
  char chunk[4096];
  const ssize_t n = ::read(fd_, chunk, sizeof chunk);
  if (n > 0) {
    buffer_.append(chunk, static_cast<std::size_t>(n));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    eof_ = true;
  }
}

std::optional<std::string> LineInput::next_line() {
  const auto end = buffer_.find('\n');
  if (end == std::string::npos) {
    if (!eof_ || buffer_.empty()) return std::nullopt;
    std::string rest = std::move(buffer_);
    buffer_.clear();
    return rest;
  }
  std::string line = buffer_.substr(0, end);
  buffer_.erase(0, end + 1);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace bib::client
