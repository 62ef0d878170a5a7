// The subcommands of `bib`, one function each; every one returns the process exit code
// (bib_cli/exit_codes.hpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bib_cli/connection.hpp"
#include "bib_cli/wire_printer.hpp"

namespace bib::client {

// What every subcommand needs: where the cluster is, and how to show things.
struct Shell {
  cli::Connection connection;
  bool json = false;  // the reply data as one line of JSON instead of the human form
};

struct Page {
  int limit = 0;        // 0: the server's default (100)
  std::string before;  // a Lamport clock ("12") or a cursor "clock:origin:seq"; empty = newest
};

int login(const Shell& shell, const std::string& user);
int users(const Shell& shell);
int create_channel(const Shell& shell, const std::string& channel);
int channels(const Shell& shell);
int publish(const Shell& shell, const std::string& user, const std::string& channel, const std::string& text);
int message(const Shell& shell, const std::string& from, const std::string& to, const std::string& text);
int history(const Shell& shell, const std::string& channel, const Page& page);
int inbox(const Shell& shell, const std::string& user, const Page& page);
// Any service, a plugin's own included: fields are KEY=VALUE, VALUE read as JSON when it is
// (42, 1.5, true, "x", [..], {..}) and as text otherwise; the reply's fields are printed.
int request(const Shell& shell, const std::string& service, const std::vector<std::string>& fields);

struct SubscribeOptions {
  std::string user;                   // private messages to this user, when given
  std::vector<std::string> channels;  // posts of these channels
  int count = 0;                      // stop after this many messages (0 = no limit)
  double timeout_s = 0;               // stop after this many seconds (0 = no limit)
};
int subscribe(const Shell& shell, const SubscribeOptions& options);

struct StatusOptions {
  std::vector<std::string> servers;  // direct endpoints; empty = every server the reference lists
};
int status(const Shell& shell, const StatusOptions& options);

// The original numbered menu; wire lines to stderr, or appended to `wire_log` when named.
int interactive(const Shell& shell, const std::string& wire_log);

// bib context: show the endpoints in use and where each came from (flag, environment, context,
// default); list the saved contexts; save NAME (the endpoints in use); use NAME (make it current).
int context(const Shell& shell, const std::string& action, const std::string& name);

// A bash completion script for `app`, generated from its subcommands and options.
}  // namespace bib::client

namespace CLI {
class App;
}  // namespace CLI

namespace bib::client {
std::string bash_completion(const CLI::App& app);

}  // namespace bib::client
