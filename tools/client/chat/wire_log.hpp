// Where the chat puts the wire lines (bib_cli/wire_printer.hpp) so that they never mix with
// the conversation: the newest ones in memory for the wire pane (F2), and every one appended
// to a file when --wire-log names one, each line after the local time it was written.
#pragma once

#include <cstddef>
#include <deque>
#include <fstream>
#include <string>

#include "bib/result.hpp"

namespace bib::chat {

class WireLog {
 public:
  static constexpr std::size_t kKept = 1000;

  // No file: memory only.
  WireLog() = default;
  // Appends to `path` (created when missing); an Error names it when it cannot be opened.
  static Result<bool> open_file(WireLog& log, const std::string& path);

  void add(const std::string& line);
  const std::deque<std::string>& newest() const noexcept { return newest_; }
  std::size_t count() const noexcept { return count_; }  // lines since start, for redraws

 private:
  std::ofstream file_;
  std::deque<std::string> newest_;
  std::size_t count_ = 0;
};

}  // namespace bib::chat
