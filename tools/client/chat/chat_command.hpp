// What a line typed in the chat means: a slash command, or text for the current window.
//   "oi pessoal"          say      {"oi pessoal"}
//   "/join geral"         join     {"geral"}
//   "/msg bia oi bia"     msg      {"bia", "oi bia"}
//   "/history 50"         history  {"50"}
// Bad input is an Error with one line a person can act on ("usage: /msg USER TEXT").
#pragma once

#include <string>
#include <vector>

#include "bib/result.hpp"

namespace bib::chat {

struct ChatCommand {
  enum class Kind { say, login, join, part, msg, query, history, users, channels, status, window, help, quit };
  Kind kind = Kind::say;
  std::vector<std::string> args;
};

// An empty or blank line is an Error with an empty message: nothing to do, nothing to say.
Result<ChatCommand> parse_chat_command(const std::string& line);

// Every command as typed: "/channels", "/help", ... (what Tab completes).
std::vector<std::string> chat_command_names();

// The /help text, one command or key per line.
const std::vector<std::string>& chat_help();

// The most entries /history shows at once (the servers' page limit).
inline constexpr int kMaxHistory = 1000;

}  // namespace bib::chat
