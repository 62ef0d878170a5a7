#include "line_editor.hpp"

#include <algorithm>
#include <cwctype>

namespace bib::chat {

void LineEditor::insert(wchar_t c) { text_.insert(cursor_++, 1, c); }

void LineEditor::backspace() {
  if (cursor_ > 0) text_.erase(--cursor_, 1);
}

void LineEditor::delete_forward() {
  if (cursor_ < text_.size()) text_.erase(cursor_, 1);
}

void LineEditor::left() {
  if (cursor_ > 0) --cursor_;
}

void LineEditor::right() {
  if (cursor_ < text_.size()) ++cursor_;
}

void LineEditor::home() { cursor_ = 0; }

void LineEditor::end() { cursor_ = text_.size(); }

void LineEditor::kill_to_start() {
  text_.erase(0, cursor_);
  cursor_ = 0;
}

void LineEditor::kill_to_end() { text_.erase(cursor_); }

void LineEditor::kill_word() {
  std::size_t start = cursor_;
  while (start > 0 && std::iswspace(static_cast<wint_t>(text_[start - 1]))) --start;
  while (start > 0 && !std::iswspace(static_cast<wint_t>(text_[start - 1]))) --start;
  text_.erase(start, cursor_ - start);
  cursor_ = start;
}

void LineEditor::complete(const std::vector<std::wstring>& candidates) {
  std::size_t start = cursor_;
  while (start > 0 && !std::iswspace(static_cast<wint_t>(text_[start - 1]))) --start;
  const std::wstring word = text_.substr(start, cursor_ - start);
  if (word.empty()) return;
  std::vector<const std::wstring*> fitting;
  for (const auto& candidate : candidates)
    if (candidate.size() >= word.size() && candidate.compare(0, word.size(), word) == 0 &&
        std::find_if(fitting.begin(), fitting.end(), [&](const std::wstring* f) { return *f == candidate; }) ==
            fitting.end())
      fitting.push_back(&candidate);
  if (fitting.empty()) return;
  std::wstring completion = *fitting.front();
  for (const std::wstring* other : fitting) {
    std::size_t same = 0;
    while (same < completion.size() && same < other->size() && completion[same] == (*other)[same]) ++same;
    completion.resize(same);
  }
  if (fitting.size() == 1) completion += L' ';
  text_.replace(start, cursor_ - start, completion);
  cursor_ = start + completion.size();
}

void LineEditor::show(std::wstring text) {
  text_ = std::move(text);
  cursor_ = text_.size();
}

void LineEditor::older() {
  if (browsing_ == 0 || history_.empty()) return;
  if (browsing_ == history_.size()) draft_ = text_;
  show(history_[--browsing_]);
}

void LineEditor::newer() {
  if (browsing_ >= history_.size()) return;
  ++browsing_;
  show(browsing_ == history_.size() ? draft_ : history_[browsing_]);
}

std::wstring LineEditor::submit() {
  std::wstring line = std::move(text_);
  text_.clear();
  cursor_ = 0;
  draft_.clear();
  const bool blank = line.find_first_not_of(L" \t") == std::wstring::npos;
  if (!blank && (history_.empty() || history_.back() != line)) history_.push_back(line);
  if (history_.size() > kHistory) history_.erase(history_.begin());
  browsing_ = history_.size();
  return line;
}

}  // namespace bib::chat
