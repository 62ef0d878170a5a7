// The full-screen chat on a terminal, with ncurses (wide-character build, ncursesw):
//
//   BulletInBoard  #geral                                        broker tcp://127.0.1.2:5555
//   21:04:10 <bot-1> bom dia                         scrollback of the current window,
//   21:04:12 <ana> oi                                one colour per name, wrapped lines
//   21:04:13 -!- joined #geral                       (F2 splits off the wire pane below)
//   [21:05] [ana] [2:#geral] [act: 3:@bia(2)] [via server-2] [lamport 812]
//   [#geral] text being typed_
//
// Keys are read without blocking (poll stdin first), so the loop waits on the terminal and
// the pub/sub socket at once; typed text lives in a LineEditor and is drawn last, so arriving
// lines never disturb it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chat_windows.hpp"
#include "line_editor.hpp"
#include "wire_log.hpp"

namespace bib::chat {

// What the status line says besides the windows.
struct StatusFacts {
  std::string user;
  std::string answered_by;  // the server that answered the last write, when known
  std::uint64_t lamport = 0;
  bool proxy_connected = true;  // false: "proxy down" in the status line
};

class CursesScreen {
 public:
  CursesScreen();
  ~CursesScreen();
  CursesScreen(const CursesScreen&) = delete;
  CursesScreen& operator=(const CursesScreen&) = delete;

  struct Input {
    std::vector<std::string> lines;  // submitted with Enter, UTF-8
    bool quit = false;               // Ctrl-D on an empty line
  };
  // Every key waiting on the terminal; window keys act on `windows` at once.
  Input read_keys(ChatWindows& windows);
  void draw(const ChatWindows& windows, const StatusFacts& facts, const WireLog& wire);

 private:
  void draw_title(const ChatWindows& windows, int width);
  void draw_lines(const ChatWindow& window, int top, int rows, int width);
  void draw_wire(const WireLog& wire, int top, int rows, int width);
  void draw_status(const ChatWindows& windows, const StatusFacts& facts, int row, int width);
  void draw_input(const ChatWindows& windows, int row, int width);

  LineEditor editor_;
  bool wire_shown_ = false;
  bool after_escape_ = false;  // ESC seen: the next key is an Alt combination
  int drawn_height_ = -1;       // the size of the last draw: another one paints every row again
  int drawn_width_ = -1;
};

}  // namespace bib::chat
