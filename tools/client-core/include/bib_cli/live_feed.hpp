// The pub/sub side of a client: a bib::Subscriber on the proxy's 5558 whose subscriptions and
// arrivals are shown as wire lines. Poll poll_item() with stdin or a timeout; when readable,
// take() returns every message queued for our topics.
//
// A subscription travels subscriber -> proxy -> publishers asynchronously, so a post sent the
// instant after join() may be published before the server knows anyone listens; pub/sub
// allows that loss (docs/protocol.md).
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "bib/subscriber.hpp"
#include "bib_cli/wire_printer.hpp"

namespace bib::cli {

class LiveFeed {
 public:
  // `prepare`: called on the SUB socket before it connects (Connection::proxy_prepare: CURVE).
  LiveFeed(std::string proxy, WirePrinter& wire, LamportClock* lamport, zmq::context_t* context = nullptr,
           std::function<void(zmq::socket_t&)> prepare = {});

  void join(const std::string& topic);   // exact topic: a user's name or a channel
  void leave(const std::string& topic);  // its messages stop; those already queued are dropped
  const std::set<std::string>& topics() const noexcept { return subscriber_.topics(); }
  zmq::pollitem_t poll_item() noexcept { return subscriber_.poll_item(); }
  zmq::socket_t& socket() noexcept { return subscriber_.socket(); }  // to watch its connection

  // Every queued message for our topics, oldest first (none when nothing is queued).
  std::vector<Subscriber::Message> take();
  // Waits up to `timeout` for the first message, then takes the rest queued; stops early,
  // returning what it has, when a signal interrupts the wait.
  std::vector<Subscriber::Message> wait(std::chrono::milliseconds timeout);

 private:
  Subscriber subscriber_;
  WirePrinter& wire_;
};

}  // namespace bib::cli
