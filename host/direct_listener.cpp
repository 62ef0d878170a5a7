#include "direct_listener.hpp"

#include <vector>

#include <zmq_addon.hpp>

#include "bib/net.hpp"

namespace bib::host {

namespace {

// Messages taken per readiness callback, so that one busy client cannot starve the others.
constexpr int kBatch = 64;
// Routing frames a request may carry before its body (a ROUTER-DEALER chain adds one each).
constexpr std::size_t kMaxRouteFrames = 8;

}  // namespace

DirectListener::DirectListener(zmq::context_t& zmq, const bib::LinkSecurity& security, EventLoop& loop,
                               std::string endpoint, std::int64_t max_message_bytes, spdlog::logger& log,
                               Handler handler, Refuse refuse)
    : zmq_(zmq),
      security_(security),
      loop_(loop),
      endpoint_(std::move(endpoint)),
      max_message_bytes_(max_message_bytes),
      log_(log),
      handler_(std::move(handler)),
      refuse_(std::move(refuse)) {}

DirectListener::~DirectListener() { stop(); }

void DirectListener::start() {
  zmq::socket_t socket =
      bib::network_socket(zmq_, zmq::socket_type::router, max_message_bytes_, std::chrono::milliseconds(500));
  socket.set(zmq::sockopt::router_mandatory, false);  // a reply to a client gone is dropped
  // Peers' elections and clock rounds, and admin tools: a cluster port.
  security_.listen_for_members(socket);
  socket.bind(endpoint_);
  socket_.emplace(std::move(socket));
  socket_watch_ = loop_.watch_socket(*socket_, [this] { on_readable(); });
  log_.info("listening on {}", endpoint_);
}

void DirectListener::stop() {
  lifeline_.renew();
  socket_watch_.reset();
  socket_.reset();
}

void DirectListener::on_readable() {
  for (int i = 0; i < kBatch && socket_; ++i) {
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(*socket_, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
    handle(frames);
  }
}

void DirectListener::handle(std::vector<zmq::message_t>& frames) {
  // [identity][body] or [identity ... ][""][body]: the body is the last frame, the routing
  // envelope is everything before it and goes back unchanged with the reply.
  const bool dealer_plain = frames.size() == 2;
  const bool delimited = frames.size() >= 3 && frames.size() <= kMaxRouteFrames + 1 &&
                         frames[frames.size() - 2].size() == 0;
  const bool readable = dealer_plain || delimited;
  std::vector<std::string> routing;
  if (readable) {
    for (std::size_t i = 0; i + 1 < frames.size(); ++i) routing.push_back(frames[i].to_string());
  } else {
    routing = {frames.front().to_string(), std::string()};  // answered as a REQ reads it
  }
  auto send_back = lifeline_.guard([routing = std::move(routing), this](std::string reply) {
    try {
      for (const std::string& frame : routing)
        socket_->send(zmq::buffer(frame), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
      socket_->send(zmq::buffer(reply), zmq::send_flags::dontwait);
    } catch (const zmq::error_t& e) {
      log_.warn("direct: reply not sent: {}", e.what());
    }
  });
  if (!readable) {
    refuse_(std::to_string(frames.size() - 1) + " frames after the identity, expected [\"\"][body] or [body]",
            std::move(send_back));
    return;
  }
  handler_(frames.back().to_string_view(), security_.member_of(frames.back()), std::move(send_back));
}

}  // namespace bib::host
