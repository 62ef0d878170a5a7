// bib::Subscriber: receives pub/sub messages from the proxy's XPUB (5558), docs/protocol.md.
//
// A pub/sub message is two frames, [topic][msgpack envelope]:
//   ["geral"]["{service: publish, data: {user: ana, channel: geral, message: oi, timestamp: .., clock: 7}}"]
//   ["ana"]  ["{service: message, data: {src: bob, dst: ana, message: oi, timestamp: .., clock: 8}}"]
//
// ZeroMQ subscriptions match by prefix; this class compares the topic frame exactly, so a
// subscriber of "ana" never sees messages for "anabela". Messages that are not two frames or
// whose payload does not decode as an envelope are dropped silently.
//
//   bib::Subscriber sub("tcp://127.0.0.1:5558");
//   sub.subscribe("geral");
//   if (auto m = sub.receive(std::chrono::milliseconds(500))) show(m->topic, m->envelope);
//
// To wait on the subscriber and something else at once (stdin, a Client), poll poll_item()
// together with the other items; readable means "a message arrived", not "a message for one
// of my topics", so follow with receive(0ms), which may return nothing.
//
// Threading: used by one thread at a time. It owns its SUB socket; the ZeroMQ context is its own
// unless one is lent (which must then outlive the Subscriber). A lent LamportClock (options) is
// observed for every message returned and must outlive the Subscriber.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <zmq.hpp>

#include "bib/clock.hpp"
#include "bib/codec.hpp"
#include "bib/export.hpp"

namespace bib {

struct SubscriberOptions {
  std::int64_t max_message_bytes = 1 << 20;  // ZMQ_MAXMSGSIZE and the decode limit
  LamportClock* lamport = nullptr;           // observed for each message returned, when set
  // Called on the SUB socket before it connects: where a CURVE client is set up
  // (LinkSecurity::connect_to_client_port, bib/link_security.hpp).
  std::function<void(zmq::socket_t&)> prepare = nullptr;
};

class BIB_SDK_API Subscriber {
 public:
  struct Message {
    std::string topic;
    Envelope envelope;
  };

  // Connects lazily: the proxy need not be up yet.
  explicit Subscriber(std::string endpoint, SubscriberOptions options = {}, zmq::context_t* context = nullptr);
  ~Subscriber();
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  // Exact topics. Subscribing twice to one topic is the same as once. An empty topic throws
  // std::invalid_argument (use subscribe_all() to receive everything).
  void subscribe(const std::string& topic);
  void unsubscribe(const std::string& topic);
  // Every topic (monitoring tools); unsubscribe_all() undoes only this, not the exact topics.
  void subscribe_all();
  void unsubscribe_all();
  const std::set<std::string>& topics() const noexcept { return topics_; }

  // The next message for a subscribed topic, waiting up to `timeout` (0 = only what is queued).
  // Empty when nothing suitable arrived in time.
  std::optional<Message> receive(std::chrono::milliseconds timeout);

  // For polling together with other sockets or file descriptors.
  zmq::pollitem_t poll_item() noexcept;
  zmq::socket_t& socket() noexcept { return *socket_; }
  const std::string& endpoint() const noexcept { return endpoint_; }

 private:
  // One queued message, if any: the Message when it is for us, empty when dropped or none.
  std::optional<Message> take_one(bool& got_any);
  bool wanted(const std::string& topic) const;

  std::string endpoint_;
  SubscriberOptions options_;
  std::unique_ptr<zmq::context_t> own_context_;  // set when no context was lent
  zmq::context_t* context_;
  std::optional<zmq::socket_t> socket_;
  std::set<std::string> topics_;
  bool all_ = false;
};

}  // namespace bib
