#include "broker_worker.hpp"

#include <algorithm>
#include <exception>
#include <iterator>
#include <vector>

#include <zmq_addon.hpp>

#include "bib/net.hpp"
#include "bib/worker_protocol.hpp"

namespace bib::host {

namespace {

using worker_protocol::kDisconnect;
using worker_protocol::kHeartbeat;
using worker_protocol::kPause;
using worker_protocol::kResume;
using worker_protocol::kReady;
using worker_protocol::kReply;
using worker_protocol::kRequest;

// Reconnect back-off after the broker went silent, as in the Guide's Paranoid Pirate worker.
constexpr std::chrono::milliseconds kBackoffInitial{250};
constexpr std::chrono::milliseconds kBackoffMax{4000};

// Messages taken per readiness callback, so that heartbeats and timers keep their turn.
constexpr int kBatch = 64;

// READY lists at most this many held requests (the broker resends the rest); replies kept
// while no connection is open are bounded by it too.
constexpr std::size_t kMaxListed = 1000;

std::uint64_t run_incarnation() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

}  // namespace

BrokerWorker::BrokerWorker(zmq::context_t& zmq, const bib::LinkSecurity& security, bib::EventLoop& loop,
                           const HostSettings& settings, spdlog::logger& log, Handler handler)
    : zmq_(zmq),
      security_(security),
      loop_(loop),
      name_(settings.name),
      endpoint_(settings.broker),
      heartbeat_(std::max<std::int64_t>(settings.heartbeat_ms, 1)),
      liveness_limit_(static_cast<int>(std::max<std::int64_t>(settings.liveness, 1))),
      max_message_bytes_(settings.max_message_bytes),
      log_(log),
      handler_(std::move(handler)),
      incarnation_(run_incarnation()),
      backoff_(kBackoffInitial) {}

BrokerWorker::~BrokerWorker() { stop(); }

void BrokerWorker::start() {
  if (running_ || endpoint_.empty()) return;
  running_ = true;
  loop_thread_ = std::this_thread::get_id();
  connect();
  heartbeat_timer_ = loop_.start_timer(heartbeat_, [this] { on_heartbeat_timer(); }, true);
}

void BrokerWorker::stop() {
  if (!running_) return;
  running_ = false;
  heartbeat_timer_.reset();
  reconnect_timer_.reset();
  if (socket_) {
    // Leaving: the broker sends what we hold to another server now rather than after our
    // heartbeats lapse. A short linger gives this last frame a chance to leave.
    send(kDisconnect);
    socket_->set(zmq::sockopt::linger, 100);
    log_.info("broker worker: left {}", endpoint_);
  }
  close_socket();
}

void BrokerWorker::connect() {
  ++generation_;
  try {
    socket_.emplace(bib::network_socket(zmq_, zmq::socket_type::dealer, max_message_bytes_));
    security_.connect_to_member(*socket_, bib::kBrokerKeyName);
    socket_->connect(endpoint_);
  } catch (const std::exception& e) {
    // A bad endpoint: say so loudly and keep trying, rather than stop serving for good.
    socket_.reset();
    log_.error("broker worker: cannot connect to {}: {}; retrying in {} ms", endpoint_, e.what(),
               backoff_.count());
    const auto delay = backoff_;
    backoff_ = std::min(backoff_ * 2, kBackoffMax);
    reconnect_later(delay);
    return;
  }
  socket_watch_ = loop_.watch_socket(*socket_, [this] { on_readable(); });
  liveness_ = liveness_limit_;
  last_tick_ = std::chrono::steady_clock::now();
  // Queued until the connection is up, so it is the first thing a (re)started broker hears:
  //   ["READY", "server-2", "1764579600123456", "3", "broker-5f3a9c01-17", ...]
  const std::string incarnation = std::to_string(incarnation_);
  const std::string generation = std::to_string(generation_);
  std::vector<zmq::const_buffer> frames{zmq::buffer(kReady), zmq::buffer(name_), zmq::buffer(incarnation),
                                        zmq::buffer(generation)};
  for (const auto& id : holding_) {
    if (frames.size() >= 4 + kMaxListed) break;
    frames.push_back(zmq::buffer(id));
  }
  send_frames(kReady, frames);
  log_.info("broker worker: registering '{}' with {} (connection {}, still answering {})", name_, endpoint_,
            generation_, holding_.size());
  if (ever_paused_) send_pause_state();
  // Replies that found no connection: the broker has just been told we hold those requests.
  auto waiting = std::move(unsent_replies_);
  unsent_replies_.clear();
  for (auto& [id, body] : waiting) send_reply(id, std::move(body));
}

void BrokerWorker::set_paused(bool paused, const std::string& reason) {
  if (paused == paused_ && reason == pause_reason_) return;
  paused_ = paused;
  ever_paused_ = ever_paused_ || paused;
  pause_reason_ = paused ? reason : std::string();
  if (paused) {
    log_.warn("broker worker: taking no new requests from the broker: {}", reason);
  } else {
    log_.info("broker worker: taking requests from the broker again");
  }
  if (socket_) send_pause_state();
}

void BrokerWorker::send_pause_state() {
  if (paused_) {
    send_frames(kPause, {zmq::buffer(kPause), zmq::buffer(pause_reason_)});
  } else {
    send(kResume);
  }
}

void BrokerWorker::close_socket() {
  socket_watch_.reset();
  socket_.reset();
}

void BrokerWorker::reconnect_later(std::chrono::milliseconds delay) {
  close_socket();
  reconnect_timer_ = loop_.start_timer(delay, [this] {
    reconnect_timer_.reset();
    if (running_) connect();
  });
}

bool BrokerWorker::recovered_from_stall() {
  const auto now = std::chrono::steady_clock::now();
  const auto stalled = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_tick_);
  // Ticks come every interval; half an interval of slack on top of liveness - 1 of them.
  const auto limit = heartbeat_ * std::max(1, liveness_limit_ - 1) + heartbeat_ / 2;
  if (stalled <= limit) return false;
  log_.warn("broker worker: stalled for {} ms; the broker has resent what we held: dropping the queued requests and "
            "registering again",
            stalled.count());
  close_socket();
  if (running_) connect();
  return true;
}

