#include "zmq_transport.hpp"

#include <stdexcept>
#include <vector>

#include <zmq_addon.hpp>

#include "bib/clock.hpp"
#include "bib/net.hpp"
#include "replication_messages.hpp"

namespace bib::replication {

namespace {

// Messages read per readable callback before the loop gets a turn for other sockets.
constexpr int kReadBatch = 64;

// Anti-entropy runs every few seconds whether or not anything is missing: its requests and
// empty answers are at debug; everything that carries events or acknowledgements at info.
spdlog::level::level_enum wire_level(const Envelope& message) {
  if (message.service == kSync) return spdlog::level::debug;
  if (message.service == kSyncReply) {
    const Value* events = message.data.find("events");
    if (events == nullptr || !events->is_array() || events->as_array().empty()) return spdlog::level::debug;
  }
  return spdlog::level::info;
}

std::string sender_of(const Envelope& message, const std::string& fallback) {
  const Value* from = message.data.find("from");
  return from != nullptr && from->is_string() ? from->as_string() : fallback;
}

}  // namespace

ZmqTransport::ZmqTransport(Context& ctx, std::string listen)
    : ctx_(ctx), refusals_(ctx.log(), ctx.loop()), listen_(std::move(listen)) {}

ZmqTransport::~ZmqTransport() { close(); }

std::unique_ptr<zmq::socket_t> ZmqTransport::make_socket(zmq::socket_type type) {
  return std::make_unique<zmq::socket_t>(network_socket(ctx_.zmq_context(), type, ctx_.max_message_bytes()));
}

void ZmqTransport::open(Handler handler) {
  handler_ = std::move(handler);
  router_ = make_socket(zmq::socket_type::router);
  ctx_.link_security().listen_for_members(*router_);
  try {
    router_->bind(listen_);
  } catch (const zmq::error_t& e) {
    router_.reset();
    throw std::runtime_error("replication: cannot listen on " + listen_ + ": " + e.what());
  }
  router_watch_ = ctx_.loop().watch_socket(*router_, [this] { on_router_readable(); });
}

void ZmqTransport::close() {
  for (auto& [name, link] : peers_) close_peer(link);
  peers_.clear();
  router_watch_.reset();
  router_.reset();
  refusals_.flush();
}

void ZmqTransport::connect(const std::string& peer, const std::string& endpoint) {
  auto [it, added] = peers_.try_emplace(peer);
  if (!added) close_peer(it->second);
  it->second.endpoint = endpoint;
  open_peer(peer, it->second);
}

void ZmqTransport::disconnect(const std::string& peer) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  close_peer(it->second);
  peers_.erase(it);
}

void ZmqTransport::reconnect(const std::string& peer) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  close_peer(it->second);
  open_peer(peer, it->second);
}

void ZmqTransport::open_peer(const std::string& peer, PeerSocket& link) {
  link.socket = make_socket(zmq::socket_type::dealer);
  try {
    ctx_.link_security().connect_to_member(*link.socket, peer);
  } catch (const std::runtime_error& e) {
    // No key to check the peer by: nothing is sent to it (send() fails) until it is reconnected.
    ctx_.log().error("replication: not connecting to {}: {}", peer, e.what());
    link.socket.reset();
    return;
  }
  link.socket->connect(link.endpoint);
  zmq::socket_t* socket = link.socket.get();
  link.watch = ctx_.loop().watch_socket(*socket, [this, peer, socket] { on_peer_readable(peer, socket); });
}

void ZmqTransport::close_peer(PeerSocket& link) {
  link.watch.reset();
  link.socket.reset();
}

bool ZmqTransport::send(const std::string& peer, Envelope message) {
  auto it = peers_.find(peer);
  if (it == peers_.end() || !it->second.socket) return false;
  stamp(message.data, ctx_.lamport(), ctx_.clock());
  const std::string bytes = encode_envelope(message);
  try {
    if (!it->second.socket->send(zmq::buffer(bytes), zmq::send_flags::dontwait)) {
      ctx_.wire_log().info("send {} {} (not sent: queue full)", peer, summarize(message));
      return false;
    }
  } catch (const zmq::error_t& e) {
    ctx_.wire_log().info("send {} {} (not sent: {})", peer, summarize(message), e.what());
    return false;
  }
  log_line("send", peer, message, bytes.size());
  return true;
}

void ZmqTransport::reply(const std::string& route, const std::string& peer, Envelope message) {
  if (!router_) return;
  stamp(message.data, ctx_.lamport(), ctx_.clock());
  const std::string bytes = encode_envelope(message);
  try {
    router_->send(zmq::buffer(route), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    router_->send(zmq::buffer(bytes), zmq::send_flags::dontwait);
  } catch (const zmq::error_t& e) {
    ctx_.wire_log().info("send {} {} (not sent: {})", peer, summarize(message), e.what());
    return;
  }
  log_line("send", peer, message, bytes.size());
}

void ZmqTransport::on_router_readable() {
  for (int i = 0; i < kReadBatch && router_; ++i) {
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(*router_, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
    // [route][body] from a DEALER; a REQ would add an empty delimiter: the body is last.
    const bool plain = frames.size() == 2;
    const bool delimited = frames.size() == 3 && frames[1].size() == 0;
    if (!plain && !delimited) {
      refusals_.refuse("replication message of a wrong frame layout",
                       std::to_string(frames.size() - 1) + " frames after the identity, expected [envelope]");
      continue;
    }
    deliver(frames.back().to_string_view(), frames.front().to_string(), "", "peer",
            ctx_.link_security().member_of(frames.back()));
  }
}

void ZmqTransport::on_peer_readable(const std::string& peer, zmq::socket_t* socket) {
  for (int i = 0; i < kReadBatch; ++i) {
    // The handler may have reconnected or dropped this peer: read only the live socket.
    auto it = peers_.find(peer);
    if (it == peers_.end() || it->second.socket.get() != socket) return;
    zmq::message_t body;
    if (!socket->recv(body, zmq::recv_flags::dontwait)) return;
    deliver(body.to_string_view(), "", peer, peer);
  }
}

void ZmqTransport::deliver(std::string_view body, std::string route, std::string peer, const std::string& who,
                           const std::string& authenticated) {
  auto decoded = decode_envelope(body, DecodeLimits{static_cast<std::size_t>(ctx_.max_message_bytes())});
  if (!decoded) {
    refusals_.refuse("undecodable replication message",
                     "from " + who + " (" + std::to_string(body.size()) + " bytes): " + decoded.error().message);
    return;
  }
  Envelope message = std::move(decoded.value());
  // Under CURVE the sender proved which member it is: it may not speak in another's name.
  if (!authenticated.empty() && sender_of(message, "") != authenticated) {
    refusals_.refuse("replication message in another member's name",
                     "from key " + authenticated + ", claiming '" + sender_of(message, "") + "'");
    return;
  }
  observe(message.data, ctx_.lamport());
  log_line("recv", sender_of(message, who), message, body.size());
  if (handler_) handler_(Inbound{std::move(message), std::move(route), std::move(peer)});
}

void ZmqTransport::log_line(const char* direction, const std::string& who, const Envelope& message, std::size_t bytes) {
  ctx_.wire_log().log(wire_level(message), "{} {} {} ({} bytes)", direction, who, summarize(message), bytes);
}

}  // namespace bib::replication
