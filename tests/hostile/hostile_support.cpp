#include "hostile_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>
#include <zmq_addon.hpp>

#include "bib/codec.hpp"
#include "bib/json.hpp"
#include "bib/refusal_log.hpp"
#include "support/wait.hpp"

namespace bib::test::hostile {

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(byte(generator));
  return out;
}

std::string deep_nesting(int depth) {
  std::string out(static_cast<std::size_t>(depth), '\x91');  // fixarray of one element
  out += '\xc0';                                             // nil
  return out;
}

std::string deep_in_data(const std::string& service, int depth) {
  // {"service": service, "data": {"x": ...}}, written out: encode() cannot build a Value that deep.
  std::string out = "\x82\xa7service";
  out += static_cast<char>(0xa0 | service.size());
  out += service;
  out += "\xa4" "data" "\x81\xa1x";
  return out + deep_nesting(depth);
}

std::string msgpack(const Value& value) { return encode(value); }

std::string envelope(const std::string& service, Map data) {
  return encode_envelope(Envelope{service, Value(std::move(data))});
}

std::vector<Shape> wrong_shapes() {
  return {
      {"an array instead of a map", msgpack(Array{"login", Map{{"user", "ana"}}}), "message must be a map, got array"},
      {"a string", msgpack("login"), "message must be a map, got string"},
      {"an integer", msgpack(7), "message must be a map, got integer"},
      {"nil", msgpack(Value{}), "message must be a map, got nil"},
      {"service missing", msgpack(Map{{"data", Map{{"user", "ana"}}}}), "field 'service' is missing"},
      {"service an integer", msgpack(Map{{"service", 7}, {"data", Map{}}}),
       "field 'service' must be a string, got integer"},
      {"service a map", msgpack(Map{{"service", Map{}}, {"data", Map{}}}), "field 'service' must be a string, got map"},
      {"data a string", msgpack(Map{{"service", "login"}, {"data", "ana"}}), "field 'data' must be a map, got string"},
      {"data an array", msgpack(Map{{"service", "login"}, {"data", Array{"ana"}}}),
       "field 'data' must be a map, got array"},
      {"a map key that is no string", std::string("\x81\x07\xa1x", 4), "map key must be a string"},
      {"trailing bytes", envelope("ping", Map{}) + "xx", "trailing bytes"},
      {"truncated", envelope("ping", Map{{"x", "yyyy"}}).substr(0, 12), "truncated"},
      {"an array of 200,000 items", std::string("\xdd\x00\x03\x0d\x40", 5) + std::string(200000, '\xc0'),
       "array too long"},
  };
}

zmq::socket_t connect(zmq::context_t& zmq, zmq::socket_type type, const std::string& endpoint,
                      std::chrono::milliseconds timeout, int sndhwm) {
  zmq::socket_t socket(zmq, type);
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::sndtimeo, static_cast<int>(timeout.count()));
  socket.set(zmq::sockopt::rcvtimeo, static_cast<int>(timeout.count()));
  socket.set(zmq::sockopt::sndhwm, sndhwm);
  socket.connect(endpoint);
  return socket;
}

bool send(zmq::socket_t& socket, const Frames& frames) {
  std::vector<zmq::const_buffer> buffers;
  for (const auto& frame : frames) buffers.push_back(zmq::buffer(frame));
  try {
    return zmq::send_multipart(socket, buffers).has_value();
  } catch (const zmq::error_t&) {
    return false;  // a socket type that cannot send (it is the wrong type on purpose)
  }
}

std::optional<Frames> receive(zmq::socket_t& socket, std::chrono::milliseconds timeout) {
  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  if (zmq::poll(&item, 1, timeout) == 0) return std::nullopt;
  std::vector<zmq::message_t> parts;
  if (!zmq::recv_multipart(socket, std::back_inserter(parts), zmq::recv_flags::dontwait)) return std::nullopt;
  Frames frames;
  for (const auto& part : parts) frames.push_back(part.to_string());
  return frames;
}

