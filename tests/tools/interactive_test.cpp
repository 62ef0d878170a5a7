// bib's numbered menu (bib --menu) driven through stdin, as a person would type it: the post of a
// joined channel shows up while the menu waits for the next choice.
#include <gtest/gtest.h>

#include <fstream>

#include "piped_process.hpp"
#include "support/wait.hpp"
#include "tools_cluster.hpp"

namespace bib::test {
namespace {

using namespace std::chrono_literals;

using InteractiveTest = ToolsClusterTest;

TEST_F(InteractiveTest, LoginJoinPublishShowsThePostAndQuitEnds) {
  up();
  ASSERT_EQ(bib({"channel", "geral"}).code, 0);
  std::vector<std::string> argv{bin_path("bib"), "--menu"};  // bib alone is the chat now
  for (const auto& f : endpoint_flags()) argv.push_back(f);
  PipedProcess client(argv, workdir + "/interactive.out", workdir + "/interactive.err");

  client.write("1\ncaio\n");  // login
  ASSERT_TRUE(wait_until([&] { return client.out().find("logged in as caio") != std::string::npos; }, 20s))
      << client.out() << client.err();
  client.write("9\ngeral\n");  // join
  ASSERT_TRUE(wait_until([&] { return client.out().find("joined geral") != std::string::npos; }, 20s))
      << client.out();
  // Publish (channel defaults to the joined one) until our own post comes back live: the
  // subscription reaches the server on its own time.
  int posts = 0;
  ASSERT_TRUE(wait_until(
      [&] {
        client.write("5\n\nhello from caio " + std::to_string(++posts) + "\n");
        return wait_until([&] { return client.out().find("[geral] caio: hello from caio") != std::string::npos; },
                          500ms);
      },
      30s, 0ms))
      << client.out() << client.err();
  EXPECT_NE(client.out().find("posted to geral"), std::string::npos) << client.out();
  EXPECT_NE(client.err().find("-> publish {"), std::string::npos) << client.err();

  client.write("7\n\n");  // history of geral
  ASSERT_TRUE(wait_until([&] { return client.out().find(" post(s) in geral") != std::string::npos; }, 20s))
      << client.out();
  client.write("0\n");  // quit
  EXPECT_EQ(client.wait_exit(20s), 0) << client.out() << client.err();
  EXPECT_NE(client.out().find("bye"), std::string::npos) << client.out();
}

TEST_F(InteractiveTest, AScriptOnStdinRunsAndEndOfInputQuits) {
  up();
  ASSERT_EQ(bib({"login", "ana"}).code, 0);
  const std::string script = workdir + "/script.txt";
  {
    std::ofstream out(script);
    out << "2\n4\n6\n";  // list users, list channels, private message without login; no quit
  }
  std::vector<std::string> argv{bin_path("bib"), "--menu"};  // bib alone is the chat now
  for (const auto& f : endpoint_flags()) argv.push_back(f);
  const ToolRun r = run_tool(argv, workdir, 60, script);
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_NE(r.out.find("users (1): ana"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("channels (0):"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("log in first"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("bye"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace bib::test
