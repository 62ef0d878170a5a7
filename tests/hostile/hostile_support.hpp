// What the hostile-input suite (hostile_ports_test.cpp) sends and how it reads the result: bytes
// that are not what a port expects, raw sockets of the right and the wrong type, and the
// process's log, read for how many lines its refusals cost.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "bib/value.hpp"
#include "support/cluster.hpp"

namespace bib::test::hostile {

using Frames = std::vector<std::string>;

// --- payloads ---------------------------------------------------------------------------------

// `n` bytes from a generator seeded with `seed` (the same every run).
std::string random_bytes(std::size_t n, unsigned seed);
// `depth` nested one-element arrays around a nil: [[[...[nil]...]]], as the whole message.
std::string deep_nesting(int depth);
// {"service": service, "data": {"x": <deep_nesting(depth)>}}: an envelope deep inside.
std::string deep_in_data(const std::string& service, int depth);
// MessagePack of any shape (encode() of a Value), and the usual envelope.
std::string msgpack(const Value& value);
std::string envelope(const std::string& service, Map data);

// Valid MessagePack that is no envelope, each with the sentence a port answers it with.
struct Shape {
  std::string name;
  std::string bytes;
  std::string says;
};
std::vector<Shape> wrong_shapes();

// --- sockets ----------------------------------------------------------------------------------

// A socket connected to endpoint: linger 0, send and receive timeouts (a blocked send fails
// the test instead of hanging it), `sndhwm` (0: no limit, so a burst is never dropped here).
zmq::socket_t connect(zmq::context_t& zmq, zmq::socket_type type, const std::string& endpoint,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(10000), int sndhwm = 1000);
// Sends every frame as one message; false when it could not be queued in time.
bool send(zmq::socket_t& socket, const Frames& frames);
// One whole message, or nothing within `timeout`.
std::optional<Frames> receive(zmq::socket_t& socket, std::chrono::milliseconds timeout);
// Connects a plain TCP socket to endpoint ("tcp://a.b.c.d:port"), writes `bytes` (no ZMTP
// greeting: not even ZeroMQ) and closes it. False when it could not connect.
bool tcp_garbage(const std::string& endpoint, const std::string& bytes);
// A subscriber written by hand over plain TCP (ZMTP 3.0, NULL mechanism, socket type SUB),
// for subscriptions libzmq's own SUB cannot hold: it keeps its topics in a trie that it walks
// recursively, so a test process with a subscription of a megabyte would crash itself. The
// connection closes with the object (the peer then drops the subscription).
class RawSubscriber {
 public:
  explicit RawSubscriber(const std::string& endpoint);
  ~RawSubscriber();
  RawSubscriber(const RawSubscriber&) = delete;
  RawSubscriber& operator=(const RawSubscriber&) = delete;
  bool connected() const { return fd_ >= 0; }
  bool subscribe(const std::string& topic);  // sends "\x01topic" as one message

 private:
  bool write_all(const std::string& bytes);
  bool read_exactly(std::string& out, std::size_t n);
  int fd_ = -1;
};

// "tcp://127.A.B.host:port" of a cluster.
std::string endpoint(const LocalCluster& cluster, int host, int port);

// --- the process ------------------------------------------------------------------------------

// True when the process `name` the launcher recorded is running (same PID and start time).
bool still_running(const LocalCluster& cluster, const std::string& name);

// How many lines of `log` hold "<verb> <kind>: ".
std::size_t lines_reporting(const std::string& log, const std::string& verb_kind);
// How many refusals those lines report: 1 for a line that shows one whole, N for a line
// "N more of this kind in the last ...".
std::uint64_t refusals_reported(const std::string& log, const std::string& verb_kind);
std::size_t line_count(const std::string& log);
// How many lines of `log` contain `text`.
std::size_t lines_containing(const std::string& log, const std::string& text);

// A burst sent by `send_burst`, reported by process `name` as `count` refusals of
// "<verb> <kind>" (every message of it must reach the process: sockets that block, or queue
// without limit), after the `prior` ones the test caused before: waits with a deadline until its
// log reports prior + count, then checks what the burst cost: exactly that many refusals, at most
// one line of that kind per interval (plus the first, and the last count of the prior ones), and
// far fewer lines in all than messages.
struct BurstReport {
  std::uint64_t reported = 0;    // refusals the log reported for the burst
  std::size_t kind_lines = 0;    // lines of that kind the burst added
  std::size_t all_lines = 0;     // lines of any kind added meanwhile
  std::chrono::milliseconds took{0};
};
BurstReport expect_reported_once_per_interval(const LocalCluster& cluster, const std::string& name,
                                              const std::string& verb_kind, std::uint64_t prior,
                                              std::uint64_t count, const std::function<void()>& send_burst);

}  // namespace bib::test::hostile
