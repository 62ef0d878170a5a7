// Test helpers for driving a bib-host process: its config file, and a plain ZeroMQ client
// that speaks the wire protocol by hand (REQ or DEALER), as an external client would.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "bib/codec.hpp"

namespace bib::test {

// [host] with name, listen and plugin_path, then one [[plugins]] entry per name.
std::string host_config(const std::string& name, const std::string& listen, const std::vector<std::string>& plugins);
// Writes text to dir/file and returns the path.
std::string write_file(const std::string& dir, const std::string& file, const std::string& text);

class WireClient {
 public:
  explicit WireClient(std::string endpoint) : endpoint_(std::move(endpoint)) {}

  // One request on a fresh REQ socket; the raw reply, or nullopt after timeout.
  std::optional<std::string> call_raw(const std::string& body,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The same with envelopes; a reply that does not decode fails the test.
  std::optional<bib::Envelope> call(const std::string& service, bib::Value data = bib::Map{},
                                    std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // One request as DEALER frames (with or without the empty delimiter); the reply frames.
  std::optional<std::vector<std::string>> call_dealer(const std::vector<std::string>& frames,
                                                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

  zmq::context_t& context() { return zmq_; }

 private:
  std::string endpoint_;
  zmq::context_t zmq_;
};

}  // namespace bib::test
