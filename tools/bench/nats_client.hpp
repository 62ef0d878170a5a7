// The smallest NATS client that bib-bench-nats needs (docs/benchmarks.md, "Beside NATS
// JetStream"): one TCP connection speaking the NATS text protocol (CONNECT, PING/PONG, SUB,
// PUB, MSG), enough to publish to a JetStream stream and wait for its acknowledgement, or to
// make a JetStream API request. No TLS, no reconnects, no headers: a benchmark peer, not a
// library. (Debian has NATS's server but no C or C++ client; the protocol is a few lines.)
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bib::bench {

class NatsConnection {
 public:
  // Connects to host:port and completes the handshake (INFO, CONNECT, PING -> PONG); throws
  // std::runtime_error saying what failed.
  NatsConnection(const std::string& host, int port, std::chrono::milliseconds timeout);
  NatsConnection(const NatsConnection&) = delete;
  NatsConnection& operator=(const NatsConnection&) = delete;
  ~NatsConnection();

  void subscribe(std::string_view subject, int sid);
  void publish(std::string_view subject, std::string_view reply_to, std::string_view payload);
  // The payload of the next MSG (server PINGs are answered on the way); nothing on timeout.
  // Throws on -ERR or a closed connection.
  std::optional<std::string> next_message(std::chrono::milliseconds timeout);
  // publish(subject, a fresh inbox of this connection, payload) and the reply's payload.
  std::optional<std::string> request(std::string_view subject, std::string_view payload,
                                     std::chrono::milliseconds timeout);

 private:
  std::optional<std::string> read_line(std::chrono::steady_clock::time_point deadline);
  bool fill(std::chrono::steady_clock::time_point deadline);
  void send_all(std::string_view bytes);

  int fd_ = -1;
  std::string buffer_;
  std::string inbox_;        // _INBOX.<random>.
  std::uint64_t next_reply_ = 0;
};

}  // namespace bib::bench
