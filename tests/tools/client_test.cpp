// bib's subcommands against a running cluster, run as processes the way a script runs them:
// the whole scenario of the issue, --json output, paging, status, and the exit codes.
#include <gtest/gtest.h>

#include "bib/json.hpp"
#include "support/process.hpp"
#include "support/wait.hpp"
#include "tools_cluster.hpp"

namespace bib::test {
namespace {

using namespace std::chrono_literals;

using ClientTest = ToolsClusterTest;

TEST_F(ClientTest, FullScenarioThroughSubcommandsWithALiveSubscriber) {
  up();
  ToolRun r = bib({"login", "ana"});
  ASSERT_EQ(r.code, 0) << r.all();
  EXPECT_NE(r.out.find("logged in as ana"), std::string::npos) << r.all();
  // Every message is shown on stderr: what went out and what came back.
  EXPECT_NE(r.err.find("-> login {"), std::string::npos) << r.all();
  EXPECT_NE(r.err.find("\"user\": \"ana\""), std::string::npos) << r.all();
  EXPECT_NE(r.err.find("<- login {"), std::string::npos) << r.all();
  EXPECT_NE(r.err.find("\"status\": \"sucesso\""), std::string::npos) << r.all();
  ASSERT_EQ(bib({"login", "bia"}).code, 0);

  r = bib({"users"});
  ASSERT_EQ(r.code, 0) << r.all();
  EXPECT_EQ(r.out, "ana\nbia\n");

  ASSERT_EQ(bib({"channel", "geral"}).code, 0);
  r = bib({"channels", "--json"});  // --json after the subcommand works too
  ASSERT_EQ(r.code, 0) << r.all();
  auto channels = parse_json(r.out);
  ASSERT_TRUE(channels) << r.out;
  ASSERT_EQ(channels.value().get_array("channels"), (Array{"geral"}));

  // The subscriber starts first. A subscription reaches the server through the proxy on its
  // own time, so post until one arrives (each post has its own text).
  std::vector<std::string> subscribe{bin_path("bib")};
  for (const auto& f : endpoint_flags()) subscribe.push_back(f);
  for (const char* a : {"subscribe", "--user", "bia", "geral", "--timeout-s", "120"}) subscribe.push_back(a);
  Process subscriber(subscribe, workdir + "/subscriber.log");
  int posts = 0;
  ASSERT_TRUE(wait_until(
      [&] {
        const std::string text = "hello " + std::to_string(++posts);
        EXPECT_EQ(bib({"publish", "--user", "ana", "geral", text}).code, 0);
        return wait_until([&] { return subscriber.log().find("[geral] ana: hello") != std::string::npos; }, 500ms);
      },
      30s, 0ms))
      << subscriber.log();
  int messages = 0;
  ASSERT_TRUE(wait_until(
      [&] {
        const std::string text = "psst " + std::to_string(++messages);
        EXPECT_EQ(bib({"message", "--from", "ana", "bia", text}).code, 0);
        return wait_until([&] { return subscriber.log().find("[private] ana -> bia: psst") != std::string::npos; },
                          500ms);
      },
      30s, 0ms))
      << subscriber.log();
  EXPECT_NE(subscriber.log().find("<~ [geral] publish {"), std::string::npos) << subscriber.log();

  r = bib({"history", "geral"});
  ASSERT_EQ(r.code, 0) << r.all();
  EXPECT_EQ(count_lines(r.out, "[geral] ana: hello "), posts) << r.out;
  EXPECT_NE(r.out.find("[geral] ana: hello 1\n"), std::string::npos) << r.out;

  r = bib({"inbox", "bia", "--json"});
  ASSERT_EQ(r.code, 0) << r.all();
  auto inbox = parse_json(r.out);
  ASSERT_TRUE(inbox) << r.out;
  ASSERT_EQ(inbox.value().get_array("messages").size(), static_cast<std::size_t>(messages)) << r.out;
  EXPECT_EQ(inbox.value().get_array("messages").front().get_string("message"), "psst 1");
  EXPECT_EQ(inbox.value().get_array("messages").front().get_string("src"), "ana");
  r = bib({"inbox", "bia"});
  EXPECT_NE(r.out.find("[private] ana -> bia: psst 1\n"), std::string::npos) << r.all();

  // Paging: the newest post alone, then what came before it through the printed cursor.
  ASSERT_EQ(bib({"publish", "--user", "bia", "geral", "last", "words"}).code, 0);
  r = bib({"history", "geral", "--limit", "1", "--json"});
  ASSERT_EQ(r.code, 0) << r.all();
  auto page = parse_json(r.out);
  ASSERT_TRUE(page) << r.out;
  ASSERT_EQ(page.value().get_array("posts").size(), 1u) << r.out;
  EXPECT_EQ(page.value().get_array("posts").front().get_string("message"), "last words");
  const std::string cursor = page.value().get_string("next");
  r = bib({"history", "geral", "--before", cursor});
  ASSERT_EQ(r.code, 0) << r.all();
  EXPECT_EQ(count_lines(r.out, "[geral] ana: hello "), posts) << r.out;
  EXPECT_EQ(r.out.find("last words"), std::string::npos) << r.out;
}

TEST_F(ClientTest, ExitCodesTellRejectedFromSuccess) {
  up();
  ASSERT_EQ(bib({"channel", "geral"}).code, 0);
  ToolRun r = bib({"channel", "geral"});
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_NE(r.err.find("channel 'geral' already exists"), std::string::npos) << r.all();
  r = bib({"publish", "--user", "nobody", "geral", "hi"});
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_NE(r.err.find("unknown user 'nobody'"), std::string::npos) << r.all();
  // --json still prints the rejection itself, for scripts.
  r = bib({"--json", "history", "nada"});
  EXPECT_EQ(r.code, 1) << r.all();
  auto reply = parse_json(r.out);
  ASSERT_TRUE(reply) << r.all();
  EXPECT_EQ(reply.value().get_string("status"), "erro");
  // --quiet: no wire lines, only the outcome.
  r = bib({"--quiet", "login", "ana"});
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_EQ(r.err, "");
}

TEST_F(ClientTest, ASessionFileCarriesTheEventsSeenFromOneRunToTheNext) {
  up();
  const std::string session = workdir + "/session";
  ASSERT_EQ(bib({"--session", session, "login", "ana"}).code, 0);
  auto kept = parse_json(read_text(session));
  ASSERT_TRUE(kept) << read_text(session);
  EXPECT_EQ(kept.value().at("server-1").as_int(), 1) << read_text(session);
  // The next run sends it as `after` (the server's wire line shows it) and keeps the new one.
  ASSERT_EQ(bib({"--session", session, "channel", "geral"}).code, 0);
  EXPECT_EQ(parse_json(read_text(session)).value().at("server-1").as_int(), 2) << read_text(session);
  const std::string server_log = read_text(workdir + "/logs/server-1.log");
  EXPECT_EQ(count_lines(server_log, "\"after\": {\"server-1\": 1}"), 1) << server_log;
  // BIB_SESSION does what the flag does.
  const std::string other = workdir + "/other-session";
  std::vector<std::string> argv{"/usr/bin/env", "BIB_SESSION=" + other, bin_path("bib")};
  for (const auto& flag : endpoint_flags()) argv.push_back(flag);
  argv.push_back("users");
  ASSERT_EQ(run_tool(argv, workdir).code, 0);
  EXPECT_EQ(parse_json(read_text(other)).value().at("server-1").as_int(), 2) << read_text(other);
}

TEST_F(ClientTest, StatusShowsEachServerAndTheLauncherShowsItToo) {
  up();
  ASSERT_EQ(bib({"login", "ana"}).code, 0);
  ToolRun r = bib({"status", server_direct(1)});
  ASSERT_EQ(r.code, 0) << r.all();
  EXPECT_NE(r.out.find(server_direct(1) + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  node "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("server-1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  digest "), std::string::npos) << r.out;

  // Without a server: the ones the reference lists; JSON, one line per server.
  r = bib({"status", "--json", "--reference", "tcp://" + base + ".1:5560"});
  ASSERT_EQ(r.code, 0) << r.all();
  auto line = parse_json(r.out);
  ASSERT_TRUE(line) << r.out;
  EXPECT_EQ(line.value().get_string("endpoint"), server_direct(1));
  EXPECT_TRUE(line.value().at("data").is_map()) << r.out;

  const Value status = launcher_status();
  bool found = false;
  for (const auto& p : status.get_array("processes")) {
    if (p.get_string("name") != "server-1") continue;
    found = true;
    // From the server's own status service, asked on its direct port through bib-probe.
    EXPECT_EQ(p.at("status").get_string("node"), "server-1") << p.to_string();
    EXPECT_EQ(p.at("status").get_string("rank"), "1") << p.to_string();
    EXPECT_NE(p.at("status").get_string("digest"), "-") << p.to_string();
  }
  EXPECT_TRUE(found) << status.to_string();
}

// No cluster needed: a usage error never sends anything, and nothing listens in a fresh block.
TEST(ClientExitCodes, UsageErrorIsTwoAndSilenceIsThree) {
  const std::string dir = make_temp_dir("bib-exit");
  ToolRun r = run_tool({bin_path("bib"), "publish", "geral", "hi"}, dir);  // no --user
  EXPECT_EQ(r.code, 2) << r.all();
  EXPECT_NE(r.err.find("--user"), std::string::npos) << r.all();
  EXPECT_EQ(run_tool({bin_path("bib"), "frobnicate"}, dir).code, 2);
  EXPECT_EQ(run_tool({bin_path("bib"), "history", "geral", "--limit", "0"}, dir).code, 2);
  EXPECT_EQ(run_tool({bin_path("bib"), "--help"}, dir).code, 0);

  LoopbackBlock nobody;
  r = run_tool({bin_path("bib"), "--broker", nobody.endpoint(2, 5555), "--timeout-ms", "150", "--retries", "2",
                "users"},
               dir);
  EXPECT_EQ(r.code, 3) << r.all();
  EXPECT_NE(r.err.find("no reply from " + nobody.endpoint(2, 5555) + " after 2 tries"), std::string::npos)
      << r.all();
  // The environment names the endpoint when no flag does.
  r = run_tool({"/usr/bin/env", "BIB_BROKER_ENDPOINT=" + nobody.endpoint(2, 5555), bin_path("bib"), "--timeout-ms",
                "150", "--retries", "1", "channels"},
               dir);
  EXPECT_EQ(r.code, 3) << r.all();
  EXPECT_NE(r.err.find(nobody.endpoint(2, 5555)), std::string::npos) << r.all();
}

}  // namespace
}  // namespace bib::test
