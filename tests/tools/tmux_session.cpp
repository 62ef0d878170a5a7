#include "tmux_session.hpp"

#include <unistd.h>

#include <atomic>

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
  std::string line = "exec env";
  for (const auto& assignment : environment) append_quoted(line, assignment);
  for (const auto& word : command) append_quoted(line, word);
  // -f /dev/null: none of the user's tmux configuration; remain-on-exit keeps the last screen.
  tmux({"-f", "/dev/null", "new-session", "-d", "-s", "chat", "-x", std::to_string(width), "-y",
        std::to_string(height), "-e", "TERM=xterm-256color", line});
  tmux({"set-option", "-t", "chat", "remain-on-exit", "on"});
}

TmuxSession::~TmuxSession() { tmux({"kill-server"}); }

std::string TmuxSession::tmux(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{"/usr/bin/env", "tmux", "-L", socket_};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_tool(argv, dir_, 10).out;
}

void TmuxSession::type(const std::string& text) { tmux({"send-keys", "-t", "chat", "-l", text}); }

void TmuxSession::press(const std::string& key) { tmux({"send-keys", "-t", "chat", key}); }

std::string TmuxSession::screen() const { return tmux({"capture-pane", "-p", "-t", "chat"}); }

bool TmuxSession::wait_for(const std::string& text, std::chrono::milliseconds timeout) const {
  return wait_until([&] { return screen().find(text) != std::string::npos; }, timeout, std::chrono::milliseconds(50));
}

int TmuxSession::exit_status() const {
  const std::string out = tmux({"list-panes", "-t", "chat", "-F", "#{pane_dead} #{pane_dead_status}"});
  if (out.rfind("1 ", 0) != 0) return -1;
  return std::stoi(out.substr(2));
}

}  // namespace bib::test
