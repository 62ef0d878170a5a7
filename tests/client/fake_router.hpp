// A ROUTER that speaks the envelope protocol, on its own thread, for client tests. It records
// every request, and answers it unless told to drop it:
//   in  [identity][""][{service, data}]     out [identity][""][reply bytes]
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "bib/codec.hpp"

namespace bib::test {

class FakeRouter {
 public:
  struct Behaviour {
    int drop_first = 0;    // requests left unanswered before the first reply
    bool silent = false;   // never answer
    // Bytes to send back for a request; default: {service, data: {status: "OK", echo: <data>}}.
    std::function<std::string(const Envelope&)> reply = nullptr;
  };

  // Binds before returning, so a client may connect at once. Owns its ZeroMQ context, so that
  // after destruction the port is free again (a restarted server can bind the same endpoint).
  FakeRouter(std::string endpoint, Behaviour behaviour);
  ~FakeRouter();
  FakeRouter(const FakeRouter&) = delete;
  FakeRouter& operator=(const FakeRouter&) = delete;

  std::vector<Envelope> received() const;  // every decoded request, in arrival order
  std::size_t count() const;

 private:
  void run();

  Behaviour behaviour_;
  zmq::context_t context_{1};
  zmq::socket_t socket_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<Envelope> received_;
  std::thread thread_;
};

// The default reply: {service: <request service>, data: {status: "OK", echo: <request data>}}.
std::string echo_reply(const Envelope& request);

}  // namespace bib::test
