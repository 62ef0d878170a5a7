// Requests to one peer server's direct port (5561) without blocking the host loop.
//
// A DEALER that sends [""][envelope], so the peer's ROUTER sees a REQ-like client, and reads
// [""][envelope] back. Several requests may be in flight; the peer answers each service in the
// order it got them, so replies are matched per service, first in first out. Each request has
// a timer: one that runs out closes the socket (the Guide's Lazy Pirate), which drops whatever
// was queued for a dead or hung peer, fails every request still in flight, and the next
// request opens a fresh socket that reconnects by itself when the peer comes back.
//
//   -> [""]{"service": "clock", "data": {"timestamp": 1714000000.5, "clock": 12}}
//   <- [""]{"service": "clock", "data": {"time": 1714000000.6, "timestamp": ..., "clock": 14}}
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "bib/codec.hpp"
#include "bib/context.hpp"
#include "bib/lifeline.hpp"

namespace bib::coordination {

class PeerLink {
 public:
  struct Response {
    std::optional<Envelope> reply;  // empty: not answered in time, or not sent
    double rtt_s = 0;               // send to receipt, seconds (steady clock)
    std::string problem;            // why there is no reply
  };
  // Called exactly once per request, later (never from inside request()), on the loop thread.
  using Done = std::function<void(const Response&)>;

  PeerLink(Context& ctx, std::string peer, std::string endpoint);
  // Destroying it closes the socket; callbacks still pending are dropped, not called.
  PeerLink(const PeerLink&) = delete;
  PeerLink& operator=(const PeerLink&) = delete;

  const std::string& endpoint() const noexcept { return endpoint_; }
  // The peer moved: fail what is in flight and talk to the new endpoint from now on.
  void retarget(std::string endpoint);

  // Stamps data (timestamp, Lamport clock), sends {service, data} and logs the wire line.
  void request(const std::string& service, Value data, std::chrono::milliseconds timeout, Done done);

 private:
  struct Pending {
    std::uint64_t id;
    Timer timer;
    std::chrono::steady_clock::time_point sent;
    Done done;
  };

  void open();
  void close();
  void on_readable();
  void on_timeout(const std::string& service, std::uint64_t id, std::chrono::milliseconds timeout);
  void fail_all(const std::string& problem);
  void fail_later(Done done, std::string problem);

  Context& ctx_;
  std::string peer_;
  std::string endpoint_;
  std::optional<zmq::socket_t> socket_;
  SocketWatch socket_watch_;                            // after socket_: removed before it closes
  std::map<std::string, std::deque<Pending>> pending_;  // service -> requests in send order
  std::uint64_t next_id_ = 0;
  Lifeline lifeline_;  // fail_later's posted callbacks are dropped with this link
};

}  // namespace bib::coordination
