// The chat's input line: editing keys, Tab completion and the history of submitted lines.
#include <gtest/gtest.h>

#include <algorithm>

#include "chat_command.hpp"
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

TEST(LineEditor, TabCompletesTheWordBeforeTheCursor) {
  const std::vector<std::wstring> names{L"/join", L"/query", L"bot-1", L"bot-2", L"bia", L"bot-1"};
  LineEditor editor;
  type(editor, L"/jo");
  editor.complete(names);
  EXPECT_EQ(editor.text(), L"/join ");  // one fits: completed, and a blank after it
  type(editor, L"b");
  editor.complete(names);
  EXPECT_EQ(editor.text(), L"/join b");  // bot-1, bot-2, bia: nothing in common beyond "b"
  type(editor, L"o");
  editor.complete(names);
  EXPECT_EQ(editor.text(), L"/join bot-");  // as far as the two agree
  editor.home();
  editor.complete(names);  // no word before the cursor: nothing
  EXPECT_EQ(editor.text(), L"/join bot-");
  editor.end();
  type(editor, L"x");
  editor.complete(names);  // nothing fits: nothing
  EXPECT_EQ(editor.text(), L"/join bot-x");
}

TEST(ChatCommandNames, EveryCommandIsOfferedWithItsSlash) {
  const auto names = chat_command_names();
  for (const char* command : {"/login", "/join", "/part", "/msg", "/query", "/history", "/users", "/channels",
                              "/status", "/window", "/help", "/quit"})
    EXPECT_NE(std::find(names.begin(), names.end(), command), names.end()) << command;
}

}  // namespace
}  // namespace bib::chat
