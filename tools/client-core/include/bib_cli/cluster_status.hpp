// The servers' own `status` service, asked on each one's direct port (5561): the servers the
// reference lists, and one outcome per server. `bib status` prints them as blocks, the chat's
// /status as one table row per server:
//   node      rank  coordinator  lamport  events  digest
//   server-1  1     server-3     812      240     9c1e0a5d
#pragma once

#include <string>
#include <vector>

#include "bib/result.hpp"
#include "bib_cli/connection.hpp"
#include "bib_cli/session.hpp"

namespace bib::cli {

struct ServerAddress {
  std::string name;      // as the reference lists it; "" for a server given by its address
  std::string endpoint;  // tcp://ADDR:5561
};

struct ServerStatus {
  std::string endpoint;  // tcp://ADDR:5561
  Outcome outcome;
};

// The servers the connection's reference lists. An Error says why there are none (unreachable,
// rejected, an empty list); `code` is then the exit code that fits. With connection.keys_dir
// the reference is asked over CURVE (Connection::member_options).
Result<std::vector<ServerAddress>> listed_servers(const Connection& connection, WirePrinter& wire, int& code);

// `status` of each server, in order: over CURVE as the connection's keys say for a named server,
// plain for one given by its address.
std::vector<ServerStatus> ask_status(const std::vector<ServerAddress>& servers, const Connection& connection,
                                     WirePrinter& wire);

// One line per server under a header line, columns aligned; unreachable servers say so.
std::vector<std::string> status_table(const std::vector<ServerStatus>& servers);

}  // namespace bib::cli
