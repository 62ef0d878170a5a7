#include "tmux_session.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <sstream>

#include "support/wait.hpp"
#include "tools_cluster.hpp"

namespace bib::test {

namespace {

// Appends `arg` in single quotes. Piece by piece: GCC 12 at -O3 warns (stringop-overflow)
// about `" " + quoted(arg)`.
void append_quoted(std::string& line, const std::string& arg) {
  line += " '";
  for (char c : arg) {
    if (c == '\'') line += "'\\''";
    else line += c;
  }
  line += '\'';
}

}  // namespace

std::string TmuxSession::unavailable() {
  const std::string dir = make_temp_dir("tmux-check");
  const ToolRun r = run_tool({"/usr/bin/env", "tmux", "-V"}, dir, 10);
  if (r.code == 0) return "";
  return "tmux is missing (Debian: apt-get install tmux; tools/setup.sh installs it): the chat's terminal "
         "tests drive it in tmux";
}

TmuxSession::TmuxSession(const std::vector<std::string>& command, const std::vector<std::string>& environment,
                         const std::string& dir, int width, int height)
    : dir_(dir) {
  static std::atomic<int> sessions{0};
  socket_ = "bib-test-" + std::to_string(::getpid()) + "-" + std::to_string(++sessions);
  // The shell tmux starts waits for the program and writes its exit status to a file: tmux
  // 3.3 sometimes leaves an exited pane unreaped, its status unknown.
  status_file_ = dir + "/" + socket_ + ".status";
  std::string line = "env";
  for (const auto& assignment : environment) append_quoted(line, assignment);
  for (const auto& word : command) append_quoted(line, word);
  line += "; echo $? >";
  append_quoted(line, status_file_);
  // -f /dev/null: none of the user's tmux configuration; remain-on-exit keeps the last screen.
  tmux({"-f", "/dev/null", "new-session", "-d", "-s", "chat", "-x", std::to_string(width), "-y",
        std::to_string(height), "-e", "TERM=xterm-256color", line});
  tmux({"set-option", "-t", "chat", "remain-on-exit", "on"});
  socket_path_ = tmux({"display-message", "-p", "-t", "chat", "#{socket_path}"});
  while (!socket_path_.empty() && socket_path_.back() == '\n') socket_path_.pop_back();
}

TmuxSession::~TmuxSession() {
  tmux({"kill-server"});
  if (!socket_path_.empty()) std::remove(socket_path_.c_str());  // a killed server leaves it
}

std::string TmuxSession::tmux(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{"/usr/bin/env", "tmux", "-L", socket_};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_tool(argv, dir_, 10).out;
}

void TmuxSession::type(const std::string& text) { tmux({"send-keys", "-t", "chat", "-l", text}); }

void TmuxSession::press(const std::string& key) { tmux({"send-keys", "-t", "chat", key}); }

std::string TmuxSession::screen() const { return tmux({"capture-pane", "-p", "-t", "chat"}); }

void TmuxSession::resize(int width, int height) {
  tmux({"resize-window", "-t", "chat", "-x", std::to_string(width), "-y", std::to_string(height)});
}

bool TmuxSession::wait_for(const std::string& text, std::chrono::milliseconds timeout) const {
  return wait_until([&] { return screen().find(text) != std::string::npos; }, timeout, std::chrono::milliseconds(50));
}

int TmuxSession::exit_status() const {
  std::istringstream text(read_text(status_file_));  // the shell's $?: 128 + a signal's number
  int status = -1;
  return text >> status ? status : -1;
}

}  // namespace bib::test
