#include "broker.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <iterator>
#include <random>
#include <stdexcept>
#include <utility>

#include <zmq_addon.hpp>

#include "bib/names.hpp"
#include "bib/net.hpp"
#include "bib/plugin_export.hpp"
#include "bib/reply.hpp"
#include "bib/worker_protocol.hpp"
#include "worker_frames.hpp"

namespace bib::broker {
namespace protocol = bib::worker_protocol;
namespace {

constexpr std::size_t kMaxRouteFrames = 8;  // identity, "" for REQ, a few for ROUTER chains
// Messages taken per readiness callback, so that a burst of clients cannot keep the servers'
// replies and heartbeats waiting (the loop polls level-triggered: the rest comes next turn).
constexpr int kBatch = 256;

// Identities are binary (ROUTER picks 5 bytes): show them as hex.
std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

std::string client_name(const std::vector<std::string>& route) {
  return "client " + (route.empty() ? std::string("?") : hex(route.front()));
}

// What a refused message's log line shows of a frame it names (a command word): its first
// bytes, raw (RefusalLog escapes them).
std::string shown(std::string_view frame) { return std::string(frame.substr(0, 64)); }

// A new value per broker run, so that ids never repeat after a restart (servers deduplicate
// requests by id and must not mistake a new request for an old one).
std::string incarnation() {
  std::random_device rd;
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(rd()));
  return buf;
}

// The frames as views, for the socket-free readers (worker_frames.hpp).
std::vector<std::string_view> views_of(const std::vector<zmq::message_t>& frames) {
  std::vector<std::string_view> views;
  for (const auto& frame : frames) views.push_back(frame.to_string_view());
  return views;
}

// Deadlines are checked a few times per heartbeat.
Millis tick_interval(Millis heartbeat) {
  return std::clamp(heartbeat / 4, Millis(10), Millis(250));
}

}  // namespace

void Broker::configure(Context& ctx) {
  ctx_ = &ctx;
  options_ = parse_options(ctx.config());
  limits_.max_bytes = static_cast<std::size_t>(ctx.max_message_bytes());
  state_.emplace(options_.dispatch, ctx.node_name() + "-" + incarnation());
  metrics_.emplace(ctx.metrics(), [this] { return state_->snapshot(); });
  refusals_.emplace(ctx.log(), ctx.loop());
}

void Broker::start() {
  auto open = [&](const char* role, const std::string& endpoint, bool mandatory) {
    zmq::socket_t socket = network_socket(ctx_->zmq_context(), zmq::socket_type::router, ctx_->max_message_bytes());
    // The backend (servers) is a cluster link; the frontend a client port.
    if (mandatory)
      ctx_->link_security().listen_for_members(socket);
    else
      ctx_->link_security().listen_for_clients(socket);
    // Backend: a send to a server whose connection closed fails at once instead of vanishing,
    // so a crashed server's requests go elsewhere without waiting for its heartbeats to lapse.
    if (mandatory) socket.set(zmq::sockopt::router_mandatory, 1);
    try {
      socket.bind(endpoint);
    } catch (const zmq::error_t& e) {
      throw std::runtime_error(std::string("cannot bind ") + role + " " + endpoint + ": " + e.what());
    }
    return socket;
  };
  // Both bound before either is registered: a failed bind leaves nothing behind in the loop.
  frontend_.emplace(open("frontend", options_.frontend, false));
  backend_.emplace(open("backend", options_.backend, true));
  frontend_watch_ = ctx_->loop().watch_socket(*frontend_, [this] { on_frontend(); });
  backend_watch_ = ctx_->loop().watch_socket(*backend_, [this] { on_backend(); });
  next_heartbeat_ = SteadyClock::now() + options_.dispatch.heartbeat;
  tick_timer_ = ctx_->loop().start_timer(tick_interval(options_.dispatch.heartbeat), [this] { on_tick(); }, true);
  const auto& d = options_.dispatch;
  ctx_->log().info(
      "broker: clients on {}, servers on {}; heartbeat {} ms, liveness {}, hold {} ms, "
      "request timeout {} ms, max inflight {}",
      options_.frontend, options_.backend, d.heartbeat.count(), d.liveness, d.hold.count(),
      d.request_timeout.count(), d.max_inflight);
}

void Broker::stop() {
  tick_timer_.reset();
  if (backend_ && state_) {
    // Tell the servers at once, so they register with the next broker without waiting for
    // our heartbeats to lapse; a short linger gives these last frames a chance to leave.
    for (const auto& identity : state_->live_identities()) {
      send_to_worker(identity, protocol::kDisconnect);
    }
    backend_->set(zmq::sockopt::linger, 100);
  }
  backend_watch_.reset();
  backend_.reset();
  frontend_watch_.reset();
  frontend_.reset();
  if (refusals_) refusals_->flush();
}