namespace {

// A connected TCP socket to "tcp://a.b.c.d:port", or -1.
int tcp_connect(const std::string& endpoint) {
  const auto colon = endpoint.rfind(':');
  const std::string address = endpoint.substr(6, colon - 6);
  const int port = std::stoi(endpoint.substr(colon + 1));
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, address.c_str(), &to.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

bool tcp_garbage(const std::string& endpoint, const std::string& bytes) {
  const int fd = tcp_connect(endpoint);
  if (fd < 0) return false;
  for (std::size_t sent = 0; sent < bytes.size();) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the peer closed on us: what it did with the rest is its business
    sent += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return true;
}

RawSubscriber::RawSubscriber(const std::string& endpoint) : fd_(tcp_connect(endpoint)) {
  if (fd_ < 0) return;
  timeval timeout{10, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  // The greeting: signature, version 3.0, mechanism NULL, as-server 0, filler. Then the peer's,
  // and only then READY: libzmq 4.3 loses what comes in the same read as the greeting.
  std::string greeting("\xff\0\0\0\0\0\0\0\x01\x7f\x03\x00", 12);
  std::string mechanism("NULL");
  mechanism.resize(20, '\0');
  greeting += mechanism;
  greeting.append(32, '\0');
  // READY {Socket-Type: SUB}, a short command frame.
  std::string ready = std::string("\x05READY") + "\x0bSocket-Type" + std::string("\0\0\0\x03", 4) + "SUB";
  const std::string command = std::string("\x04") + static_cast<char>(ready.size()) + ready;
  // The peer's READY: a command frame, short (flags, 1-byte size) or long (flags, 8-byte size).
  auto read_command = [&] {
    std::string flags;
    if (!read_exactly(flags, 1) || (flags[0] & 0x04) == 0) return false;
    std::string size;
    const std::size_t size_bytes = (flags[0] & 0x02) != 0 ? 8 : 1;
    if (!read_exactly(size, size_bytes)) return false;
    std::uint64_t n = 0;
    for (char c : size) n = (n << 8) | static_cast<unsigned char>(c);
    std::string body;
    return read_exactly(body, static_cast<std::size_t>(n));
  };
  std::string peer_greeting;
  if (!write_all(greeting) || !read_exactly(peer_greeting, 64) || !write_all(command) || !read_command()) {
    ::close(fd_);
    fd_ = -1;
  }
}

bool RawSubscriber::read_exactly(std::string& out, std::size_t n) {
  out.resize(n);
  for (std::size_t got = 0; got < n;) {
    const ssize_t r = ::recv(fd_, out.data() + got, n - got, 0);
    if (r <= 0) return false;
    got += static_cast<std::size_t>(r);
  }
  return true;
}

RawSubscriber::~RawSubscriber() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawSubscriber::subscribe(const std::string& topic) {
  // One message frame: flags 0x02 (long size, last frame), 8-byte size, "\x01" + topic.
  const std::uint64_t size = topic.size() + 1;
  std::string frame("\x02");
  for (int shift = 56; shift >= 0; shift -= 8) frame += static_cast<char>((size >> shift) & 0xff);
  frame += '\x01';
  frame += topic;
  return write_all(frame);
}

bool RawSubscriber::write_all(const std::string& bytes) {
  for (std::size_t sent = 0; sent < bytes.size();) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::string endpoint(const LocalCluster& cluster, int host, int port) {
  return "tcp://" + cluster.base() + "." + std::to_string(host) + ":" + std::to_string(port);
}

bool still_running(const LocalCluster& cluster, const std::string& name) {
  std::ifstream in(cluster.workdir() + "/cluster.json");
  std::stringstream text;
  text << in.rdbuf();
  auto state = parse_json(text.str());
  if (!state) return false;
  for (const Value& process : state.value().get_array("processes")) {
    if (process.opt_string("name") != name) continue;
    const auto pid = process.opt_int("pid");
    const auto started = process.opt_int("starttime");
    return pid && started && process_start_time(*pid) == *started;
  }
  return false;
}

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

std::size_t line_count(const std::string& log) { return lines_of(log).size(); }

std::size_t lines_containing(const std::string& log, const std::string& text) {
  std::size_t n = 0;
  for (const auto& line : lines_of(log))
    if (line.find(text) != std::string::npos) ++n;
  return n;
}

std::size_t lines_reporting(const std::string& log, const std::string& verb_kind) {
  std::size_t n = 0;
  for (const auto& line : lines_of(log))
    if (line.find(verb_kind + ": ") != std::string::npos) ++n;
  return n;
}

std::uint64_t refusals_reported(const std::string& log, const std::string& verb_kind) {
  static const std::regex summary(R"(^(\d+) more of this kind in the last )");
  std::uint64_t total = 0;
  for (const auto& line : lines_of(log)) {
    const auto at = line.find(verb_kind + ": ");
    if (at == std::string::npos) continue;
    const std::string rest = line.substr(at + verb_kind.size() + 2);
    std::smatch match;
    total += std::regex_search(rest, match, summary) ? std::stoull(match[1].str()) : 1;
  }
  return total;
}

BurstReport expect_reported_once_per_interval(const LocalCluster& cluster, const std::string& name,
                                              const std::string& verb_kind, std::uint64_t prior,
                                              std::uint64_t count, const std::function<void()>& send_burst) {
  using namespace std::chrono;
  const std::string before = cluster.log_of(name);
  const auto start = steady_clock::now();
  send_burst();
  BurstReport report;
  std::string after;
  // The last count comes at most one interval after the last message arrived.
  const bool complete = wait_until(
      [&] {
        after = cluster.log_of(name);
        report.reported = refusals_reported(after, verb_kind) - prior;
        return refusals_reported(after, verb_kind) >= prior + count;
      },
      milliseconds(90000), milliseconds(100));
  report.took = duration_cast<milliseconds>(steady_clock::now() - start);
  report.kind_lines = lines_reporting(after, verb_kind) - lines_reporting(before, verb_kind);
  report.all_lines = line_count(after) - line_count(before);

  EXPECT_TRUE(complete) << name << " reported " << report.reported << " of " << count << " \"" << verb_kind
                        << "\" within " << report.took.count() << " ms";
  EXPECT_EQ(report.reported, count) << verb_kind;
  // One line when the first came, then at most one per interval while they came.
  const auto intervals = report.took / RefusalLog::kDefaultInterval;
  EXPECT_LE(report.kind_lines, static_cast<std::size_t>(intervals) + 3)
      << report.kind_lines << " lines of \"" << verb_kind << "\" in " << report.took.count() << " ms";
  // Whatever else the process wrote meanwhile (its own periodic lines), nothing per message.
  EXPECT_LT(report.all_lines, count / 50) << name << " wrote " << report.all_lines << " lines for a burst of "
                                          << count;
  std::cout << "[ burst    ] " << name << ": " << count << " x \"" << verb_kind << "\" -> " << report.kind_lines
            << " line(s) of that kind, " << report.all_lines << " in all, reported within " << report.took.count()
            << " ms\n";
  return report;
}

}  // namespace bib::test::hostile
