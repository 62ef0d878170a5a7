#include "zap_handler.hpp"

#include <array>
#include <chrono>
#include <iterator>
#include <vector>

#include <zmq_addon.hpp>

namespace bib::host {

namespace {

constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";  // fixed by RFC 27
constexpr const char* kStopEndpoint = "inproc://bib.zap.stop";
constexpr std::size_t kRequestFrames = 7;  // with exactly one credential: CURVE's public key

}  // namespace

ZapHandler::ZapHandler(zmq::context_t& zmq, ZapPolicy policy, bib::EventLoop& loop, spdlog::logger& log)
    : policy_(std::move(policy)),
      loop_(loop),
      log_(log),
      refusals_(log, loop),
      zap_(zmq, zmq::socket_type::rep),
      stop_sender_(zmq, zmq::socket_type::pair),
      stop_receiver_(zmq, zmq::socket_type::pair) {
  zap_.set(zmq::sockopt::linger, 0);
  zap_.bind(kZapEndpoint);
  stop_receiver_.set(zmq::sockopt::linger, 0);
  stop_receiver_.bind(kStopEndpoint);
  stop_sender_.set(zmq::sockopt::linger, 0);
  stop_sender_.connect(kStopEndpoint);
  thread_ = std::thread([this] { run(); });
}

ZapHandler::~ZapHandler() {
  stop_sender_.send(zmq::str_buffer("stop"), zmq::send_flags::none);
  thread_.join();
  stop_sender_.close();
  refusals_.flush();
}

void ZapHandler::run() {
  std::array<zmq::pollitem_t, 2> items{zmq::pollitem_t{zap_.handle(), 0, ZMQ_POLLIN, 0},
                                       zmq::pollitem_t{stop_receiver_.handle(), 0, ZMQ_POLLIN, 0}};
  for (;;) {
    // The stop message wakes the poll; the timeout only bounds a wait nothing else ends.
    zmq::poll(items.data(), items.size(), std::chrono::milliseconds(1000));
    if (items[1].revents & ZMQ_POLLIN) break;
    if (!(items[0].revents & ZMQ_POLLIN)) continue;
    std::vector<zmq::message_t> request;
    if (!zmq::recv_multipart(zap_, std::back_inserter(request), zmq::recv_flags::dontwait)) continue;
    answer(request);
  }
  zap_.close();
  stop_receiver_.close();
}

void ZapHandler::answer(std::vector<zmq::message_t>& request) {
  // A malformed request (libzmq never sends one) still gets a reply: REP must answer to read on.
  const bool readable = request.size() == kRequestFrames && request[0].to_string_view() == "1.0";
  ZapVerdict verdict{false, "", "malformed ZAP request"};
  std::string address = "?";
  if (readable) {
    address = request[3].to_string();
    verdict = policy_.judge(request[2].to_string_view(), request[5].to_string_view(), request[6].to_string_view());
  }
  const std::string request_id = request.size() > 1 ? request[1].to_string() : std::string();
  const std::string status = verdict.accepted ? "200" : "400";
  const std::string text = verdict.accepted ? "OK" : "not a member";
  std::array<zmq::const_buffer, 6> reply{zmq::str_buffer("1.0"), zmq::buffer(request_id), zmq::buffer(status),
                                         zmq::buffer(text), zmq::buffer(verdict.user_id), zmq::buffer("", 0)};
  zmq::send_multipart(zap_, reply);
  if (verdict.accepted) {
    log_.debug("CURVE handshake from {} accepted as '{}'", address, verdict.user_id);
    return;
  }
  loop_.post([this, detail = "from " + address + ": " + verdict.reason] {
    refusals_.refuse("connection without a listed CURVE key", detail);
  });
}

}  // namespace bib::host
