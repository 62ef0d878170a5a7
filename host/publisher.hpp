// The host's one PUB socket, behind Context::publish(). Connected to the proxy's XSUB
// (host.proxy) once the host starts serving; without a proxy, or before open(), publishing is
// a debug line and nothing else. Each message is two frames:
//   [topic]["{service: publish, data: {user, channel, message, timestamp, clock}}" as MessagePack]
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <zmq.hpp>

#include "bib/codec.hpp"
#include "bib/link_security.hpp"
#include "bib/logger.hpp"

namespace bib::host {

class Publisher {
 public:
  // `security` is read at open() (the host sets it up after constructing the publisher).
  Publisher(zmq::context_t& zmq, const bib::LinkSecurity& security, std::string proxy, spdlog::logger& log,
            spdlog::logger& wire);

  void open();   // creates the socket and connects it; no-op without a proxy
  void close();
  void publish(std::string_view topic, const bib::Envelope& message);

 private:
  zmq::context_t& zmq_;
  const bib::LinkSecurity& security_;
  std::string proxy_;
  spdlog::logger& log_;
  spdlog::logger& wire_;
  std::unique_ptr<zmq::socket_t> socket_;
};

}  // namespace bib::host
