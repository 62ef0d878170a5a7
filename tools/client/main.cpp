// bib: the BulletInBoard client. Scriptable subcommands for every service, a live subscriber,
// the servers' status, and (with no subcommand) the chat; --menu gives the original numbered
// menu instead. docs/client.md.
//
//   $ bib login ana
//   -> login {"request_id": "9f2c41d07a3be611-1", "user": "ana"}
//   <- login {"clock": 4, "status": "sucesso", "timestamp": 1764312345.12}
//   logged in as ana
//
// Exit codes: 0 success, 1 rejected (status "erro"), 2 usage error, 3 cluster unreachable.
#include <CLI/CLI.hpp>

#include <iostream>

#include "bib/version.hpp"
#include "bib_cli/exit_codes.hpp"
#include "chat_app.hpp"
#include "commands.hpp"

namespace {

std::string join_words(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& w : words) text += (text.empty() ? "" : " ") + w;
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace bib::client;
  CLI::App app{"BulletInBoard client: the chat without a subcommand (--menu: the numbered menu), or one "
               "subcommand per service"};
  app.footer(
      "Endpoints: flags, else BIB_BROKER_ENDPOINT/BIB_PROXY_ENDPOINT/BIB_REFERENCE_ENDPOINT, else the context\n"
      "(--context, BIB_CONTEXT, or the cluster bib-cluster started last), else 127.0.0.1; `bib context` shows them.\n"
      "Exit codes: 0 success, 1 rejected by the cluster, 2 usage error, 3 cluster unreachable.");
  app.set_version_flag("--version", std::string("bib " BIB_VERSION_STRING));
  Shell shell;
  bib::cli::add_connection_options(app, shell.connection);
  bib::cli::add_context_options(app, shell.connection);
  app.add_flag("--json", shell.json, "print the reply data as JSON instead of the human form");
  bool menu = false;
  bib::chat::ChatOptions chat_options;
  app.add_flag("--menu", menu, "without a subcommand: the original numbered menu instead of the chat");
  app.add_option("--wire-log", chat_options.wire_log,
                 "chat and menu: append the messages sent and received to this file instead of showing them "
                 "(the chat's F2 pane shows them too)")
      ->type_name("FILE");
  app.add_flag("--line", chat_options.line_mode, "chat: the plain line mode even on a terminal");
  app.fallthrough();  // the options above work after the subcommand too
  app.require_subcommand(0, 1);

  std::string name, channel, user, from, destination;
  std::vector<std::string> text;
  Page page;
  auto page_options = [&page](CLI::App* sub) {
    sub->add_option("--limit", page.limit, "how many entries, the newest ones (default 100, at most 1000)")
        ->check(CLI::PositiveNumber);
    sub->add_option("--before", page.before, "older than this: a Lamport clock or a cursor clock:origin:seq (`next`)");
  };

  auto* login_cmd = app.add_subcommand("login", "log in (a name may log in again)");
  login_cmd->add_option("NAME", name, "user name")->required();
  auto* users_cmd = app.add_subcommand("users", "list the users");
  auto* channel_cmd = app.add_subcommand("channel", "create a channel");
  channel_cmd->add_option("NAME", name, "channel name")->required();
  auto* channels_cmd = app.add_subcommand("channels", "list the channels");
  auto* publish_cmd = app.add_subcommand("publish", "post to a channel");
  publish_cmd->add_option("--user,-u", user, "who posts (must have logged in)")->required();
  publish_cmd->add_option("CHANNEL", channel, "channel")->required();
  publish_cmd->add_option("TEXT", text, "the post (several words are joined by spaces)")->required();
  auto* message_cmd = app.add_subcommand("message", "send a private message");
  message_cmd->add_option("--from,-f", from, "sender")->required();
  message_cmd->add_option("DST", destination, "destination user")->required();
  message_cmd->add_option("TEXT", text, "the message (several words are joined by spaces)")->required();
  auto* history_cmd = app.add_subcommand("history", "a channel's posts, oldest first");
  history_cmd->add_option("CHANNEL", channel, "channel")->required();
  page_options(history_cmd);
  auto* inbox_cmd = app.add_subcommand("inbox", "a user's private messages, sent and received, oldest first");
  inbox_cmd->add_option("USER", user, "user")->required();
  page_options(inbox_cmd);

