// The servers' own `status` service, asked on each one's direct port (5561): the servers the
// reference lists, and one outcome per server. `bib status` prints them as blocks, the chat's
// /status as one table row per server:
//   node      rank  coordinator  lamport  events  digest
//   server-1  1     server-3     812      240     9c1e0a5d
#pragma once

#include <string>
#include <vector>

#include "bib/result.hpp"
#include "bib_cli/session.hpp"

namespace bib::cli {

struct ServerStatus {
  std::string endpoint;  // tcp://ADDR:5561
  Outcome outcome;
};

// Direct endpoints of the servers the reference at `reference` lists. An Error says why there
// are none (unreachable, rejected, an empty list); `code` is then the exit code that fits.
Result<std::vector<std::string>> listed_servers(const std::string& reference, const ClientOptions& options,
                                                WirePrinter& wire, int& code);

// `status` of each server, in order.
std::vector<ServerStatus> ask_status(const std::vector<std::string>& servers, const ClientOptions& options,
                                     WirePrinter& wire);

// One line per server under a header line, columns aligned; unreachable servers say so.
std::vector<std::string> status_table(const std::vector<ServerStatus>& servers);

}  // namespace bib::cli
