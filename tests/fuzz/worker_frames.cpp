// The broker's side of the worker protocol (bib/worker_protocol.hpp): multi-frame messages
// from servers, read as plugins/broker/broker.cpp reads them (registration_of for READY) and
// fed to its state machine (DispatchState) between client requests and clock ticks. Beyond
// "no crash", every step checks the state machine's promises (dispatch_state.hpp): every
// accepted request is in exactly one place, an evicted server holds nothing, a dispatch goes
// to a live server with the request's own body, and every request is answered exactly once,
// at the latest when its time is up.
//
// Input: messages one after another, each a count byte and then its frames:
//   [n][len][bytes]...      a server's message of n % 16 frames: identity, command, arguments
//   [0xFF]                  a client request (the state machine issues its id: "b-1", ...)
//   [0xFE][t]               the clock moves t * 50 ms and the broker ticks
//   [0xFD][len][identity][len][id]   a REQUEST to that server could not be queued
// The first byte picks the settings (max inflight, queue bound, request timeout).
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "bib/codec.hpp"
#include "bib/worker_protocol.hpp"
#include "dispatch_state.hpp"
#include "fuzz_support.hpp"
#include "worker_frames.hpp"

namespace {

using namespace bib::broker;
using bib::fuzz::check;
namespace protocol = bib::worker_protocol;

class Input {
 public:
  explicit Input(std::string_view bytes) : rest_(bytes) {}
  bool empty() const { return rest_.empty(); }
  unsigned byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<unsigned char>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  std::string_view frame() {
    const std::size_t n = std::min<std::size_t>(byte(), rest_.size());
    const std::string_view out = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return out;
  }

 private:
  std::string_view rest_;
};

class Harness {
 public:
  explicit Harness(unsigned selector) : state_(settings(selector), "b") {}

  void client_request() {
    Request request{state_.issue_id(), {"client"}, "publish", ""};
    request.body = "body of " + request.id;
    open_[request.id] = request.body;
    Actions actions;
    state_.submit(std::move(request), now_, actions);
    carry_out(actions);
  }

  void tick(unsigned steps) {
    now_ += Millis(50) * steps;
    Actions actions;
    state_.tick(now_, actions);
    carry_out(actions);
  }

  void unsent(std::string_view identity, std::string_view id) {
    Actions actions;
    state_.on_unsent(std::string(identity), std::string(id), now_, actions);
    carry_out(actions);
  }

  // Broker::worker_message, without the sockets and the logs.
  void worker_message(const std::vector<std::string_view>& frames) {
    if (frames.size() < 2) return;
    const std::string identity(frames[0]);
    const std::string_view command = frames[1];
    Actions actions;
    if (command == protocol::kHeartbeat) {
      state_.on_traffic(identity, now_);
    } else if (command == protocol::kReply && frames.size() == 4) {
      const std::string id(frames[2]);
      ReplyOutcome outcome = state_.on_reply(identity, id, now_, actions);
      if (outcome.verdict == ReplyVerdict::deliver) {
        check(outcome.request.id == id, "a reply delivered for another request");
        answered(outcome.request.id);
        (void)bib::decode_envelope(frames[3]);
      }
    } else if (command == protocol::kReady) {
      const Registration registration = registration_of(frames, "server-" + identity);
      check(!registration.name.empty(), "a registration without a name");
      state_.on_ready(identity, registration, now_, actions);
    } else if (command == protocol::kDisconnect) {
      state_.on_disconnect(identity, "it left (DISCONNECT)", now_, actions);
    } else if ((command == protocol::kPause && frames.size() == 3) || (command == protocol::kResume && frames.size() == 2)) {
      state_.on_pause(identity, command == protocol::kPause, std::string(command == protocol::kPause ? frames[2] : ""),
                      now_, actions);
    } else {
      state_.on_traffic(identity, now_);
    }
    carry_out(actions);
  }

  // Long after the last message, with no server heard from, every request has its answer.
  void finish() {
    for (int i = 0; i < 40; ++i) tick(1200);  // a minute each
    check(open_.empty(), "a request was never answered");
    const Snapshot s = state_.snapshot();
    check(s.pending == 0, "requests still queued at the end");
    check(s.requests == s.replies + s.failed, "the counters do not add up");
  }

 private:
  static DispatchSettings settings(unsigned selector) {
    DispatchSettings s;
    s.max_inflight = selector & 3;            // 0: no limit
    s.max_pending = ((selector >> 2) & 3) + 1;
    if (selector & 16) s.request_timeout = Millis(0);  // never
    return s;
  }

  void answered(const std::string& id) {
    auto it = open_.find(id);
    check(it != open_.end(), "a request answered twice, or one never accepted");
    open_.erase(it);
  }

  void carry_out(const Actions& actions) {
    for (const Dispatch& d : actions.dispatches) {
      check(!d.worker.empty() && state_.worker_name(d.identity) == d.worker, "a dispatch to a server that is not live");
      for (const WorkerInfo& w : state_.snapshot().workers)
        check(w.name != d.worker || !w.paused, "a dispatch to a paused server");
      auto it = open_.find(d.id);
      check(it != open_.end() && it->second == d.body, "a dispatch of an unknown request or with another body");
    }
    for (const Failure& f : actions.failures) answered(f.request.id);
    invariants();
  }

  void invariants() {
    const Snapshot s = state_.snapshot();
    std::size_t held = 0;
    for (const WorkerInfo& w : s.workers) {
      check(w.live || w.inflight == 0, "an evicted server still holds requests");
      held += w.inflight;
    }
    check(held + s.pending == open_.size(), "a request is in no place, or in two");
    check(s.requests == s.replies + s.failed + open_.size(), "the counters do not add up");
  }

  DispatchState state_;
  TimePoint now_ = TimePoint{} + std::chrono::hours(1);
  std::map<std::string, std::string> open_;  // accepted, not yet answered: id -> body
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(bib::fuzz::text_of(data, size));
  Harness harness(in.byte());
  for (int steps = 0; !in.empty() && steps < 256; ++steps) {
    const unsigned count = in.byte();
    if (count == 0xFF) {
      harness.client_request();
    } else if (count == 0xFE) {
      harness.tick(in.byte());
    } else if (count == 0xFD) {
      const std::string_view identity = in.frame();
      harness.unsent(identity, in.frame());
    } else {
      std::vector<std::string_view> frames;
      for (unsigned i = 0; i < count % 16; ++i) frames.push_back(in.frame());
      harness.worker_message(frames);
    }
  }
  harness.finish();
  return 0;
}
