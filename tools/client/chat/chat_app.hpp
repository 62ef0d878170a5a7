// `bib` (or `bib chat`): the chat, full screen with ncurses when stdin and stdout are a
// terminal, else a plain line mode (a script on stdin, output to a file or pipe): every line
// any window gets is printed as "HH:MM:SS #geral <ana> oi", and typed lines are the same
// commands. Both wait on the keyboard and the pub/sub socket at once (zmq::poll on fd 0).
#pragma once

#include <string>

#include "bib_cli/connection.hpp"

namespace bib::chat {

struct ChatOptions {
  std::string wire_log;    // append the wire lines to this file; empty: memory only (F2 pane)
  bool line_mode = false;  // the plain line mode even on a terminal
};

// The process exit code (bib_cli/exit_codes.hpp).
int run_chat(const cli::Connection& connection, const ChatOptions& options);

}  // namespace bib::chat
