#include "bib_cli/live_feed.hpp"

namespace bib::cli {

namespace {

SubscriberOptions with_clock(LamportClock* lamport, std::function<void(zmq::socket_t&)> prepare) {
  SubscriberOptions options;
  options.lamport = lamport;
  options.prepare = std::move(prepare);
  return options;
}

}  // namespace

LiveFeed::LiveFeed(std::string proxy, WirePrinter& wire, LamportClock* lamport, zmq::context_t* context,
                   std::function<void(zmq::socket_t&)> prepare)
    : subscriber_(std::move(proxy), with_clock(lamport, std::move(prepare)), context), wire_(wire) {}

void LiveFeed::join(const std::string& topic) {
  if (subscriber_.topics().count(topic)) return;
  subscriber_.subscribe(topic);
  wire_.subscribed(topic);
}

void LiveFeed::leave(const std::string& topic) {
  if (!subscriber_.topics().count(topic)) return;
  subscriber_.unsubscribe(topic);
  wire_.unsubscribed(topic);
}

std::vector<Subscriber::Message> LiveFeed::take() {
  std::vector<Subscriber::Message> out;
  // receive() drops queued messages of topics no longer subscribed (an exact topic match).
  while (auto message = subscriber_.receive(std::chrono::milliseconds(0))) {
    wire_.published(message->topic, message->envelope);
    out.push_back(std::move(*message));
  }
  return out;
}

std::vector<Subscriber::Message> LiveFeed::wait(std::chrono::milliseconds timeout) {
  zmq::pollitem_t item = poll_item();
  try {
    zmq::poll(&item, 1, timeout);
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) throw;  // a signal: the caller checks its stop flag
  }
  return take();
}

}  // namespace bib::cli
