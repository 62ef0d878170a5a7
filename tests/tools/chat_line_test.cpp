// The chat's plain line mode (stdout not a terminal), driven through stdin: subscriptions
// follow logins and joins, and survive a restart of the proxy under the client, which then
// shows what it missed.
#include <gtest/gtest.h>

#include "chat_cluster.hpp"
#include "piped_process.hpp"
#include "support/wait.hpp"

namespace bib::test {
namespace {

using namespace std::chrono_literals;

class ChatLineTest : public ChatClusterTest {
 protected:
  std::unique_ptr<PipedProcess> start_chat() {
    std::vector<std::string> argv{bin_path("bib"), "--wire-log", wire_log};
    for (const auto& f : endpoint_flags()) argv.push_back(f);
    return std::make_unique<PipedProcess>(argv, workdir + "/chat.out", workdir + "/chat.err");
  }
  // Writes `line` and waits until the output shows `expected`.
  bool say(PipedProcess& chat, const std::string& line, const std::string& expected) {
    chat.write(line + "\n");
    return wait_until([&] { return chat.out().find(expected) != std::string::npos; }, 20s);
  }
  // Sends private messages to `user` until one shows in the chat's output.
  bool message_until(PipedProcess& chat, const std::string& user, const std::string& text) {
    int tries = 0;
    return wait_until(
        [&] {
          const std::string numbered = text + " " + std::to_string(++tries);
          if (bib({"-q", "message", "--from", "ana", user, numbered}).code != 0) return false;
          return wait_until([&] { return chat.out().find("<ana> " + numbered) != std::string::npos; }, 700ms);
        },
        30s, 0ms);
  }

