#include "peer_link.hpp"

#include <algorithm>
#include <iterator>
#include <memory>
#include <utility>
#include <stdexcept>
#include <vector>

#include <zmq_addon.hpp>

#include "bib/net.hpp"

namespace bib::coordination {

namespace {

constexpr int kBatch = 64;  // replies read per readiness callback

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

PeerLink::PeerLink(Context& ctx, std::string peer, std::string endpoint)
    : ctx_(ctx), peer_(std::move(peer)), endpoint_(std::move(endpoint)) {}

void PeerLink::retarget(std::string endpoint) {
  if (endpoint == endpoint_) return;
  endpoint_ = std::move(endpoint);
  fail_all("peer " + peer_ + " moved to " + endpoint_);
}

void PeerLink::open() {
  socket_.emplace(network_socket(ctx_.zmq_context(), zmq::socket_type::dealer, ctx_.max_message_bytes()));
  try {
    ctx_.link_security().connect_to_member(*socket_, peer_);
  } catch (const std::runtime_error& e) {
    // No key to check the peer by: requests to it fail until the next open().
    ctx_.log().error("coordination: not connecting to {}: {}", peer_, e.what());
    socket_.reset();
    return;
  }
  socket_->connect(endpoint_);
  socket_watch_ = ctx_.loop().watch_socket(*socket_, [this] { on_readable(); });
}

void PeerLink::close() {
  socket_watch_.reset();
  socket_.reset();
}

void PeerLink::request(const std::string& service, Value data, std::chrono::milliseconds timeout, Done done) {
  if (!socket_) open();
  if (!socket_) {
    fail_later(std::move(done), "no link to " + peer_);
    return;
  }
  data["from"] = ctx_.node_name();  // the peer takes requests from members only (Peers::sender)
  stamp(data, ctx_.lamport(), ctx_.clock());
  Envelope envelope{service, std::move(data)};
  const std::string bytes = encode_envelope(envelope);
  try {
    socket_->send(zmq::message_t(), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    socket_->send(zmq::buffer(bytes), zmq::send_flags::dontwait);
  } catch (const zmq::error_t& e) {
    fail_later(std::move(done), std::string("not sent: ") + e.what());
    return;
  }
  ctx_.wire_log().info("send {} {}", peer_, envelope.to_string());
  const std::uint64_t id = ++next_id_;
  Timer timer = ctx_.loop().start_timer(timeout, [this, service, id, timeout] { on_timeout(service, id, timeout); });
  pending_[service].push_back(Pending{id, std::move(timer), std::chrono::steady_clock::now(), std::move(done)});
}

void PeerLink::on_readable() {
  for (int i = 0; i < kBatch && socket_; ++i) {
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(*socket_, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
    const zmq::message_t& body = frames.back();  // after the empty delimiter
    auto decoded = decode_envelope(body.to_string_view(), DecodeLimits{static_cast<std::size_t>(ctx_.max_message_bytes())});
    if (!decoded) {
      ctx_.wire_log().info("recv {} ({} bytes, undecodable: {})", peer_, body.size(), decoded.error().message);
      continue;
    }
    Envelope& reply = decoded.value();
    observe(reply.data, ctx_.lamport());
    ctx_.wire_log().info("recv {} {}", peer_, reply.to_string());
    auto queue = pending_.find(reply.service);
    if (queue == pending_.end() || queue->second.empty()) {
      ctx_.log().debug("coordination: late or unexpected '{}' reply from {} dropped", reply.service, peer_);
      continue;
    }
    Pending pending = std::move(queue->second.front());
    queue->second.pop_front();
    pending.timer.reset();
    pending.done(Response{std::move(reply), seconds_since(pending.sent), ""});
  }
}

void PeerLink::on_timeout(const std::string& service, std::uint64_t id, std::chrono::milliseconds timeout) {
  const auto& queue = pending_[service];
  const bool waiting = std::any_of(queue.begin(), queue.end(), [id](const Pending& p) { return p.id == id; });
  if (!waiting) return;  // answered meanwhile
  fail_all("no '" + service + "' reply from " + peer_ + " within " + std::to_string(timeout.count()) + " ms");
}

void PeerLink::fail_all(const std::string& problem) {
  auto failed = std::move(pending_);
  pending_.clear();
  close();  // Lazy Pirate: whatever the old socket still queues is gone with it
  for (auto& [service, queue] : failed) {
    for (Pending& p : queue) {
      p.timer.reset();
      p.done(Response{std::nullopt, seconds_since(p.sent), problem});
    }
  }
}

void PeerLink::fail_later(Done done, std::string problem) {
  ctx_.loop().post(lifeline_.guard([done = std::move(done), problem = std::move(problem)] {
    done(Response{std::nullopt, 0, problem});
  }));
}

}  // namespace bib::coordination