  std::string service;
  std::vector<std::string> fields;
  auto* request_cmd = app.add_subcommand("request", "any service, a plugin's own included: bib request topic channel=geral");
  request_cmd->add_option("SERVICE", service, "the service name")->required();
  request_cmd->add_option("FIELDS", fields, "KEY=VALUE data fields; VALUE is JSON when it parses as JSON, else text");

  SubscribeOptions subscription;
  auto* subscribe_cmd = app.add_subcommand("subscribe", "print posts of channels and private messages to a user as they arrive");
  subscribe_cmd->add_option("--user,-u", subscription.user, "receive the private messages to this user");
  subscribe_cmd->add_option("CHANNEL", subscription.channels, "channels whose posts to receive");
  subscribe_cmd->add_option("--count", subscription.count, "stop after this many messages")->check(CLI::PositiveNumber);
  subscribe_cmd->add_option("--timeout-s", subscription.timeout_s, "stop after this many seconds")
      ->check(CLI::PositiveNumber);

  StatusOptions status_options;
  auto* status_cmd = app.add_subcommand("status", "each server's status service, on its direct port 5561");
  status_cmd->add_option("SERVER", status_options.servers,
                         "server endpoints (tcp://ADDR:5561, or just ADDR); none: the servers the reference lists");
  auto* chat_cmd = app.add_subcommand("chat", "the chat (also what bib does without a subcommand): /help inside");
  auto* interactive_cmd = app.add_subcommand("interactive", "the original numbered menu (as bib --menu)");
  auto* context_cmd = app.add_subcommand(
      "context", "the endpoints in use and where each comes from; save NAME keeps them, use NAME makes them current");
  std::string context_action = "show", context_name;
  context_cmd->add_option("ACTION", context_action, "show (default), list, save NAME or use NAME")
      ->check(CLI::IsMember({"show", "list", "save", "use"}));
  context_cmd->add_option("NAME", context_name, "the saved context's name");
  std::string shell_name;
  auto* completion_cmd = app.add_subcommand("completion", "print the shell completion script: source <(bib completion bash)");
  completion_cmd->add_option("SHELL", shell_name, "the shell (bash)")->required()->check(CLI::IsMember({"bash"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int cli_code = app.exit(e);  // prints help, or the error with a hint
    return cli_code == 0 ? bib::cli::kSuccess : bib::cli::kUsage;
  }
  if (*completion_cmd) {
    std::cout << bash_completion(app);
    return bib::cli::kSuccess;
  }
  if (auto problem = shell.connection.resolve()) {
    std::cerr << "bib: " << problem->message << "\n";
    return bib::cli::kUsage;
  }

  try {
    if (*login_cmd) return login(shell, name);
    if (*users_cmd) return users(shell);
    if (*channel_cmd) return create_channel(shell, name);
    if (*channels_cmd) return channels(shell);
    if (*publish_cmd) return publish(shell, user, channel, join_words(text));
    if (*message_cmd) return message(shell, from, destination, join_words(text));
    if (*history_cmd) return history(shell, channel, page);
    if (*inbox_cmd) return inbox(shell, user, page);
    if (*request_cmd) return request(shell, service, fields);
    if (*subscribe_cmd) return subscribe(shell, subscription);
    if (*status_cmd) return status(shell, status_options);
    if (*context_cmd) return context(shell, context_action, context_name);
    if (*interactive_cmd || (menu && !*chat_cmd)) return interactive(shell, chat_options.wire_log);
    return bib::chat::run_chat(shell.connection, chat_options);
  } catch (const std::exception& e) {
    // A bad endpoint string (zmq refuses it) or a name ZeroMQ cannot subscribe to.
    std::cerr << "bib: " << e.what() << "\n";
    return bib::cli::kUsage;
  }
}