void Broker::on_frontend() {
  for (int i = 0; i < kBatch; ++i) {
    Frames frames;
    if (!zmq::recv_multipart(*frontend_, std::back_inserter(frames), zmq::recv_flags::dontwait)) {
      return;
    }
    try {
      client_request(std::move(frames));
    } catch (const std::exception& e) {
      ctx_->log().error("broker: client request failed: {}", e.what());
    }
  }
}

void Broker::on_backend() {
  for (int i = 0; i < kBatch; ++i) {
    Frames frames;
    if (!zmq::recv_multipart(*backend_, std::back_inserter(frames), zmq::recv_flags::dontwait)) {
      return;
    }
    try {
      worker_message(std::move(frames));
    } catch (const std::exception& e) {
      ctx_->log().error("broker: server message failed: {}", e.what());
    }
  }
}

// [identity]["" for REQ][msgpack envelope]: everything before the body is the route back.
void Broker::client_request(Frames frames) {
  if (frames.size() < 2 || frames.size() > kMaxRouteFrames + 1) {
    // Answered on [identity][""], as a REQ (or a DEALER that sends the delimiter) reads it.
    refuse_client(Route{frames.front().to_string(), ""}, "client message of a wrong frame layout",
                  std::to_string(frames.size() - 1) + " frames after the identity, expected [\"\"][envelope] or "
                  "[envelope] (at most " + std::to_string(kMaxRouteFrames) + " routing frames)");
    return;
  }
  Route route;
  for (std::size_t i = 0; i + 1 < frames.size(); ++i) route.push_back(frames[i].to_string());
  const zmq::message_t& body = frames.back();

  auto decoded = decode_envelope(body.to_string_view(), limits_);
  if (!decoded) {
    refuse_client(route, "undecodable client request", decoded.error().message);
    return;
  }
  Envelope request = std::move(decoded).value();
  observe(request.data, ctx_->lamport());
  if (wire_on()) ctx_->wire_log().info("recv {} {}", client_name(route), request.to_string());

  if (request.service == "broker") {
    answer_status(route);
    return;
  }
  // Every request carries an id before it first leaves, so a copy sent again after its
  // server died is the same request to the servers:
  //   {"service": "publish", "data": {..., "request_id": "broker-5f3a9c01-17"}}
  // A client's own request_id (Lazy Pirate retries) is kept as it is. Servers deduplicate
  // writes by it (the commit stage keeps it as Event::request_id; the lookup that answers a
  // known id instead of applying it twice comes with the replication issue).
  const Value* client_id = request.data.find("request_id");
  if (client_id != nullptr && !client_id->is_nil() && !client_id->is_string()) {
    answer_error(route, request.service,
                 std::string("field 'request_id' must be a string, got ") +
                     Value::type_name(client_id->type()));
    return;
  }
  const std::string id = state_->issue_id();
  if (client_id == nullptr || client_id->is_nil() || client_id->as_string().empty()) {
    request.data["request_id"] = id;
  }
  std::string tagged = encode_envelope(request);
  if (tagged.size() > static_cast<std::size_t>(ctx_->max_message_bytes())) {
    answer_error(route, request.service, "request too large");
    return;
  }
  Actions actions;
  state_->submit({id, std::move(route), request.service, std::move(tagged)}, SteadyClock::now(),
                 actions);
  carry_out(std::move(actions));
}

