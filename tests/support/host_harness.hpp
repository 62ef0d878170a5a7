// Helpers for the tests that run bib-host processes (reference, proxy, discovery, coordination
// suites), shared from tests/support:
// start a host from an inline TOML config, and talk to a ROUTER as a plain REQ client would.
#pragma once

#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <zmq.hpp>

#include "bib/codec.hpp"
#include "support/loopback.hpp"
#include "support/process.hpp"
#include "support/wait.hpp"

namespace bib::test {

// The fixture of a suite that runs bib-host processes: a loopback block of its own (parallel
// tests never collide), a scratch directory and a ZeroMQ context for plain clients.
class HostProcessTest : public ::testing::Test {
 protected:
  explicit HostProcessTest(const std::string& dir_prefix) : dir(make_temp_dir(dir_prefix)) {}

  LoopbackBlock net;
  std::string dir;
  zmq::context_t zmq;
};

// A process running one plugin: [host] name, then the plugin's name and option lines.
inline std::string one_plugin_config(const std::string& host_name, const std::string& plugin,
                                     const std::string& option_lines) {
  return "[host]\nname = \"" + host_name + "\"\n\n[[plugins]]\nname = \"" + plugin + "\"\n" + option_lines;
}

// The reference server on endpoint; extra: more option lines.
inline std::string reference_config(const std::string& endpoint, const std::string& extra = "") {
  return one_plugin_config("reference", "reference", "endpoint = \"" + endpoint + "\"\n" + extra);
}

// The proxy between its XSUB frontend and XPUB backend; extra: more option lines.
inline std::string proxy_config(const std::string& frontend, const std::string& backend,
                                const std::string& extra = "") {
  return one_plugin_config("proxy", "proxy",
                           "frontend = \"" + frontend + "\"\nbackend = \"" + backend + "\"\n" + extra);
}

// Writes <dir>/<file_stem>.toml and runs `bib-host --config` on it; output in <dir>/<file_stem>.log.
inline std::unique_ptr<Process> start_host(const std::string& dir, const std::string& file_stem,
                                           const std::string& toml) {
  const std::string config = dir + "/" + file_stem + ".toml";
  std::ofstream(config) << toml;
  return std::make_unique<Process>(
      std::vector<std::string>{bin_path("bib-host"), "--config", config, "--plugin-path", plugin_dir()},
      dir + "/" + file_stem + ".log");
}

// One request through a fresh REQ socket, with hand-built frames as a course client sends
// them ({"service": s, "data": {..., "timestamp", "clock"}}); empty when no reply in time.
inline std::optional<Envelope> req_call(zmq::context_t& zmq, const std::string& endpoint, const std::string& service,
                                        Value data = Map{},
                                        std::chrono::milliseconds timeout = std::chrono::milliseconds(500)) {
  data["timestamp"] = 1700000000.25;
  data["clock"] = 1;
  const std::string bytes = encode(Value(Map{{"service", service}, {"data", std::move(data)}}));
  zmq::socket_t req(zmq, zmq::socket_type::req);
  req.set(zmq::sockopt::linger, 0);
  req.connect(endpoint);
  req.send(zmq::buffer(bytes), zmq::send_flags::none);
  zmq::pollitem_t item{req.handle(), 0, ZMQ_POLLIN, 0};
  if (zmq::poll(&item, 1, timeout) == 0) return std::nullopt;
  zmq::message_t reply;
  if (!req.recv(reply, zmq::recv_flags::dontwait)) return std::nullopt;
  auto decoded = decode_envelope(reply.to_string_view());
  if (!decoded) return std::nullopt;
  return decoded.value();
}

// req_call until the endpoint answers (the process may still be starting).
inline std::optional<Envelope> req_call_until_answered(zmq::context_t& zmq, const std::string& endpoint,
                                                       const std::string& service, const Value& data = Map{},
                                                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  std::optional<Envelope> reply;
  wait_until([&] { return (reply = req_call(zmq, endpoint, service, data)).has_value(); }, timeout);
  return reply;
}

// The names in a `list` reply, in order.
inline std::vector<std::string> listed_names(const Envelope& reply) {
  std::vector<std::string> names;
  for (const Value& server : reply.data.get_array("list")) names.push_back(server.get_string("name"));
  return names;
}

}  // namespace bib::test
