#include "fake_router.hpp"

#include <iterator>

#include <zmq_addon.hpp>

namespace bib::test {

std::string echo_reply(const Envelope& request) {
  return encode_envelope(Envelope{request.service, Map{{"status", "OK"}, {"echo", request.data}}});
}

FakeRouter::FakeRouter(std::string endpoint, Behaviour behaviour)
    : behaviour_(std::move(behaviour)), socket_(context_, zmq::socket_type::router) {
  if (!behaviour_.reply) behaviour_.reply = echo_reply;
  socket_.set(zmq::sockopt::linger, 0);
  socket_.bind(endpoint);
  // From here on only the thread touches the socket (thread start is the memory barrier).
  thread_ = std::thread([this] { run(); });
}

FakeRouter::~FakeRouter() {
  stop_ = true;
  thread_.join();
  socket_.close();
}

void FakeRouter::run() {
  int seen = 0;
  while (!stop_) {
    zmq::pollitem_t item{static_cast<void*>(socket_), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::milliseconds(20)) == 0) continue;
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(socket_, std::back_inserter(frames), zmq::recv_flags::dontwait)) continue;
    if (frames.size() != 3 || frames[1].size() != 0) continue;
    auto request = decode_envelope(frames[2].to_string_view());
    if (!request) continue;
    {
      std::lock_guard lock(mutex_);
      received_.push_back(request.value());
    }
    if (behaviour_.silent || seen++ < behaviour_.drop_first) continue;
    const std::string reply = behaviour_.reply(request.value());
    std::vector<zmq::const_buffer> out{zmq::buffer(frames[0].data(), frames[0].size()),
                                       zmq::buffer(std::string_view{}), zmq::buffer(reply)};
    zmq::send_multipart(socket_, out, zmq::send_flags::dontwait);
  }
}

std::vector<Envelope> FakeRouter::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

std::size_t FakeRouter::count() const {
  std::lock_guard lock(mutex_);
  return received_.size();
}

}  // namespace bib::test
