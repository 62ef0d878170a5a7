#include "publisher.hpp"

#include "bib/net.hpp"

namespace bib::host {

Publisher::Publisher(zmq::context_t& zmq, const bib::LinkSecurity& security, std::string proxy, spdlog::logger& log,
                     spdlog::logger& wire)
    : zmq_(zmq), security_(security), proxy_(std::move(proxy)), log_(log), wire_(wire) {}

void Publisher::open() {
  if (proxy_.empty() || socket_) return;
  // Posts still queued at shutdown get a moment to leave, but a dead proxy cannot hold us.
  socket_ = std::make_unique<zmq::socket_t>(
      bib::network_socket(zmq_, zmq::socket_type::pub, 0, std::chrono::milliseconds(1000)));
  security_.connect_to_member(*socket_, bib::kProxyKeyName);
  socket_->connect(proxy_);
  log_.info("publishing to proxy {}", proxy_);
}

void Publisher::close() { socket_.reset(); }

void Publisher::publish(std::string_view topic, const bib::Envelope& message) {
  if (!socket_) {
    log_.debug("publish on '{}' dropped: no proxy (host.proxy) or not serving yet", topic);
    return;
  }
  const std::string payload = bib::encode_envelope(message);
  // PUB never blocks: past the high-water mark ZeroMQ drops, as pub/sub allows.
  socket_->send(zmq::buffer(topic), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
  socket_->send(zmq::buffer(payload), zmq::send_flags::dontwait);
  if (wire_.should_log(spdlog::level::info)) wire_.info("send pub {} {}", topic, message.to_string());
}

}  // namespace bib::host