  std::string wire_log = workdir + "/wire.log";
};

TEST_F(ChatLineTest, LoggingInAsAnotherUserDropsThePreviousUsersMessages) {
  up();
  ASSERT_EQ(bib({"login", "ana"}).code, 0);
  auto chat = start_chat();
  ASSERT_TRUE(say(*chat, "/login caio", "-!- logged in as caio")) << chat->out() << chat->err();
  // A refused message says why, and opens no window for a user who does not exist.
  ASSERT_TRUE(say(*chat, "/msg nobody hi", "status !!! message: unknown user 'nobody'")) << chat->out();
  EXPECT_EQ(chat->out().find("@nobody"), std::string::npos) << chat->out();
  ASSERT_TRUE(message_until(*chat, "caio", "for caio")) << chat->out();
  ASSERT_TRUE(say(*chat, "/login bia", "-!- no longer receiving caio's private messages")) << chat->out();
  EXPECT_NE(read_text(wire_log).find("~> unsubscribe caio"), std::string::npos) << read_text(wire_log);
  // One server publishes both, in order: once bia's shows, caio's would have shown before it.
  ASSERT_EQ(bib({"-q", "message", "--from", "ana", "caio", "still for caio"}).code, 0);
  ASSERT_TRUE(message_until(*chat, "bia", "for bia")) << chat->out();
  EXPECT_EQ(chat->out().find("still for caio"), std::string::npos) << chat->out();
  chat->close_stdin();  // end of input quits
  EXPECT_EQ(chat->wait_exit(20s), 0) << chat->err();
}

TEST_F(ChatLineTest, PartUnsubscribesFromTheChannel) {
  up();
  ASSERT_EQ(bib({"login", "ana"}).code, 0);
  ASSERT_EQ(bib({"channel", "outro"}).code, 0);
  auto chat = start_chat();
  ASSERT_TRUE(say(*chat, "/join geral", "#geral -!- created and joined #geral")) << chat->out() << chat->err();
  ASSERT_TRUE(say(*chat, "/join outro", "#outro -!- joined #outro")) << chat->out();
  ASSERT_TRUE(publish_until("ana", "geral", "in geral", [&](const std::string& text) {
    return chat->out().find("#geral <ana> " + text) != std::string::npos;
  })) << chat->out();
  ASSERT_TRUE(say(*chat, "/part geral", "status -!- left #geral")) << chat->out();
  EXPECT_NE(read_text(wire_log).find("~> unsubscribe geral"), std::string::npos) << read_text(wire_log);
  ASSERT_EQ(bib({"-q", "publish", "-u", "ana", "geral", "after part"}).code, 0);
  ASSERT_TRUE(publish_until("ana", "outro", "in outro", [&](const std::string& text) {
    return chat->out().find("#outro <ana> " + text) != std::string::npos;
  })) << chat->out();
  EXPECT_EQ(chat->out().find("after part"), std::string::npos) << chat->out();
  EXPECT_TRUE(say(*chat, "/part", "status -!- left #outro")) << chat->out();
  EXPECT_TRUE(say(*chat, "/part", "status !!! usage: /part [CHANNEL] (this is the status window)")) << chat->out();
  EXPECT_TRUE(say(*chat, "/quit", "")) << chat->out();
  EXPECT_EQ(chat->wait_exit(20s), 0) << chat->err();
}

TEST_F(ChatLineTest, AProxyRestartUnderTheClientKeepsEverySubscription) {
  up();
  ASSERT_EQ(bib({"login", "ana"}).code, 0);
  auto chat = start_chat();
  ASSERT_TRUE(say(*chat, "/login caio", "logged in as caio")) << chat->out() << chat->err();
  ASSERT_TRUE(say(*chat, "/join geral", "joined #geral")) << chat->out();
  ASSERT_TRUE(publish_until("ana", "geral", "before", [&](const std::string& text) {
    return chat->out().find("<ana> " + text) != std::string::npos;
  })) << chat->out();

  ASSERT_EQ(launcher({"kill", "proxy"}).code, 0);
  ASSERT_TRUE(wait_until([&] { return chat->out().find("!!! lost the proxy " + proxy()) != std::string::npos; }, 20s))
      << chat->out();
  // Published while the proxy is down: pub/sub loses it, the catch-up after reconnecting shows it.
  ASSERT_EQ(bib({"-q", "publish", "-u", "ana", "geral", "while the proxy was down"}).code, 0);
  ASSERT_EQ(bib({"-q", "message", "--from", "ana", "caio", "missed private"}).code, 0);
  const ToolRun started = launcher({"start", "proxy"});
  ASSERT_EQ(started.code, 0) << started.all();
  ASSERT_TRUE(wait_until([&] { return chat->out().find("-!- the proxy is back") != std::string::npos; }, 20s))
      << chat->out();
  ASSERT_TRUE(wait_until([&] { return chat->out().find("#geral <ana> while the proxy was down") != std::string::npos; },
                         20s))
      << chat->out();
  // The channel and the inbox catch up separately: either may show first.
  ASSERT_TRUE(wait_until([&] { return chat->out().find("@ana <ana> missed private") != std::string::npos; }, 20s))
      << chat->out();
  // ZeroMQ reconnects the client and sends its subscriptions again; the servers' publishers
  // reconnect too. Posts and private messages flow again without the client doing anything.
  ASSERT_TRUE(publish_until("ana", "geral", "after restart", [&](const std::string& text) {
    return chat->out().find("#geral <ana> " + text) != std::string::npos;
  })) << chat->out();
  ASSERT_TRUE(message_until(*chat, "caio", "private after restart")) << chat->out();
  // The servers' publishers kept what the proxy missed and sent it once it was back, before what
  // came after (one server, in order): shown once all the same.
  EXPECT_EQ(count_lines(chat->out(), "while the proxy was down"), 1) << chat->out();
  EXPECT_EQ(count_lines(chat->out(), "missed private"), 1) << chat->out();
  chat->close_stdin();
  EXPECT_EQ(chat->wait_exit(20s), 0) << chat->err();
}

}  // namespace
}  // namespace bib::test
