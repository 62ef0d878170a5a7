// bib status: the `status` service of each server, asked on its direct port (5561), one block
// per server. With no server given, the servers the reference lists (the reference from
// --reference, BIB_REFERENCE_ENDPOINT or the context: docs/client.md).
#include <iostream>

#include "bib/json.hpp"
#include "bib_cli/cluster_status.hpp"
#include "bib_cli/display.hpp"
#include "commands.hpp"

namespace bib::client {

int status(const Shell& shell, const StatusOptions& options) {
  int code = cli::kSuccess;
  cli::WirePrinter wire(std::cerr, shell.connection.quiet);
  std::vector<cli::ServerAddress> servers;
  for (const auto& s : options.servers) servers.push_back(cli::ServerAddress{"", cli::server_direct_endpoint(s)});
  if (servers.empty()) {
    auto listed = cli::listed_servers(shell.connection, wire, code);
    if (!listed) {
      std::cerr << "bib status: " << listed.error().message << " (reference from "
                << shell.connection.origin.reference << ")\n";
      return code == cli::kSuccess ? cli::kUnreachable : code;
    }
    servers = std::move(listed.value());
  }
  const auto answers = cli::ask_status(servers, shell.connection, wire);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    const auto& [endpoint, outcome] = answers[i];
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
