// Network sockets set up one way everywhere (broker, proxy, reference, servers, clients).
//
//   auto socket = bib::network_socket(ctx.zmq_context(), zmq::socket_type::dealer, ctx.max_message_bytes());
//   socket.connect(bib::tcp_endpoint(peer.address, 5562));   // "tcp://127.0.2.1:5562"
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <zmq.hpp>

#include "bib/export.hpp"

namespace bib {

// A socket with ZMQ_LINGER `linger` (how long unsent messages may still leave after close: 0
// drops them, so a dead peer never holds a closing process) and ZMQ_MAXMSGSIZE
// `max_message_bytes` (a larger message drops the sender's connection instead of being read;
// <= 0: no limit, for sockets that only send).
BIB_SDK_API zmq::socket_t network_socket(zmq::context_t& zmq, zmq::socket_type type, std::int64_t max_message_bytes,
                                         std::chrono::milliseconds linger = std::chrono::milliseconds(0));

// "tcp://<address>:<port>"
BIB_SDK_API std::string tcp_endpoint(std::string_view address, int port);

}  // namespace bib
