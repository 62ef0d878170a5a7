// The chat's input line: editing keys and the history of submitted lines.
#include <gtest/gtest.h>

#include "line_editor.hpp"

namespace bib::chat {
namespace {

void type(LineEditor& editor, const std::wstring& text) {
  for (wchar_t c : text) editor.insert(c);
}

TEST(LineEditor, EditsAtTheCursor) {
  LineEditor editor;
  type(editor, L"olá mundo");
  editor.home();
  editor.delete_forward();
  type(editor, L"O");
  editor.end();
  editor.backspace();
  EXPECT_EQ(editor.text(), L"Olá mund");
  editor.left();
  editor.left();
  editor.kill_to_end();
  EXPECT_EQ(editor.text(), L"Olá mu");
  editor.kill_word();
  EXPECT_EQ(editor.text(), L"Olá ");
  editor.kill_to_start();
  EXPECT_EQ(editor.text(), L"");
  EXPECT_EQ(editor.cursor(), 0u);
}

TEST(LineEditor, HistoryBrowsesSubmittedLinesAndKeepsTheDraft) {
  LineEditor editor;
  type(editor, L"/join geral");
  EXPECT_EQ(editor.submit(), L"/join geral");
  type(editor, L"oi");
  editor.submit();
  editor.submit();  // blank lines stay out of the history
  type(editor, L"half typed");
  editor.older();
  EXPECT_EQ(editor.text(), L"oi");
  editor.older();
  editor.older();  // no older line: stays
  EXPECT_EQ(editor.text(), L"/join geral");
  editor.newer();
  editor.newer();
  EXPECT_EQ(editor.text(), L"half typed");
  EXPECT_EQ(editor.cursor(), editor.text().size());
}

}  // namespace
}  // namespace bib::chat
