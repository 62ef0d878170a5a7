// The windows of the chat, as irssi has them: window 1 is the status window (replies to
// commands, errors), then one per joined channel ("#geral") and one per private conversation
// ("@bia"), numbered in the order they opened. Each keeps its scrollback and counts the lines
// that arrived while another window was shown. No terminal here: the screens draw this.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <vector>

namespace bib::chat {

struct ChatLine {
  enum class Kind { post, private_message, own, info, error };
  std::string time;  // "HH:MM:SS"
  Kind kind = Kind::info;
  std::string who;   // author of a post or message; empty for info and error lines
  std::string text;
};

struct ChatWindow {
  enum class Type { status, channel, query };
  Type type = Type::status;
  std::string name;  // channel or user; "status" for the first window
  std::deque<ChatLine> lines;
  int unread = 0;      // lines that came while another window was shown
  int scrolled = 0;    // lines scrolled back from the newest (0: following new lines)

  // "#geral", "@bia", "status".
  std::string label() const;
};

class ChatWindows {
 public:
  // Called for every line added (the plain line mode prints it).
  using Listener = std::function<void(const ChatWindow&, const ChatLine&)>;
  static constexpr std::size_t kMaxLines = 5000;  // scrollback per window

  ChatWindows();

  // The index of the window, opened (at the end) when missing.
  std::size_t open(ChatWindow::Type type, const std::string& name);
  // Index of the window, or npos.
  std::size_t find(ChatWindow::Type type, const std::string& name) const;
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  // Closes a channel or query window; the status window stays.
  void close(std::size_t index);

  void add(std::size_t index, ChatLine line);
  void add_to_current(ChatLine line) { add(current_, std::move(line)); }

  void select(std::size_t index);  // out of range: nothing happens
  void next();
  void previous();
  void scroll(int lines);  // positive: back in time

  std::size_t current_index() const noexcept { return current_; }
  const ChatWindow& current() const { return windows_[current_]; }
  const std::vector<ChatWindow>& all() const noexcept { return windows_; }
  void on_line(Listener listener) { listener_ = std::move(listener); }

 private:
  std::vector<ChatWindow> windows_;
  std::size_t current_ = 0;
  Listener listener_;
};

}  // namespace bib::chat
