// The chat's windows: numbering, unread counts, switching, closing, scrolling back.
#include <gtest/gtest.h>

#include "chat_windows.hpp"

namespace bib::chat {
namespace {

using T = ChatWindow::Type;

ChatLine line(const std::string& text) { return ChatLine{"10:00:00", ChatLine::Kind::post, "ana", text}; }

TEST(ChatWindows, TheStatusWindowIsFirstAndOthersOpenOnceInOrder) {
  ChatWindows windows;
  EXPECT_EQ(windows.all().size(), 1u);
  EXPECT_EQ(windows.current().label(), "status");
  EXPECT_EQ(windows.open(T::channel, "geral"), 1u);
  EXPECT_EQ(windows.open(T::query, "bia"), 2u);
  EXPECT_EQ(windows.open(T::channel, "geral"), 1u);
  EXPECT_EQ(windows.all()[2].label(), "@bia");
  EXPECT_EQ(windows.find(T::query, "geral"), ChatWindows::npos);  // a user and a channel may share a name
}

TEST(ChatWindows, LinesElsewhereCountAsUnreadUntilThatWindowIsShown) {
  ChatWindows windows;
  const auto geral = windows.open(T::channel, "geral");
  windows.add(geral, line("oi"));
  windows.add(geral, line("tudo bem?"));
  windows.add_to_current(line("status line"));
  EXPECT_EQ(windows.all()[geral].unread, 2);
  EXPECT_EQ(windows.all()[0].unread, 0);
  windows.select(geral);
  EXPECT_EQ(windows.all()[geral].unread, 0);
  EXPECT_EQ(windows.current().lines.back().text, "tudo bem?");
}

TEST(ChatWindows, NextAndPreviousWrapAroundAndCloseKeepsAValidWindow) {
  ChatWindows windows;
  windows.open(T::channel, "a");
  windows.open(T::channel, "b");
  windows.previous();
  EXPECT_EQ(windows.current().name, "b");
  windows.next();
  EXPECT_EQ(windows.current().name, "status");
  windows.select(2);
  windows.close(2);
  EXPECT_EQ(windows.current().name, "a");
  windows.close(0);  // the status window stays
  EXPECT_EQ(windows.all().size(), 2u);
  windows.select(7);  // out of range: nothing happens
  EXPECT_EQ(windows.current().name, "a");
}

TEST(ChatWindows, AReaderScrolledBackKeepsSeeingTheSameLines) {
  ChatWindows windows;
  for (int i = 0; i < 10; ++i) windows.add_to_current(line(std::to_string(i)));
  windows.scroll(3);
  EXPECT_EQ(windows.current().scrolled, 3);
  windows.add_to_current(line("new"));
  EXPECT_EQ(windows.current().scrolled, 4);
  windows.scroll(-100);
  EXPECT_EQ(windows.current().scrolled, 0);
  windows.scroll(100);
  EXPECT_EQ(windows.current().scrolled, 11);
}

TEST(ChatWindows, TheListenerSeesEveryLineWithItsWindow) {
  ChatWindows windows;
  std::vector<std::string> seen;
  windows.on_line([&](const ChatWindow& w, const ChatLine& l) { seen.push_back(w.label() + " " + l.text); });
  windows.add(windows.open(T::channel, "geral"), line("oi"));
  EXPECT_EQ(seen, std::vector<std::string>{"#geral oi"});
}

}  // namespace
}  // namespace bib::chat
