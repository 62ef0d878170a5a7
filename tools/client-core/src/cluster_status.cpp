#include "bib_cli/cluster_status.hpp"

#include <algorithm>

#include "bib/link_security.hpp"
#include "bib_cli/connection.hpp"
#include "bib_cli/display.hpp"

namespace bib::cli {

Result<std::vector<ServerAddress>> listed_servers(const Connection& connection, WirePrinter& wire, int& code) {
  const std::string& reference = connection.reference;
  auto options = connection.member_options(std::string(kReferenceKeyName));
  if (!options) {
    code = kUsage;
    return Error{"cannot ask the reference over CURVE: " + options.error().message};
  }
  Session session(reference, std::move(options).value(), wire);
  const Outcome outcome = session.call("list");
  if (!outcome.ok()) {
    code = outcome.exit_code();
    return Error{"cannot list the servers at " + reference + ": " + outcome.error};
  }
  std::vector<ServerAddress> servers;
  if (const Value* list = outcome.data.find("list"); list && list->is_array()) {
    for (const auto& server : list->as_array()) {
      if (!server.is_map() || !server.find("address") || !server.at("address").is_string()) continue;
      const Value* name = server.find("name");
      servers.push_back(ServerAddress{name != nullptr && name->is_string() ? name->as_string() : std::string(),
                                      server_direct_endpoint(server.get_string("address"))});
    }
  }
  if (servers.empty()) {
    code = kUnreachable;
    return Error{"the reference at " + reference + " lists no server"};
  }
  return servers;
}

std::vector<ServerStatus> ask_status(const std::vector<ServerAddress>& servers, const Connection& connection,
                                     WirePrinter& wire) {
  std::vector<ServerStatus> out;
  for (const auto& server : servers) {
    auto options = server.name.empty() ? Result<ClientOptions>(connection.client_options())
                                       : connection.member_options(server.name);
    if (!options) {
      Outcome failed;
      failed.kind = Outcome::Kind::rejected;
      failed.error = "cannot ask over CURVE: " + options.error().message;
      out.push_back(ServerStatus{server.endpoint, std::move(failed)});
      continue;
    }
    Session session(server.endpoint, std::move(options).value(), wire);
    out.push_back(ServerStatus{server.endpoint, session.call("status")});
  }
  return out;
}

std::vector<std::string> status_table(const std::vector<ServerStatus>& servers) {
  static const std::vector<std::string> columns{"node", "rank", "coordinator", "lamport", "events", "digest"};
  std::vector<std::vector<std::string>> rows{columns};
  for (const auto& server : servers) {
    std::vector<std::string> row;
    if (server.outcome.ok()) {
      for (const auto& column : columns) row.push_back(field_text(server.outcome.data, column));
    } else {
      row = {server.endpoint, server.outcome.kind == Outcome::Kind::unreachable ? "unreachable" : "error: " + server.outcome.error};
    }
    rows.push_back(std::move(row));
  }
  std::vector<std::size_t> width(columns.size(), 0);
  for (const auto& row : rows)
    for (std::size_t i = 0; i + 1 < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::vector<std::string> lines;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace bib::cli