// [identity][command][arguments...], see bib/worker_protocol.hpp.
void Broker::worker_message(Frames frames) {
  if (frames.size() < 2) return;  // [identity] alone: ROUTER never delivers it
  const std::string identity = frames[0].to_string();
  const std::string command = frames[1].to_string();
  const std::string name = state_->worker_name(identity);
  const std::string who = name.empty() ? "server " + hex(identity) : name;
  const auto now = SteadyClock::now();

  if (command == protocol::kHeartbeat) {
    ctx_->wire_log().trace("recv {} HEARTBEAT", who);
    if (!state_->on_traffic(identity, now)) tell_to_register(identity);
  } else if (command == protocol::kReply && frames.size() == 4) {
    worker_reply(identity, who, frames);
  } else if (command == protocol::kReply) {
    state_->on_traffic(identity, now);
    refusals_->refuse("malformed worker message", who + ": REPLY of " + std::to_string(frames.size() - 1) +
                                                      " frames, expected [REPLY][id][body]");
  } else if (command == protocol::kReady) {
    // A refused READY still counts as traffic, as any message does (it changes nothing else).
    // The name goes into every later log line and into `broker` replies: it follows the naming
    // rule (docs/protocol.md), so that no READY can forge a log line. Empty: named by identity.
    state_->on_traffic(identity, now);
    if (frames.size() >= 3 && frames[2].size() > 0) {
      if (auto problem = name_problem(frames[2].to_string_view())) {
        refusals_->refuse("malformed worker message", who + ": READY with an invalid " + *problem);
        return;
      }
    }
    if (frames.size() > 5 + protocol::kMaxHeld) {
      refusals_->refuse("malformed worker message", who + ": READY listing " + std::to_string(frames.size() - 5) +
                                                        " held requests, at most " +
                                                        std::to_string(protocol::kMaxHeld));
      return;
    }
    const Registration registration = registration_of(views_of(frames), "server-" + hex(identity));
    // A server names itself once per connection: READYs under ever new names on one connection
    // would each cost a join and an eviction (and their lines).
    if (!name.empty() && registration.name != name) {
      refusals_->refuse("malformed worker message",
                        who + ": READY as '" + registration.name + "' on a connection registered as '" + name + "'");
      return;
    }
    ctx_->wire_log().info("recv {} READY {} run {} connection {} holding {}", who, registration.name,
                          registration.incarnation, registration.generation,
                          registration.holding.size());
    Actions actions;
    const bool registered = state_->on_ready(identity, registration, now, actions);
    carry_out(std::move(actions));
    if (!registered) tell_to_register(identity);
  } else if ((command == protocol::kPause && frames.size() == 3) ||
             (command == protocol::kResume && frames.size() == 2)) {
    const bool pause = command == protocol::kPause;
    // Printable only: it goes into log lines and the `broker` reply.
    const std::string reason = pause ? RefusalLog::printable(frames[2].to_string_view(), protocol::kMaxPauseReason) : "";
    ctx_->wire_log().info("recv {} {}{}{}", who, command, pause ? " " : "", reason);
    Actions actions;
    if (!state_->on_pause(identity, pause, reason, now, actions)) {
      tell_to_register(identity);
      return;
    }
    if (pause) {
      ctx_->log().warn("broker: {} paused: {}", who, reason);
    } else {
      ctx_->log().info("broker: {} resumed", who);
    }
    carry_out(std::move(actions));
  } else if (command == protocol::kPause || command == protocol::kResume) {
    state_->on_traffic(identity, now);
    refusals_->refuse("malformed worker message", who + ": " + command + " of " + std::to_string(frames.size() - 1) +
                                                      " frames, expected [PAUSE][reason] or [RESUME]");
  } else if (command == protocol::kDisconnect) {
    ctx_->wire_log().info("recv {} DISCONNECT", who);
    Actions actions;
    state_->on_disconnect(identity, "it left (DISCONNECT)", now, actions);
    carry_out(std::move(actions));
  } else {
    state_->on_traffic(identity, now);
    refusals_->refuse("unknown worker command",
                      who + ": '" + shown(command) + "' (" + std::to_string(frames.size() - 1) + " frames)");
  }
}

void Broker::worker_reply(const std::string& identity, const std::string& who, Frames& frames) {
  const std::string id = frames[2].to_string();
  const zmq::message_t& body = frames[3];
  Actions actions;
  ReplyOutcome outcome = state_->on_reply(identity, id, SteadyClock::now(), actions);
  switch (outcome.verdict) {
    case ReplyVerdict::deliver: {
      auto decoded = decode_envelope(body.to_string_view(), limits_);
      if (decoded) observe(decoded.value().data, ctx_->lamport());
      forward(outcome.request.route, body);
      if (wire_on()) {
        const std::string line =
            decoded ? decoded.value().to_string() : "<undecodable: " + decoded.error().message + ">";
        ctx_->wire_log().info("recv {} REPLY {} {}", who, id, line);
        ctx_->wire_log().info("send {} {}", client_name(outcome.request.route), line);
      }
      break;
    }
    case ReplyVerdict::stale:
      ctx_->wire_log().info("recv {} REPLY {} {}", who, id, render(body.to_string_view()));
      ctx_->log().info("broker: dropped reply {} from {}: it does not hold that request "
                       "(late, duplicate or timed out)", id, who);
      break;
    case ReplyVerdict::unknown_worker:
      ctx_->wire_log().info("recv {} REPLY {} {}", who, id, render(body.to_string_view()));
      ctx_->log().info("broker: dropped reply {} from unregistered {}: evicted before it "
                       "answered, the request went elsewhere", id, who);
      tell_to_register(identity);
      break;
  }
  carry_out(std::move(actions));
}

