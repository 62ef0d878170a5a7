#include "bib/net.hpp"

namespace bib {

zmq::socket_t network_socket(zmq::context_t& zmq, zmq::socket_type type, std::int64_t max_message_bytes,
                             std::chrono::milliseconds linger) {
  zmq::socket_t socket(zmq, type);
  socket.set(zmq::sockopt::linger, static_cast<int>(linger.count()));
  if (max_message_bytes > 0) socket.set(zmq::sockopt::maxmsgsize, max_message_bytes);
  return socket;
}

std::string tcp_endpoint(std::string_view address, int port) {
  return "tcp://" + std::string(address) + ":" + std::to_string(port);
}

}  // namespace bib
