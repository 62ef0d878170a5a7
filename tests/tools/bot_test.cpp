// bib-bot against a running cluster: a bounded run ends with 0 and leaves its posts in the
// history; the launcher's --bots starts bots it records, and `down` stops them.
#include <gtest/gtest.h>


#include "bib/json.hpp"
#include "support/loopback.hpp"
#include "support/wait.hpp"
#include "tools_cluster.hpp"

namespace bib::test {
namespace {

using namespace std::chrono_literals;

using BotTest = ToolsClusterTest;

TEST_F(BotTest, OneRoundEndsWithZeroAndItsPostsAreInHistory) {
  up();
  std::vector<std::string> argv{bin_path("bib-bot"), "--name", "bot-t", "--iterations", "1", "--pause-ms", "0"};
  for (const auto& f : endpoint_flags()) argv.push_back(f);
  const ToolRun r = run_tool(argv, workdir, 90);
  ASSERT_EQ(r.code, 0) << r.all();
  // It shows what it sends and receives.
  EXPECT_NE(r.out.find("-> login {"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<- channels {"), std::string::npos) << r.out;
  EXPECT_EQ(count_lines(r.out, "-> publish {"), 10) << r.out;

  // The channel of "round 1: posting in 'NAME'" (no std::regex: GCC 12 warns inside it under ASan).
  const std::string marker = "round 1: posting in '";
  const auto at = r.out.find(marker);
  ASSERT_NE(at, std::string::npos) << r.out;
  const auto name_start = at + marker.size();
  const auto name_end = r.out.find('\'', name_start);
  ASSERT_NE(name_end, std::string::npos) << r.out;
  const std::string channel = r.out.substr(name_start, name_end - name_start);
  const ToolRun history = bib({"history", channel});
  ASSERT_EQ(history.code, 0) << history.all();
  EXPECT_EQ(count_lines(history.out, "[" + channel + "] bot-t: "), 10) << history.out;
  // With fewer than three channels it created some.
  const ToolRun channels = bib({"channels"});
  EXPECT_GE(count_lines(channels.out, ""), 3) << channels.out;
}

TEST_F(BotTest, LauncherStartsRecordedBotsThatPostAndDownStopsThem) {
  up(1);
  const Value status = launcher_status();
  ASSERT_EQ(status.get_array("bots").size(), 1u) << status.to_string();
  EXPECT_EQ(status.get_array("bots").front().get_string("name"), "bot-1");
  EXPECT_EQ(status.get_array("bots").front().get_string("alive"), "alive");
  EXPECT_EQ(status.get_array("processes").size(), 4u);  // reference, broker, proxy, server-1
  // The bot logs in and posts: its user shows up, and its log shows the traffic.
  EXPECT_TRUE(wait_until([&] { return bib({"-q", "users"}).out.find("bot-1\n") != std::string::npos; }, 30s, 200ms));
  EXPECT_TRUE(wait_until([&] { return read_text(workdir + "/logs/bot-1.log").find("<- publish {") != std::string::npos; },
                         30s, 200ms))
      << read_text(workdir + "/logs/bot-1.log");
  const long long pid = status.get_array("bots").front().get_int("pid");
  ASSERT_EQ(launcher({"down"}).code, 0);
  EXPECT_TRUE(wait_until([&] { return start_time(pid) == 0; }, 5s))
      << "bot pid " << pid << " survived down";
}

TEST(BotExitCodes, UnreachableIsThree) {
  const std::string dir = make_temp_dir("bot-exit");
  LoopbackBlock nobody;
  const ToolRun r = run_tool({bin_path("bib-bot"), "--broker", nobody.endpoint(2, 5555), "--proxy",
                              nobody.endpoint(3, 5558), "--timeout-ms", "150", "--retries", "1", "--iterations", "1"},
                             dir);
  EXPECT_EQ(r.code, 3) << r.all();
  EXPECT_NE(r.out.find("unreachable"), std::string::npos) << r.all();
}

}  // namespace
}  // namespace bib::test
