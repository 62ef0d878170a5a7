// A terminal for tests of full-screen programs: one tmux server on a socket of its own
// (`tmux -L <unique>`, never the user's), one session running the program in a pane of a fixed
// size. Keys go in with send-keys, the screen comes out with capture-pane; waits poll the screen
// until a text shows, with a deadline. The server (and with it the program) is killed when the
// object goes away, so a failing test leaves nothing behind.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace bib::test {

class TmuxSession {
 public:
  // "" when tmux can run here, else one line saying what is missing.
  static std::string unavailable();

  // Starts `command` (argv, each word quoted for the shell) in a width x height pane, with
  // `environment` ("NAME=value") set for it. The pane stays after the program exits, so its
  // last screen can be read.
  TmuxSession(const std::vector<std::string>& command, const std::vector<std::string>& environment,
              const std::string& dir, int width = 120, int height = 40);
  ~TmuxSession();
  TmuxSession(const TmuxSession&) = delete;
  TmuxSession& operator=(const TmuxSession&) = delete;

  void type(const std::string& text);  // literal characters
  void press(const std::string& key);  // a tmux key name: Enter, C-u, M-2, F2, PPage...
  std::string screen() const;          // the visible pane, one line per row
  void resize(int width, int height);  // as a person resizing the terminal: the program gets SIGWINCH
  // Polls the screen until it contains `text`; false at the deadline.
  bool wait_for(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  // The program's exit status once it ended (128 + the signal that killed it), -1 while it runs.
  int exit_status() const;

 private:
  std::string tmux(const std::vector<std::string>& args) const;

  std::string socket_;
  std::string socket_path_;  // removed at the end
  std::string dir_;
  std::string status_file_;  // the program's exit status, written when it ends
};

}  // namespace bib::test