void Broker::on_tick() {
  const auto now = SteadyClock::now();
  // Unread messages on the backend may be the heartbeats of a server that looks silent (this
  // loop was slow, not the server): read them before judging anyone silent.
  const bool backlog = (backend_->get(zmq::sockopt::events) & ZMQ_POLLIN) != 0;
  Actions actions;
  state_->tick(now, actions, !backlog);
  carry_out(std::move(actions));
  if (now < next_heartbeat_) return;
  next_heartbeat_ = now + options_.dispatch.heartbeat;
  std::vector<std::string> gone;
  for (const auto& identity : state_->live_identities()) {
    switch (send_to_worker(identity, protocol::kHeartbeat)) {
      case Sent::yes:
        ctx_->wire_log().trace("send {} HEARTBEAT", state_->worker_name(identity));
        break;
      case Sent::full:  // it is not reading: its silence will tell
        break;
      case Sent::gone:
        gone.push_back(identity);
        break;
    }
  }
  // Forget old DISCONNECT times, so the map stays as small as the set of recent strangers.
  std::erase_if(told_to_register_, [&](const auto& item) { return now - item.second > options_.dispatch.heartbeat * 10; });
  for (const auto& identity : gone) {
    Actions more;
    state_->on_disconnect(identity, "connection closed", now, more);
    carry_out(std::move(more));
  }
}

void Broker::carry_out(Actions actions) {
  for (const auto& event : actions.events) {
    switch (event.kind) {
      case WorkerEvent::Kind::joined:
        ctx_->log().info("broker: {} joined ({} live)", event.name,
                         state_->live_identities().size());
        break;
      case WorkerEvent::Kind::rejoined:
        ctx_->log().info("broker: {} rejoined ({} live){}", event.name,
                         state_->live_identities().size(),
                         event.kept == 0 ? std::string()
                                         : "; it took back " + std::to_string(event.kept) +
                                               " request(s) it is still answering");
        break;
      case WorkerEvent::Kind::reconnected:
        ctx_->log().info("broker: {} moved to a new connection; it keeps {} request(s), {} it never "
                         "read go to other servers",
                         event.name, event.kept, event.requeued);
        break;
      case WorkerEvent::Kind::stale_ready:
        ctx_->log().warn("broker: refused a stale READY from {}: {}", event.name, event.reason);
        break;
      case WorkerEvent::Kind::evicted:
        if (event.requeued == 0) {
          ctx_->log().info("broker: {} evicted: {}", event.name, event.reason);
        } else {
          ctx_->log().info("broker: {} evicted: {}; the {} request(s) it held go to other servers",
                           event.name, event.reason, event.requeued);
        }
        break;
    }
  }
  std::vector<std::string> gone;
  std::vector<std::pair<std::string, std::string>> unsent;  // (identity, id): connection full
  for (const auto& d : actions.dispatches) {
    if (std::find(gone.begin(), gone.end(), d.identity) != gone.end()) continue;
    switch (send_to_worker(d.identity, protocol::kRequest, d.id, d.body)) {
      case Sent::yes:
        if (wire_on()) {
          ctx_->wire_log().info("send {} REQUEST {}{} {}", d.worker, d.id, d.resent ? " (resent)" : "",
                                render(d.body));
        }
        break;
      case Sent::full:
        unsent.emplace_back(d.identity, d.id);
        break;
      case Sent::gone:
        gone.push_back(d.identity);  // still held by it: evicting it below sends it elsewhere
        break;
    }
  }
  for (const auto& f : actions.failures) {
    answer_error(f.request.route, f.request.service, f.description);
  }
  // A full connection blocks its worker until the next heartbeat, so this ends.
  for (const auto& [identity, id] : unsent) {
    ctx_->log().warn("broker: {} is not reading (its queue is full); {} goes to another server",
                     state_->worker_name(identity), id);
    Actions more;
    state_->on_unsent(identity, id, SteadyClock::now(), more);
    carry_out(std::move(more));
  }
  // Each round evicts at least one worker, so this ends.
  for (const auto& identity : gone) {
    Actions more;
    state_->on_disconnect(identity, "connection closed", SteadyClock::now(), more);
    carry_out(std::move(more));
  }
}

