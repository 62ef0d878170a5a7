// What a typed chat line means, and the one-line errors bad input gets.
#include <gtest/gtest.h>

#include "chat_command.hpp"

namespace bib::chat {
namespace {

using K = ChatCommand::Kind;

ChatCommand parsed(const std::string& line) {
  auto command = parse_chat_command(line);
  EXPECT_TRUE(command) << line << ": " << (command ? "" : command.error().message);
  return command ? command.value() : ChatCommand{};
}

std::string refusal(const std::string& line) {
  auto command = parse_chat_command(line);
  EXPECT_FALSE(command) << line;
  return command ? "" : command.error().message;
}

TEST(ChatCommand, TextWithoutASlashIsSaidAsItIs) {
  const auto c = parsed("  oi pessoal, tudo bem?");
  EXPECT_EQ(c.kind, K::say);
  EXPECT_EQ(c.args, std::vector<std::string>{"  oi pessoal, tudo bem?"});
}

TEST(ChatCommand, CommandsTakeTheirWords) {
  EXPECT_EQ(parsed("/login ana").args, std::vector<std::string>{"ana"});
  EXPECT_EQ(parsed("/join   geral ").kind, K::join);
  EXPECT_EQ(parsed("/part").args.size(), 0u);
  EXPECT_EQ(parsed("/part geral").args, std::vector<std::string>{"geral"});
  const auto msg = parsed("/msg bia oi  bia, tudo?");
  EXPECT_EQ(msg.kind, K::msg);
  EXPECT_EQ(msg.args, (std::vector<std::string>{"bia", "oi  bia, tudo?"}));
  EXPECT_EQ(parsed("/history 50").args, std::vector<std::string>{"50"});
  for (const auto& [line, kind] : std::vector<std::pair<std::string, K>>{
           {"/users", K::users}, {"/channels", K::channels}, {"/status", K::status}, {"/help", K::help},
           {"/quit", K::quit}, {"/query bia", K::query}, {"/window 2", K::window}})
    EXPECT_EQ(parsed(line).kind, kind) << line;
}

TEST(ChatCommand, BadInputSaysWhatToType) {
  EXPECT_EQ(refusal("/msg bia"), "usage: /msg USER TEXT");
  EXPECT_EQ(refusal("/login"), "usage: /login NAME");
  EXPECT_EQ(refusal("/join a b"), "too many words; usage: /join CHANNEL");
  EXPECT_EQ(refusal("/frobnicate"), "unknown command /frobnicate (/help lists them)");
  EXPECT_EQ(refusal("/history 0"), "/history N: N must be a number from 1 to 1000, got '0'");
  EXPECT_EQ(refusal("/history lots"), "/history N: N must be a number from 1 to 1000, got 'lots'");
  EXPECT_EQ(refusal("/window x"), "/window N: N must be a window number, got 'x'");
}

TEST(ChatCommand, ABlankLineIsNothingToDoAndSaysNothing) {
  EXPECT_EQ(refusal(""), "");
  EXPECT_EQ(refusal("   \t"), "");
}

}  // namespace
}  // namespace bib::chat
