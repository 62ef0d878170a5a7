#include "http_address.hpp"

#include <charconv>
#include <stdexcept>

namespace bib::host {

HttpAddress parse_http_address(const std::string& text) {
  const auto refuse = [&text](const std::string& why) {
    throw std::invalid_argument(why + " (expected ADDRESS:PORT, like 127.0.0.1:9561), got '" + text + "'");
  };
  if (text.find("://") != std::string::npos) refuse("no scheme");
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) refuse("no address");
  HttpAddress out;
  out.host = text.substr(0, colon);
  if (out.host.front() == '[') {
    if (out.host.size() < 3 || out.host.back() != ']') refuse("unclosed '['");
    out.host = out.host.substr(1, out.host.size() - 2);
  } else if (out.host.find(':') != std::string::npos) {
    refuse("an IPv6 address goes in brackets");
  } else if (out.host == "*") {
    out.host = "0.0.0.0";  // every address, as in a ZeroMQ endpoint (tcp://*:5561)
  }
  const std::string port = text.substr(colon + 1);
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), out.port);
  if (port.empty() || error != std::errc() || end != port.data() + port.size() || out.port < 1 || out.port > 65535)
    refuse("the port must be between 1 and 65535");
  return out;
}

}  // namespace bib::host