void Broker::answer(const Route& route, Envelope reply, spdlog::level::level_enum wire) {
  stamp(reply.data, ctx_->lamport(), ctx_->clock());
  const std::string body = encode_envelope(reply);
  std::vector<zmq::const_buffer> frames;
  for (const auto& part : route) frames.emplace_back(part.data(), part.size());
  frames.emplace_back(body.data(), body.size());
  zmq::send_multipart(*frontend_, frames, zmq::send_flags::dontwait);
  if (ctx_->wire_log().should_log(wire)) ctx_->wire_log().log(wire, "send {} {}", client_name(route), reply.to_string());
}

void Broker::answer_error(const Route& route, const std::string& service,
                          const std::string& description, spdlog::level::level_enum wire) {
  answer(route, Envelope{service, error_reply(description)}, wire);
}

void Broker::refuse_client(const Route& route, std::string_view kind, const std::string& problem) {
  refusals_->refuse(kind, client_name(route) + ": " + problem);
  answer_error(route, "error", "bad request: " + problem, spdlog::level::debug);
}

// The reserved service `broker`, for tooling:
//   {"service": "broker", "data": {"status": "OK", "pending": 0, "requests": 12, "replies": 12,
//    "workers": [{"name": "server-1", "live": true, "inflight": 0, "paused": false}, ...], ...}}
//   a paused worker also has "pause_reason".
void Broker::answer_status(const Route& route) {
  const Snapshot snap = state_->snapshot();
  Array workers;
  for (const auto& w : snap.workers) {
    Map worker{{"name", w.name},
               {"live", w.live},
               {"inflight", static_cast<std::int64_t>(w.inflight)},
               {"paused", w.paused}};
    if (w.paused) worker["pause_reason"] = w.pause_reason;
    workers.push_back(std::move(worker));
  }
  answer(route, Envelope{"broker", Map{{"status", "OK"},
                                       {"workers", std::move(workers)},
                                       {"pending", static_cast<std::int64_t>(snap.pending)},
                                       {"requests", static_cast<std::int64_t>(snap.requests)},
                                       {"replies", static_cast<std::int64_t>(snap.replies)},
                                       {"failed", static_cast<std::int64_t>(snap.failed)},
                                       {"resent", static_cast<std::int64_t>(snap.resent)},
                                       {"expired", static_cast<std::int64_t>(snap.expired)}}});
}

void Broker::forward(const Route& route, const zmq::message_t& body) {
  std::vector<zmq::const_buffer> frames;
  for (const auto& part : route) frames.emplace_back(part.data(), part.size());
  frames.emplace_back(body.data(), body.size());
  zmq::send_multipart(*frontend_, frames, zmq::send_flags::dontwait);
}

Broker::Sent Broker::send_to_worker(const std::string& identity, std::string_view command,
                                    std::string_view id, std::string_view body) {
  std::vector<zmq::const_buffer> frames{zmq::buffer(identity), zmq::buffer(command)};
  if (command == protocol::kRequest) {
    frames.push_back(zmq::buffer(id));
    frames.push_back(zmq::buffer(body));
  }
  try {
    // ROUTER_MANDATORY: EAGAIN (no value) is a full queue to a live connection, not a dead one.
    return zmq::send_multipart(*backend_, frames, zmq::send_flags::dontwait) ? Sent::yes : Sent::full;
  } catch (const zmq::error_t& e) {
    if (e.num() == EHOSTUNREACH) return Sent::gone;
    throw;
  }
}

// A heartbeat or reply from a connection the broker does not know (it restarted, or evicted
// that server): ["DISCONNECT"] makes the server open a fresh connection and READY again.
// At most one per connection per heartbeat: a burst of replies from it gets one answer.
void Broker::tell_to_register(const std::string& identity) {
  const auto now = SteadyClock::now();
  auto [it, fresh] = told_to_register_.try_emplace(identity, now);
  if (!fresh) {
    if (now - it->second < options_.dispatch.heartbeat) return;
    it->second = now;
  }
  send_to_worker(identity, protocol::kDisconnect);
  ctx_->wire_log().info("send server {} DISCONNECT", hex(identity));
}

bool Broker::wire_on() const { return ctx_->wire_log().should_log(spdlog::level::info); }

std::string Broker::render(std::string_view body) const {
  if (!wire_on()) return {};
  auto decoded = decode_envelope(body, limits_);
  return decoded ? decoded.value().to_string() : "<undecodable: " + decoded.error().message + ">";
}

}  // namespace bib::broker

BIB_PLUGIN(broker, bib::PluginKind::component, "1.0.0", bib::broker::Broker)
