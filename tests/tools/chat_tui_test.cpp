// The chat on a real terminal: bib full screen in tmux against this test's cluster, driven by
// keys as a person would, the screen read back with capture-pane.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "chat_cluster.hpp"
#include "support/wait.hpp"
#include "tmux_session.hpp"

namespace bib::test {
namespace {

using namespace std::chrono_literals;

using ChatTuiTest = ChatClusterTest;

// The last row of the screen that is not blank: the input line (capture-pane drops the blanks
// at the end of a row, so an empty input line is its prompt alone).
std::string input_line(const std::string& screen) {
  std::istringstream rows(screen);
  std::string last;
  for (std::string row; std::getline(rows, row);)
    if (row.find_first_not_of(' ') != std::string::npos) last = row;
  return last;
}

TEST_F(ChatTuiTest, ChatsInChannelsAndQueriesWhileTheInputLineStaysAsTyped) {
  const std::string missing = TmuxSession::unavailable();
  ASSERT_TRUE(missing.empty()) << missing;
  up();
  ASSERT_EQ(bib({"login", "ana"}).code, 0);
  const std::string wire_log = workdir + "/wire.log";
  // No endpoint flags: the chat finds the cluster through the context bib-cluster pointed at.
  TmuxSession tmux({bin_path("bib"), "--wire-log", wire_log}, {"XDG_STATE_HOME=" + state_home, "LANG=C.UTF-8"},
                   workdir);
  ASSERT_TRUE(tmux.wait_for("/login NAME, then /join CHANNEL")) << tmux.screen();
  EXPECT_NE(tmux.screen().find("broker " + broker()), std::string::npos) << tmux.screen();

  tmux.type("/login caio");
  tmux.press("Enter");
  ASSERT_TRUE(tmux.wait_for("logged in as caio")) << tmux.screen();
  tmux.type("/jo");  // Tab completes the command
  tmux.press("Tab");
  ASSERT_TRUE(wait_until([&] { return input_line(tmux.screen()) == "[status] /join"; }, 20s)) << tmux.screen();
  tmux.type("geral");
  tmux.press("Enter");
  ASSERT_TRUE(tmux.wait_for("created and joined #geral")) << tmux.screen();
  EXPECT_TRUE(tmux.wait_for("2:#geral")) << tmux.screen();

  // Half a line typed; posts arriving meanwhile show above it and leave it as it was.
  tmux.type("half typed é");
  ASSERT_TRUE(tmux.wait_for("[#geral] half typed é")) << tmux.screen();
  ASSERT_TRUE(publish_until("ana", "geral", "hello from ana", [&](const std::string& text) {
    return tmux.screen().find("<ana> " + text) != std::string::npos;
  })) << tmux.screen();
  EXPECT_EQ(input_line(tmux.screen()), "[#geral] half typed é") << tmux.screen();
  // The wire log is in its file, never in the conversation.
  EXPECT_EQ(tmux.screen().find("-> publish"), std::string::npos) << tmux.screen();
  EXPECT_EQ(tmux.screen().find("<~ [geral]"), std::string::npos) << tmux.screen();

  tmux.press("C-u");
  tmux.type("oi geral");
  tmux.press("Enter");
  ASSERT_TRUE(tmux.wait_for("<caio> oi geral")) << tmux.screen();
  ASSERT_TRUE(wait_until([&] { return bib({"-q", "history", "geral"}).out.find("caio: oi geral") != std::string::npos; },
                         20s));

  // A private message opens a query window, counted as unread until shown (Alt-3).
  ASSERT_EQ(bib({"-q", "message", "--from", "ana", "caio", "psst caio"}).code, 0);
  ASSERT_TRUE(tmux.wait_for("3:@ana(1)")) << tmux.screen();
  tmux.press("M-3");
  ASSERT_TRUE(tmux.wait_for("<ana> psst caio")) << tmux.screen();
  EXPECT_TRUE(wait_until([&] { return input_line(tmux.screen()) == "[@ana]"; }, 20s)) << tmux.screen();
  tmux.type("hi ana");  // text in a query window is a private message to its user
  tmux.press("Enter");
  ASSERT_TRUE(tmux.wait_for("<caio> hi ana")) << tmux.screen();
  EXPECT_NE(bib({"-q", "inbox", "ana"}).out.find("caio -> ana: hi ana"), std::string::npos);

  tmux.press("C-p");  // back to #geral
  ASSERT_TRUE(wait_until([&] { return input_line(tmux.screen()) == "[#geral]"; }, 20s)) << tmux.screen();
  tmux.type("/status");
  tmux.press("Enter");
  ASSERT_TRUE(tmux.wait_for("digest")) << tmux.screen();
  EXPECT_NE(tmux.screen().find("server-1"), std::string::npos) << tmux.screen();

  tmux.press("F2");  // the wire pane
  ASSERT_TRUE(tmux.wait_for("wire: requests, replies, subscriptions")) << tmux.screen();
  EXPECT_NE(tmux.screen().find("-> status"), std::string::npos) << tmux.screen();
  EXPECT_NE(read_text(wire_log).find("-> login {"), std::string::npos) << read_text(wire_log);
  EXPECT_NE(read_text(wire_log).find("~> subscribe geral"), std::string::npos) << read_text(wire_log);

  tmux.type("/quit");
  tmux.press("Enter");
  ASSERT_TRUE(wait_until([&] { return tmux.exit_status() != -1; }, 20s)) << tmux.screen();
  EXPECT_EQ(tmux.exit_status(), 0);
}

// docker-compose run starts the program on a terminal of no size (0x0; ncurses then draws for
// 24x80) and sizes it just after. The chat must end up drawn whole at the real size.
TEST_F(ChatTuiTest, ATerminalSizedOnlyAfterTheStartIsDrawnWhole) {
  const std::string missing = TmuxSession::unavailable();
  ASSERT_TRUE(missing.empty()) << missing;
  up();
  TmuxSession tmux({"/bin/sh", "-c", "stty rows 0 cols 0 && exec \"$0\" \"$@\"", bin_path("bib")},
                   {"XDG_STATE_HOME=" + state_home, "LANG=C.UTF-8"}, workdir);
  ASSERT_TRUE(tmux.wait_for("/login NAME, then /join CHANNEL")) << tmux.screen();
  tmux.resize(100, 36);
  // The status line on the last row but one, the input prompt on the last: drawn at the new size.
  ASSERT_TRUE(wait_until(
      [&] {
        const std::string screen = tmux.screen();
        std::istringstream rows(screen);
        std::vector<std::string> lines;
        for (std::string row; std::getline(rows, row);) lines.push_back(row);
        return lines.size() == 36 && lines[34].find("[not logged in]") != std::string::npos &&
               lines[35].rfind("[status]", 0) == 0 && screen.find("/login NAME, then /join CHANNEL") != std::string::npos;
      },
      20s))
      << tmux.screen();
  tmux.type("/login dora");
  tmux.press("Enter");
  EXPECT_TRUE(tmux.wait_for("logged in as dora")) << tmux.screen();
}

TEST_F(ChatTuiTest, TheNumberedMenuIsStillThereWithMenu) {
  const std::string missing = TmuxSession::unavailable();
  ASSERT_TRUE(missing.empty()) << missing;
  up();
  std::vector<std::string> command{bin_path("bib"), "--menu"};
  for (const auto& flag : endpoint_flags()) command.push_back(flag);
  TmuxSession tmux(command, {}, workdir);
  ASSERT_TRUE(tmux.wait_for("choice (0-9, ? for the menu):")) << tmux.screen();
  tmux.type("1");
  tmux.press("Enter");
  tmux.type("dora");
  tmux.press("Enter");
  ASSERT_TRUE(tmux.wait_for("logged in as dora")) << tmux.screen();
  tmux.type("0");
  tmux.press("Enter");
  ASSERT_TRUE(wait_until([&] { return tmux.exit_status() != -1; }, 20s)) << tmux.screen();
  EXPECT_EQ(tmux.exit_status(), 0);
}

}  // namespace
}  // namespace bib::test
