// bib status: the `status` service of each server, asked on its direct port (5561), one block
// per server. With no server given, the servers the reference lists.
#include <iostream>

#include "bib/json.hpp"
#include "bib_cli/display.hpp"
#include "bib_cli/session.hpp"
#include "commands.hpp"

namespace bib::client {

namespace {

// Direct endpoints of the servers the reference lists, or empty with a message on failure.
std::vector<std::string> listed_servers(const Shell& shell, const std::string& reference, int& code) {
  cli::WirePrinter wire(std::cerr, shell.connection.quiet);
  cli::Session session(reference, shell.connection.client_options(), wire);
  const cli::Outcome outcome = session.call("list");
  std::vector<std::string> servers;
  if (!outcome.ok()) {
    std::cerr << "bib status: cannot list the servers at " << reference << ": " << outcome.error << "\n";
    code = outcome.exit_code();
    return servers;
  }
  if (const Value* list = outcome.data.find("list"); list && list->is_array()) {
    for (const auto& server : list->as_array())
      if (server.is_map() && server.find("address") && server.at("address").is_string())
        servers.push_back(cli::server_direct_endpoint(server.get_string("address")));
  }
  if (servers.empty()) std::cerr << "bib status: the reference at " << reference << " lists no server\n";
  return servers;
}

}  // namespace

int status(const Shell& shell, const StatusOptions& options) {
  int code = cli::kSuccess;
  std::vector<std::string> servers;
  for (const auto& s : options.servers) servers.push_back(cli::server_direct_endpoint(s));
  if (servers.empty()) {
    servers = listed_servers(shell, options.reference, code);
    if (servers.empty()) return code == cli::kSuccess ? cli::kUnreachable : code;
  }
  cli::WirePrinter wire(std::cerr, shell.connection.quiet);
  for (std::size_t i = 0; i < servers.size(); ++i) {
    const std::string& endpoint = servers[i];
    cli::Session session(endpoint, shell.connection.client_options(), wire);
    const cli::Outcome outcome = session.call("status");
    code = cli::worse(code, outcome.exit_code());
    if (shell.json) {
      Map line{{"endpoint", endpoint}};
      if (!outcome.data.is_nil()) line["data"] = outcome.data;
      if (!outcome.ok()) line["error"] = outcome.error;
      std::cout << to_json(line) << std::endl;
      continue;
    }
    if (i > 0) std::cout << "\n";
    if (outcome.ok()) {
      std::cout << cli::status_block(endpoint, outcome.data);
    } else {
      std::cout << endpoint << "\n  " << (outcome.kind == cli::Outcome::Kind::unreachable ? "unreachable" : "error")
                << ": " << outcome.error << "\n";
    }
    std::cout.flush();
  }
  return code;
}

}  // namespace bib::client