void BrokerWorker::on_readable() {
  if (recovered_from_stall()) return;
  for (int i = 0; i < kBatch && socket_; ++i) {
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(*socket_, std::back_inserter(frames), zmq::recv_flags::dontwait)) {
      return;
    }
    if (frames.empty()) continue;
    liveness_ = liveness_limit_;  // any message from the broker is a heartbeat
    backoff_ = kBackoffInitial;
    const std::string_view command = frames[0].to_string_view();

    if (command == kRequest && frames.size() == 3) {
      const std::string id = frames[1].to_string();
      if (!holding_.insert(id).second) {
        // Sent to us again (we were evicted and it came back round): the first copy's reply
        // answers it.
        log_.debug("broker worker: request {} is already being answered here", id);
        continue;
      }
      log_.debug("broker worker: request {} ({} bytes)", id, frames[2].size());
      // The body's data.request_id is set (by the client, or by the broker before the first
      // dispatch), and a request resent after another server died carries the same one: the
      // commit stage answers a write already applied under that id with its first result.
      // The reply may come now or much later, on whatever connection is open then.
      // Called on whatever thread finished the work; only the loop thread touches this object.
      auto reply = [&loop = loop_, thread = loop_thread_,
                    deliver = lifeline_.guard([this, id](std::string& body) { send_reply(id, std::move(body)); })](
                       std::string body) mutable {
        if (std::this_thread::get_id() == thread) return deliver(body);
        loop.post([deliver, body = std::move(body)]() mutable { deliver(body); });
      };
      try {
        handler_(frames[2].to_string_view(), std::move(reply));
      } catch (const std::exception& e) {
        // The broker answers the client once its request_timeout_ms passes.
        holding_.erase(id);
        log_.error("broker worker: request {} failed: {}", id, e.what());
      }
    } else if (command == kHeartbeat) {
      log_.trace("broker worker: heartbeat from broker");
    } else if (command == kDisconnect) {
      // The broker does not know this connection (it restarted, or evicted us while we were
      // stalled): whatever we hold was sent elsewhere or forgotten. Register afresh now.
      log_.info("broker worker: broker at {} does not know us; registering again", endpoint_);
      close_socket();
      if (running_) connect();
      return;
    } else {
      log_.warn("broker worker: unexpected message '{}' ({} frames) from the broker", command,
                frames.size());
    }
  }
}

void BrokerWorker::on_heartbeat_timer() {
  if (!socket_) return;  // waiting to reconnect
  if (recovered_from_stall()) return;
  last_tick_ = std::chrono::steady_clock::now();
  if (--liveness_ > 0) {
    send(kHeartbeat);
    return;
  }
  log_.warn("broker worker: no word from {} for {} ms; reconnecting in {} ms", endpoint_,
            (heartbeat_ * liveness_limit_).count(), backoff_.count());
  const auto delay = backoff_;
  backoff_ = std::min(backoff_ * 2, kBackoffMax);
  reconnect_later(delay);
}

void BrokerWorker::send(std::string_view command, std::string_view id, std::string_view body) {
  std::vector<zmq::const_buffer> frames{zmq::buffer(command)};
  if (!id.empty() || command == kReply) frames.push_back(zmq::buffer(id));
  if (command == kReply) frames.push_back(zmq::buffer(body));
  send_frames(command, frames);
}

void BrokerWorker::send_frames(std::string_view command, const std::vector<zmq::const_buffer>& frames) {
  try {
    // dontwait: a broker that is away must not block the loop; the frame is dropped when the
    // queue to it is full, and liveness sorts that out.
    if (!zmq::send_multipart(*socket_, frames, zmq::send_flags::dontwait)) {
      log_.debug("broker worker: {} not sent: queue to the broker is full", command);
    }
  } catch (const zmq::error_t& e) {
    log_.warn("broker worker: {} not sent: {}", command, e.what());
  }
}

void BrokerWorker::send_reply(const std::string& id, std::string body) {
  if (!running_) return;
  if (!socket_) {
    // Between connections: it goes out right after the next READY, which lists it as held.
    if (unsent_replies_.size() < kMaxListed) {
      unsent_replies_.emplace_back(id, std::move(body));
    } else {
      holding_.erase(id);
      log_.warn("broker worker: reply {} dropped: {} replies already wait for a connection", id, kMaxListed);
    }
    return;
  }
  holding_.erase(id);
  log_.debug("broker worker: reply {} ({} bytes)", id, body.size());
  send(kReply, id, body);
}

}  // namespace bib::host
