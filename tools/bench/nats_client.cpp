#include "nats_client.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/tcp.h>

#include <cerrno>
#include <random>
#include <stdexcept>

namespace bib::bench {

namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

}  // namespace

NatsConnection::NatsConnection(const std::string& host, int port, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || found == nullptr)
    throw std::runtime_error("nats: cannot resolve " + host);
  fd_ = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, 0);
  const int connected = fd_ < 0 ? -1 : ::connect(fd_, found->ai_addr, found->ai_addrlen);
  ::freeaddrinfo(found);
  if (connected != 0) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("nats: cannot connect to " + host + ":" + std::to_string(port));
  }
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const auto deadline = Clock::now() + timeout;
  auto info = read_line(deadline);
  if (!info || info->rfind("INFO ", 0) != 0) throw std::runtime_error("nats: no INFO from the server");
  send_all("CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":false,\"name\":\"bib-bench-nats\"}\r\nPING\r\n");
  for (;;) {
    auto line = read_line(deadline);
    if (!line) throw std::runtime_error("nats: no PONG after CONNECT");
    if (*line == "PONG") break;
    if (line->rfind("-ERR", 0) == 0) throw std::runtime_error("nats: " + *line);
  }
  std::random_device random;
  inbox_ = "_INBOX." + std::to_string(random()) + std::to_string(random()) + ".";
  subscribe(inbox_ + "*", 1);
}

NatsConnection::~NatsConnection() {
  if (fd_ >= 0) ::close(fd_);
}

void NatsConnection::send_all(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("nats: the connection broke while sending");
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

bool NatsConnection::fill(Clock::time_point deadline) {
  pollfd p{fd_, POLLIN, 0};
  const int ready = ::poll(&p, 1, remaining_ms(deadline));
  if (ready <= 0) return false;
  char chunk[65536];
  const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) throw std::runtime_error("nats: the server closed the connection");
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

std::optional<std::string> NatsConnection::read_line(Clock::time_point deadline) {
  for (;;) {
    const std::size_t end = buffer_.find("\r\n");
    if (end != std::string::npos) {
      std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      return line;
    }
    if (!fill(deadline)) return std::nullopt;
  }
}

void NatsConnection::subscribe(std::string_view subject, int sid) {
  send_all("SUB " + std::string(subject) + " " + std::to_string(sid) + "\r\n");
}

void NatsConnection::publish(std::string_view subject, std::string_view reply_to, std::string_view payload) {
  std::string frame = "PUB " + std::string(subject) + " " + std::string(reply_to) + " " +
                      std::to_string(payload.size()) + "\r\n";
  frame.append(payload);
  frame += "\r\n";
  send_all(frame);
}

std::optional<std::string> NatsConnection::next_message(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto line = read_line(deadline);
    if (!line) return std::nullopt;
    if (*line == "PING") {
      send_all("PONG\r\n");
      continue;
    }
    if (line->rfind("-ERR", 0) == 0) throw std::runtime_error("nats: " + *line);
    if (line->rfind("MSG ", 0) != 0) continue;  // +OK, PONG, INFO updates
    // MSG <subject> <sid> [reply-to] <#bytes>
    const std::size_t size = std::stoul(line->substr(line->rfind(' ') + 1));
    while (buffer_.size() < size + 2)
      if (!fill(deadline)) return std::nullopt;
    std::string payload = buffer_.substr(0, size);
    buffer_.erase(0, size + 2);
    return payload;
  }
}

std::optional<std::string> NatsConnection::request(std::string_view subject, std::string_view payload,
                                                   std::chrono::milliseconds timeout) {
  publish(subject, inbox_ + std::to_string(++next_reply_), payload);
  return next_message(timeout);
}

}  // namespace bib::bench
