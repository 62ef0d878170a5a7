#include "bib/net.hpp"
#include "bib/subscriber.hpp"

#include <cerrno>
#include <iterator>
#include <stdexcept>
#include <utility>
#include <vector>

#include <zmq_addon.hpp>

namespace bib {

Subscriber::Subscriber(std::string endpoint, SubscriberOptions options, zmq::context_t* context)
    : endpoint_(std::move(endpoint)), options_(std::move(options)), context_(context) {
  if (context_ == nullptr) {
    own_context_ = std::make_unique<zmq::context_t>(1);
    context_ = own_context_.get();
  }
  socket_.emplace(network_socket(*context_, zmq::socket_type::sub, options_.max_message_bytes));
  if (options_.prepare) options_.prepare(*socket_);
  socket_->connect(endpoint_);
}

Subscriber::~Subscriber() { socket_.reset(); }  // before own_context_, whose destructor waits for sockets

void Subscriber::subscribe(const std::string& topic) {
  if (topic.empty()) throw std::invalid_argument("subscribe: empty topic (topics are matched exactly)");
  // ZeroMQ counts subscriptions; keep exactly one per topic so one unsubscribe undoes it.
  if (topics_.insert(topic).second) socket_->set(zmq::sockopt::subscribe, topic);
}

void Subscriber::unsubscribe(const std::string& topic) {
  if (topics_.erase(topic) > 0) socket_->set(zmq::sockopt::unsubscribe, topic);
}

void Subscriber::subscribe_all() {
  if (!all_) socket_->set(zmq::sockopt::subscribe, std::string_view{});
  all_ = true;
}

void Subscriber::unsubscribe_all() {
  if (all_) socket_->set(zmq::sockopt::unsubscribe, std::string_view{});
  all_ = false;
}

bool Subscriber::wanted(const std::string& topic) const {
  // The exact comparison ZeroMQ does not do: "ana" is subscribed, "anabela" matched its prefix.
  return all_ || topics_.count(topic) > 0;
}

zmq::pollitem_t Subscriber::poll_item() noexcept {
  return zmq::pollitem_t{static_cast<void*>(*socket_), 0, ZMQ_POLLIN, 0};
}

std::optional<Subscriber::Message> Subscriber::take_one(bool& got_any) {
  std::vector<zmq::message_t> frames;
  got_any = zmq::recv_multipart(*socket_, std::back_inserter(frames), zmq::recv_flags::dontwait).has_value();
  if (!got_any || frames.size() != 2) return std::nullopt;
  std::string topic = frames[0].to_string();
  if (!wanted(topic)) return std::nullopt;
  DecodeLimits limits;
  if (options_.max_message_bytes > 0) limits.max_bytes = static_cast<std::size_t>(options_.max_message_bytes);
  auto envelope = decode_envelope(frames[1].to_string_view(), limits);
  if (!envelope) return std::nullopt;
  if (options_.lamport != nullptr) observe(envelope.value().data, *options_.lamport);
  return Message{std::move(topic), std::move(envelope).value()};
}

std::optional<Subscriber::Message> Subscriber::receive(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    // Drain what is queued first: dropped messages must not cost a poll each.
    bool got_any = true;
    while (got_any) {
      if (auto message = take_one(got_any)) return message;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    zmq::pollitem_t item = poll_item();
    try {
      zmq::poll(&item, 1, left);
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
    }
  }
}

}  // namespace bib
