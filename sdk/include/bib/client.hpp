// bib::Client: reliable request-reply for clients, the ZeroMQ Guide's Lazy Pirate pattern
// (docs/architecture.md). It talks to the broker frontend (5555) or to any ROUTER that speaks the
// envelope protocol.
//
//   bib::Client client("tcp://127.0.0.1:5555");
//   auto reply = client.request("login", bib::Map{{"user", "ana"}});
//   if (!reply) std::cerr << reply.error().message << "\n";  // "no reply from ... after 3 tries"
//
// One request at a time: send, wait up to `timeout`, and on silence close the socket (linger 0,
// so the unanswered request is dropped), open a fresh one and send the same bytes again, up to
// `retries` tries in all. A fresh socket per try means a late reply to an earlier try can never
// arrive, so the reply that comes is the reply to this request.
//
// On the wire the client is a DEALER that sends an empty delimiter frame first, so a ROUTER sees
// it exactly like a REQ socket (plain REQ clients work unchanged against the same servers):
//   client -> ROUTER   [""]["{service: login, data: {user: ana, timestamp: 1714.2, clock: 5,
//                                                   request_id: 9f2c41d07a3be611-1}}"]
//   ROUTER -> client   [""]["{service: login, data: {status: sucesso, timestamp: ..., clock: 9}}"]
//
// Every write a client may retry carries a `request_id` (unique per logical request, the same
// on every try) so that servers apply a retried write once.
//
// Session guarantees (docs/architecture.md): servers put `seen` (their version vector, the highest
// seq applied per origin) in every reply; the client keeps the per-origin maximum of all it
// has seen and sends it as `after` with each request, and a server that is behind waits for
// those events before answering. So a client reads its own writes and never reads older state
// than it already saw, whichever server the broker picks. ClientOptions::session = false
// turns it off (plain eventual consistency, like a course client).
//
// Threading: a Client is used by one thread at a time. It owns its socket; the ZeroMQ context
// is its own unless one is lent to the constructor (which must then outlive the Client).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "bib/clock.hpp"
#include "bib/codec.hpp"
#include "bib/export.hpp"
#include "bib/replica.hpp"
#include "bib/result.hpp"
#include "bib/value.hpp"

namespace bib {

struct ClientOptions {
  std::chrono::milliseconds timeout{2500};    // wait for a reply, per try
  int retries = 3;                            // tries in all (the first one included), as the Guide's REQUEST_RETRIES
  std::int64_t max_message_bytes = 1 << 20;   // ZMQ_MAXMSGSIZE and the decode limit for replies
  bool session = true;                        // send `after` (session guarantees), see below
  // Called on every socket the client opens, before it connects: where a CURVE client is set
  // up (bib::make_curve_client, bib/curve_keys.hpp) for a server that requires one.
  std::function<void(zmq::socket_t&)> prepare = nullptr;
};

class BIB_SDK_API Client {
 public:
  // Connects lazily: nothing needs to listen at `endpoint` yet.
  explicit Client(std::string endpoint, ClientOptions options = {}, zmq::context_t* context = nullptr);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends {service, data} and returns the reply envelope, or an Error when no reply came after
  // every try, when the reply is undecodable, or when data is not a map (nil counts as {}).
  // data gets `timestamp` and `clock` (stamped once; every try sends the same bytes) and a
  // `request_id` unless it already has one. The reply's clock is observed.
  Result<Envelope> request(std::string service, Value data = Map{});

  const std::string& endpoint() const noexcept { return endpoint_; }
  const ClientOptions& options() const noexcept { return options_; }
  // This client's Lamport clock: ticked by each request, advanced by each reply.
  LamportClock& lamport() noexcept { return lamport_; }
  // The request_id the next request without one will get.
  std::string next_request_id() const;
  // The session: per origin, the highest seq seen in replies (sent as `after`).
  const VersionVector& session() const noexcept { return session_; }
  // Continues a session another client kept (a command-line tool's earlier run): the
  // per-origin maximum of it and this client's own.
  void resume(const VersionVector& seen);

 private:
  void open_socket();
  // One try: send the bytes, wait up to the timeout. Empty on silence; Error on a bad reply.
  std::optional<Result<Envelope>> try_once(const std::string& bytes, const std::string& request_id);
  void remember_seen(const Value& reply_data);

  std::string endpoint_;
  ClientOptions options_;
  std::unique_ptr<zmq::context_t> own_context_;  // set when no context was lent
  zmq::context_t* context_;
  std::optional<zmq::socket_t> socket_;
  LamportClock lamport_;
  PhysicalClock clock_;
  std::string id_prefix_;        // random 64-bit hex, per Client
  std::uint64_t next_id_ = 1;    // counter appended to id_prefix_
  VersionVector session_;        // per origin, the highest seq seen in replies
};

}  // namespace bib
