#include "wire_log.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>

#include "bib_cli/display.hpp"

namespace bib::chat {

Result<bool> WireLog::open_file(WireLog& log, const std::string& path) {
  log.file_.open(path, std::ios::app);
  if (!log.file_) return Error{"--wire-log " + path + ": cannot open: " + std::strerror(errno)};
  return true;
}

void WireLog::add(const std::string& line) {
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::string stamped = cli::time_of_day(Value(now)) + " " + line;
  if (file_.is_open()) file_ << stamped << std::endl;  // flushed: `tail -f` shows it at once
  newest_.push_back(std::move(stamped));
  if (newest_.size() > kKept) newest_.pop_front();
  ++count_;
}

}  // namespace bib::chat
