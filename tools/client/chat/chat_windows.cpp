#include "chat_windows.hpp"

#include <algorithm>

namespace bib::chat {

std::string ChatWindow::label() const {
  switch (type) {
    case Type::channel:
      return "#" + name;
    case Type::query:
      return "@" + name;
    case Type::status:
      break;
  }
  return name;
}

ChatWindows::ChatWindows() { windows_.push_back(ChatWindow{ChatWindow::Type::status, "status", {}, 0, 0}); }

std::size_t ChatWindows::find(ChatWindow::Type type, const std::string& name) const {
  for (std::size_t i = 0; i < windows_.size(); ++i)
    if (windows_[i].type == type && windows_[i].name == name) return i;
  return npos;
}

std::size_t ChatWindows::open(ChatWindow::Type type, const std::string& name) {
  if (const std::size_t found = find(type, name); found != npos) return found;
  windows_.push_back(ChatWindow{type, name, {}, 0, 0});
  return windows_.size() - 1;
}

void ChatWindows::close(std::size_t index) {
  if (index == 0 || index >= windows_.size()) return;
  windows_.erase(windows_.begin() + static_cast<std::ptrdiff_t>(index));
  if (current_ >= index) current_ = current_ == index ? index - 1 : current_ - 1;
}

void ChatWindows::add(std::size_t index, ChatLine line) {
  if (index >= windows_.size()) index = 0;
  ChatWindow& window = windows_[index];
  if (listener_) listener_(window, line);
  window.lines.push_back(std::move(line));
  if (window.lines.size() > kMaxLines) window.lines.pop_front();
  // A reader scrolled back keeps seeing the same lines.
  if (window.scrolled > 0) window.scrolled = std::min<int>(window.scrolled + 1, static_cast<int>(window.lines.size()));
  if (index != current_) ++window.unread;
}

void ChatWindows::select(std::size_t index) {
  if (index >= windows_.size()) return;
  current_ = index;
  windows_[current_].unread = 0;
}

void ChatWindows::next() { select((current_ + 1) % windows_.size()); }

void ChatWindows::previous() { select((current_ + windows_.size() - 1) % windows_.size()); }

void ChatWindows::scroll(int lines) {
  ChatWindow& window = windows_[current_];
  window.scrolled = std::clamp(window.scrolled + lines, 0, static_cast<int>(window.lines.size()));
}

}  // namespace bib::chat
