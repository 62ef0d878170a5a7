#include "bib/client.hpp"
#include "bib/net.hpp"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <random>
#include <utility>
#include <vector>

#include <zmq_addon.hpp>

namespace bib {
namespace {

// 16 hex digits from the OS's random source: request ids of two clients never collide in
// practice, even across processes started in the same microsecond.
std::string random_hex64() {
  std::random_device rd;
  const std::uint64_t high = rd();
  const std::uint64_t low = rd();
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, (high << 32) ^ low);
  return buf;
}

DecodeLimits limits_for(std::int64_t max_message_bytes) {
  DecodeLimits limits;
  if (max_message_bytes > 0) limits.max_bytes = static_cast<std::size_t>(max_message_bytes);
  return limits;
}

}  // namespace

Client::Client(std::string endpoint, ClientOptions options, zmq::context_t* context)
    : endpoint_(std::move(endpoint)), options_(options), context_(context), id_prefix_(random_hex64()) {
  if (options_.retries < 1) options_.retries = 1;
  if (context_ == nullptr) {
    own_context_ = std::make_unique<zmq::context_t>(1);
    context_ = own_context_.get();
  }
  open_socket();
}

Client::~Client() { socket_.reset(); }  // before own_context_, whose destructor waits for sockets

std::string Client::next_request_id() const { return id_prefix_ + "-" + std::to_string(next_id_); }

void Client::open_socket() {
  socket_.reset();  // linger 0: whatever the old socket still held is dropped, not delivered later
  socket_.emplace(network_socket(*context_, zmq::socket_type::dealer, options_.max_message_bytes));
  if (options_.prepare) options_.prepare(*socket_);
  socket_->connect(endpoint_);
}

Result<Envelope> Client::request(std::string service, Value data) {
  if (data.is_nil()) data = Map{};
  if (!data.is_map()) return Error{"request data for '" + service + "' must be a map, got " +
                                   Value::type_name(data.type())};
  // The id is kept across tries: a server that got an earlier try answers the retry from its
  // deduplication table instead of applying the write twice.
  const Value* given = data.find("request_id");
  std::string request_id;
  if (given != nullptr && given->is_string()) {
    request_id = given->as_string();
  } else {
    request_id = next_request_id();
    ++next_id_;
    data["request_id"] = request_id;
  }
  // Session guarantees: wait, on whichever server answers, for every event seen so far.
  if (options_.session && !session_.empty() && !data.contains("after")) data["after"] = to_value(session_);
  stamp(data, lamport_, clock_);
  const std::string bytes = encode_envelope(Envelope{std::move(service), std::move(data)});

  for (int attempt = 1; attempt <= options_.retries; ++attempt) {
    if (auto outcome = try_once(bytes, request_id)) return std::move(*outcome);
    // Lazy Pirate: the socket may hold a request to a dead or hung peer; throw it away.
    open_socket();
  }
  return Error{"no reply from " + endpoint_ + " after " + std::to_string(options_.retries) +
               (options_.retries == 1 ? " try" : " tries")};
}

std::optional<Result<Envelope>> Client::try_once(const std::string& bytes, const std::string& request_id) {
  const auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  // [""][payload]: the empty delimiter makes the ROUTER's reply route back like one to a REQ.
  std::vector<zmq::const_buffer> frames{zmq::buffer(std::string_view{}), zmq::buffer(bytes)};
  if (!zmq::send_multipart(*socket_, frames, zmq::send_flags::dontwait)) {
    // Nothing can take the message right now (cannot happen with a connected DEALER unless its
    // queue is full); count it as a silent try.
    return std::nullopt;
  }

  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    zmq::pollitem_t item{static_cast<void*>(*socket_), 0, ZMQ_POLLIN, 0};
    try {
      if (zmq::poll(&item, 1, left) == 0) continue;  // loop re-checks the deadline
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      throw;
    }

    std::vector<zmq::message_t> reply;
    if (!zmq::recv_multipart(*socket_, std::back_inserter(reply), zmq::recv_flags::dontwait)) continue;
    // Expect [""][payload] (from a ROUTER replying as to a REQ); tolerate a bare [payload].
    if (reply.empty() || reply.size() > 2 || (reply.size() == 2 && reply.front().size() != 0)) continue;
    auto envelope = decode_envelope(reply.back().to_string_view(), limits_for(options_.max_message_bytes));
    if (!envelope) return Result<Envelope>(Error{"undecodable reply from " + endpoint_ + ": " +
                                                 envelope.error().message});
    // A reply that names another request is not ours (cannot happen with one socket per try,
    // but a misbehaving peer must not make us return someone else's answer).
    if (const Value* id = envelope.value().data.find("request_id");
        id != nullptr && id->is_string() && id->as_string() != request_id) {
      continue;
    }
    observe(envelope.value().data, lamport_);
    remember_seen(envelope.value().data);
    return envelope;
  }
}

void Client::resume(const VersionVector& seen) {
  for (const auto& [origin, seq] : seen) {
    std::uint64_t& mine = session_[origin];
    if (seq > mine) mine = seq;
  }
}

void Client::remember_seen(const Value& reply_data) {
  const Value* seen = reply_data.find("seen");
  if (seen == nullptr || !seen->is_map()) return;
  try {
    resume(version_vector_from_value(*seen, "seen"));
  } catch (const FieldError&) {
    // A malformed `seen` is not worth failing the request over: it only weakens the session.
  }
}

}  // namespace bib
