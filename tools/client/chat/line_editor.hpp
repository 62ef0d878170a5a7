// The input line: the text being typed (wide characters, so one keypress is one character
// whatever its UTF-8 length), the cursor, and the history of submitted lines (Up/Down), the
// way readline and irssi edit a line. Arriving messages never touch it: the screen redraws it
// after drawing them. No terminal here; curses_screen.cpp maps keys to these calls.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace bib::chat {

class LineEditor {
 public:
  static constexpr std::size_t kHistory = 500;

  void insert(wchar_t c);
  void backspace();        // the character before the cursor
  void delete_forward();   // the character under the cursor (Delete)
  void left();
  void right();
  void home();
  void end();
  void kill_to_start();    // Ctrl-U
  void kill_to_end();      // Ctrl-K
  void kill_word();        // Ctrl-W: the word before the cursor and the blanks after it
  // Tab: the word before the cursor completed from `candidates` (commands, names): the one that
  // fits and a blank, or as far as all that fit agree.
  void complete(const std::vector<std::wstring>& candidates);
  void older();            // Up: the previous submitted line (the line being typed is kept)
  void newer();            // Down
  // The line, now empty; non-blank lines go into the history.
  std::wstring submit();

  const std::wstring& text() const noexcept { return text_; }
  std::size_t cursor() const noexcept { return cursor_; }

 private:
  void show(std::wstring text);

  std::wstring text_;
  std::size_t cursor_ = 0;
  std::vector<std::wstring> history_;
  std::size_t browsing_ = 0;  // index into history_; == size(): the line being typed
  std::wstring draft_;        // the line being typed, while browsing the history
};

}  // namespace bib::chat
