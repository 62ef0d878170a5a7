// bib-probe: send one envelope to an endpoint and print the reply as JSON, for scripts (the
// bib-cluster launcher asks the reference server and the broker through it).
//
//   $ bib-probe --endpoint tcp://127.0.1.1:5560 --service list
//   {"service": "list", "data": {"list": [{"name": "server-1", "rank": 1, ...}], "clock": 4, ...}}
//
// The proxy answers no request, so it is asked what it does instead: with --publish-to, a round
// trip through it. bib-probe subscribes at --endpoint (the proxy's XPUB, 5558) to a topic of its
// own, publishes to --publish-to (the proxy's XSUB, 5557) on that topic until the message comes
// back (the subscription has to reach the publisher through the proxy first), and prints
//
//   $ bib-probe --endpoint tcp://127.0.1.3:5558 --publish-to tcp://127.0.1.3:5557
//   {"service": "probe", "data": {"topic": "bib-probe-9f2c41d07a3be611", "sent": 3, "round_trip_ms": 4.1}}
//
// (the container healthcheck of the proxy, tools/docker/bib-healthcheck). With CURVE on the
// proxy's publisher port (host.security "curve"), --publish-key names the proxy's public key and
// --key this probe's secret key; with CURVE on its subscriber port too (host.client_security),
// --server-key names the proxy's public key for that side.
//
// A port with CURVE on (host.security "curve", docs/security.md) is asked as a CURVE client:
// --server-key names the answering node's public key file, --key this probe's own secret key
// (one the cluster lists, e.g. keys/tools.key; without it a fresh pair, which only a client
// port accepts):
//
//   $ bib-probe --endpoint tcp://127.0.1.1:5560 --service list --server-key keys/reference.pub --key keys/tools.key
//
// Exit status: 0 with the reply on stdout; 2 when no reply came in time (--timeout-ms per try,
// --retries tries); 1 on any other error (bad --data, undecodable reply), with one line on stderr.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <random>
#include <string>

#include "bib/client.hpp"
#include "bib/curve_keys.hpp"
#include "bib/json.hpp"
#include "bib/net.hpp"
#include "bib/subscriber.hpp"
#include "bib/version.hpp"

namespace {

// Publishes on a topic of its own through the proxy until the message comes back, within
// `timeout`. Exit status as main's.
// `subscribe_prepare` and `publish_prepare` set up CURVE on either side (null: plain).
int round_trip(const std::string& subscribe_endpoint, const std::string& publish_endpoint,
               std::chrono::milliseconds timeout, std::int64_t max_message_bytes,
               const std::function<void(zmq::socket_t&)>& subscribe_prepare,
               const std::function<void(zmq::socket_t&)>& publish_prepare) {
  using Clock = std::chrono::steady_clock;
  constexpr auto kResend = std::chrono::milliseconds(50);
  std::random_device random;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%08x%08x", random(), random());
  const std::string topic = std::string("bib-probe-") + hex;

  zmq::context_t zmq;
  bib::SubscriberOptions options;
  options.max_message_bytes = max_message_bytes;
  options.prepare = subscribe_prepare;
  bib::Subscriber subscriber(subscribe_endpoint, options, &zmq);
  subscriber.subscribe(topic);
  zmq::socket_t publisher = bib::network_socket(zmq, zmq::socket_type::pub, 0);
  if (publish_prepare) publish_prepare(publisher);
  publisher.connect(publish_endpoint);

  const auto start = Clock::now();
  const auto deadline = start + timeout;
  int sent = 0;
  while (Clock::now() < deadline) {
    const std::string body = bib::encode_envelope({"probe", bib::Map{{"topic", topic}, {"sent", sent + 1}}});
    publisher.send(zmq::buffer(topic), zmq::send_flags::sndmore);
    publisher.send(zmq::buffer(body), zmq::send_flags::none);
    ++sent;
    const auto wait = std::min<Clock::duration>(kResend, deadline - Clock::now());
    if (auto message = subscriber.receive(std::chrono::ceil<std::chrono::milliseconds>(wait))) {
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      const bib::Value out = bib::Map{{"service", "probe"},
                                      {"data", bib::Map{{"topic", topic}, {"sent", sent}, {"round_trip_ms", ms}}}};
      std::cout << bib::to_json(out) << std::endl;
      return 0;
    }
  }
  std::cerr << "bib-probe: nothing published to " << publish_endpoint << " came back at " << subscribe_endpoint
            << " within " << timeout.count() << " ms\n";
  return 2;
}

// A CURVE client set-up for a node whose public key is in `server_key_file` (empty: plain),
// as this probe's `key_file` (empty: a fresh pair). Throws when a file cannot be read.
// Nothing without a server key: a plain socket.
bib::SocketSetup curve_client(const std::string& server_key_file, const std::string& key_file) {
  if (server_key_file.empty()) return nullptr;
  return bib::curve_client_setup(server_key_file, key_file);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Send one request envelope and print the reply as JSON"};
  app.set_version_flag("--version", std::string("bib-probe " BIB_VERSION_STRING));
  std::string endpoint;
  std::string service;
  std::string data_json = "{}";
  int timeout_ms = 1000;
  int retries = 1;
  std::int64_t max_message_bytes = 1 << 20;
  std::string publish_to;
  std::string server_key_file;
  std::string key_file;
  std::string publish_key_file;
  app.add_option("--endpoint", endpoint, "ROUTER to ask, e.g. tcp://127.0.0.1:5555 (with --publish-to: the "
                                         "proxy's XPUB to subscribe at, e.g. tcp://127.0.0.1:5558)")->required();
  auto* service_option = app.add_option("--service", service, "service name, e.g. list, broker, ping");
  app.add_option("--publish-to", publish_to, "no request: a round trip through a proxy; publish to its XSUB "
                                             "(e.g. tcp://127.0.0.1:5557) until the message comes back at --endpoint")
      ->excludes(service_option);
  app.add_option("--data", data_json, "request data as a JSON object")->capture_default_str();
  app.add_option("--timeout-ms", timeout_ms, "wait for a reply, per try")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--retries", retries, "tries in all (Lazy Pirate)")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--max-message-bytes", max_message_bytes, "largest reply accepted")->capture_default_str();
  app.add_option("--server-key", server_key_file, "speak CURVE: the public key file (NAME.pub) of the node at "
                                                 "--endpoint");
  app.add_option("--key", key_file, "with --server-key or --publish-key: this probe's secret key file (NAME.key); "
                                   "default a fresh pair");
  app.add_option("--publish-key", publish_key_file, "with --publish-to: speak CURVE to the proxy's publisher port; "
                                                   "its public key file (NAME.pub)")
      ->needs(app.get_option("--publish-to"));
  CLI11_PARSE(app, argc, argv);
  std::function<void(zmq::socket_t&)> prepare;
  std::function<void(zmq::socket_t&)> publish_prepare;
  try {
    prepare = curve_client(server_key_file, key_file);
    publish_prepare = curve_client(publish_key_file, key_file);
  } catch (const std::exception& e) {
    std::cerr << "bib-probe: " << e.what() << "\n";
    return 1;
  }
  if (!publish_to.empty()) {
    return round_trip(endpoint, publish_to, std::chrono::milliseconds(timeout_ms) * retries, max_message_bytes,
                      prepare, publish_prepare);
  }
  if (service.empty()) {
    std::cerr << "bib-probe: --service is required (or --publish-to for a round trip through a proxy)\n";
    return 1;
  }

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
  options.prepare = prepare;
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
