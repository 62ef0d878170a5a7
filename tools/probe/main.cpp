// bib-probe: send one envelope to an endpoint and print the reply as JSON, for scripts (the
// bib-cluster launcher asks the reference server and the broker through it).
//
//   $ bib-probe --endpoint tcp://127.0.1.1:5560 --service list
//   {"service": "list", "data": {"list": [{"name": "server-1", "rank": 1, ...}], "clock": 4, ...}}
//
// Exit status: 0 with the reply on stdout; 2 when no reply came in time; 1 on any other error
// (bad --data, undecodable reply), with one line on stderr.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

#include "bib/client.hpp"
#include "bib/json.hpp"
#include "bib/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Send one request envelope and print the reply as JSON"};
  app.set_version_flag("--version", std::string("bib-probe " BIB_VERSION_STRING));
  std::string endpoint;
  std::string service;
  std::string data_json = "{}";
  int timeout_ms = 1000;
  int retries = 1;
  std::int64_t max_message_bytes = 1 << 20;
  app.add_option("--endpoint", endpoint, "ROUTER to ask, e.g. tcp://127.0.0.1:5555")->required();
  app.add_option("--service", service, "service name, e.g. list, broker, ping")->required();
  app.add_option("--data", data_json, "request data as a JSON object")->capture_default_str();
  app.add_option("--timeout-ms", timeout_ms, "wait for a reply, per try")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--retries", retries, "tries in all (Lazy Pirate)")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--max-message-bytes", max_message_bytes, "largest reply accepted")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto data = bib::parse_json(data_json);
  if (!data) {
    std::cerr << "bib-probe: --data: " << data.error().message << "\n";
    return 1;
  }
  if (!data.value().is_map()) {
    std::cerr << "bib-probe: --data must be a JSON object\n";
    return 1;
  }

  bib::ClientOptions options;
  options.timeout = std::chrono::milliseconds(timeout_ms);
  options.retries = retries;
  options.max_message_bytes = max_message_bytes;
  bib::Client client(endpoint, options);
  auto reply = client.request(service, std::move(data).value());
  if (!reply) {
    std::cerr << "bib-probe: " << reply.error().message << "\n";
    return reply.error().message.rfind("no reply from ", 0) == 0 ? 2 : 1;
  }
  const bib::Value out = bib::Map{{"service", reply.value().service}, {"data", reply.value().data}};
  std::cout << bib::to_json(out) << std::endl;
  return 0;
}
