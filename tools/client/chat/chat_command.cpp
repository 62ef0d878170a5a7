#include "chat_command.hpp"

#include <charconv>
#include <map>

namespace bib::chat {

namespace {

struct Syntax {
  ChatCommand::Kind kind;
  int required;     // words before the rest
  bool rest;        // the rest of the line is one more argument (a message)
  int optional;     // words that may follow
  const char* usage;
};

const std::map<std::string, Syntax, std::less<>>& syntax() {
  using K = ChatCommand::Kind;
  static const std::map<std::string, Syntax, std::less<>> table{
      {"login", {K::login, 1, false, 0, "/login NAME"}},
      {"join", {K::join, 1, false, 0, "/join CHANNEL"}},
      {"part", {K::part, 0, false, 1, "/part [CHANNEL]"}},
      {"msg", {K::msg, 1, true, 0, "/msg USER TEXT"}},
      {"query", {K::query, 1, false, 0, "/query USER"}},
      {"history", {K::history, 0, false, 1, "/history [N]"}},
      {"users", {K::users, 0, false, 0, "/users"}},
      {"channels", {K::channels, 0, false, 0, "/channels"}},
      {"status", {K::status, 0, false, 0, "/status"}},
      {"window", {K::window, 1, false, 0, "/window N"}},
      {"help", {K::help, 0, false, 0, "/help"}},
      {"quit", {K::quit, 0, false, 0, "/quit"}},
  };
  return table;
}

bool blank(char c) { return c == ' ' || c == '\t'; }

// The next word from `pos`, skipping blanks before it; empty at the end.
std::string next_word(const std::string& line, std::size_t& pos) {
  while (pos < line.size() && blank(line[pos])) ++pos;
  const std::size_t start = pos;
  while (pos < line.size() && !blank(line[pos])) ++pos;
  return line.substr(start, pos - start);
}

bool positive_number(const std::string& text, int limit) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && value >= 1 && value <= limit;
}

}  // namespace

Result<ChatCommand> parse_chat_command(const std::string& line) {
  if (line.find_first_not_of(" \t") == std::string::npos) return Error{""};
  if (line[0] != '/') return ChatCommand{ChatCommand::Kind::say, {line}};
  std::size_t pos = 1;
  const std::string name = next_word(line, pos);
  const auto found = syntax().find(name);
  if (found == syntax().end()) return Error{"unknown command /" + name + " (/help lists them)"};
  const Syntax& rule = found->second;
  ChatCommand command{rule.kind, {}};
  for (int i = 0; i < rule.required; ++i) {
    std::string word = next_word(line, pos);
    if (word.empty()) return Error{std::string("usage: ") + rule.usage};
    command.args.push_back(std::move(word));
  }
  if (rule.rest) {
    while (pos < line.size() && blank(line[pos])) ++pos;
    if (pos == line.size()) return Error{std::string("usage: ") + rule.usage};
    command.args.push_back(line.substr(pos));
    return command;
  }
  for (int i = 0; i < rule.optional; ++i) {
    if (std::string word = next_word(line, pos); !word.empty()) command.args.push_back(std::move(word));
  }
  if (!next_word(line, pos).empty()) return Error{std::string("too many words; usage: ") + rule.usage};
  if (command.kind == ChatCommand::Kind::history && !command.args.empty() &&
      !positive_number(command.args[0], kMaxHistory))
    return Error{"/history N: N must be a number from 1 to " + std::to_string(kMaxHistory) + ", got '" +
                 command.args[0] + "'"};
  if (command.kind == ChatCommand::Kind::window && !positive_number(command.args[0], 99))
    return Error{"/window N: N must be a window number, got '" + command.args[0] + "'"};
  return command;
}

std::vector<std::string> chat_command_names() {
  std::vector<std::string> names;
  for (const auto& [name, rule] : syntax()) names.push_back("/" + name);
  return names;
}

const std::vector<std::string>& chat_help() {
  static const std::vector<std::string> text{
      "/login NAME        log in (again, or as someone else: the previous user's messages stop)",
      "/join CHANNEL      create it if missing, subscribe, open its window with the last posts",
      "/part [CHANNEL]    leave the channel (unsubscribe) or close this query window",
      "/msg USER TEXT     a private message; opens a query window for USER",
      "/query USER        open a private conversation window with USER",
      "/history [N]       the last N posts of this channel or messages of this query (default 20)",
      "/users             list the users",
      "/channels          list the channels",
      "/status            every server: rank, coordinator, Lamport clock, events, digest",
      "/window N          go to window N",
      "/help              this text",
      "/quit              leave",
      "text without /     posts to this channel, or sends to this query's user",
      "keys: Alt-1..9 or Ctrl-N/Ctrl-P windows, PgUp/PgDn scroll, Up/Down input history, Tab completes",
      "      F2 the wire pane (requests, replies, subscriptions), Ctrl-L redraw, Ctrl-D quit",
  };
  return text;
}

}  // namespace bib::chat
