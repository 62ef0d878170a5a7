// host.metrics: where the metrics HTTP server listens, "ADDRESS:PORT" ("127.0.0.1:9561",
// "0.0.0.0:9561", "[::1]:9561"; "*:9561" is every IPv4 address, as "*" is in the ZeroMQ
// endpoints). Not a tcp:// endpoint: it is an HTTP address, written as Prometheus writes its
// targets.
#pragma once

#include <string>

namespace bib::host {

struct HttpAddress {
  std::string host;  // as httplib binds it: an IP or a name, IPv6 without the brackets
  int port = 0;
};

// Throws std::invalid_argument saying what is wrong ("expected ADDRESS:PORT, got 'x'").
HttpAddress parse_http_address(const std::string& text);

}  // namespace bib::host
