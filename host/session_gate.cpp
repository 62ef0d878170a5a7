#include "session_gate.hpp"

#include <vector>

namespace bib::host {

SessionGate::SessionGate(bib::Replica& replica, bib::EventLoop& loop, std::chrono::milliseconds max_wait,
                         spdlog::logger& log, Want want)
    : replica_(replica),
      loop_(loop),
      max_wait_(max_wait),
      log_(log),
      late_(log, loop, bib::RefusalLog::kDefaultInterval, spdlog::level::warn, "served"),
      want_(std::move(want)) {
  // Applied events arrive in the middle of a commit: recheck once, later in the loop, so that
  // a released request never re-enters the commit pipeline from inside it.
  replica_.on_applied(lifeline_.guard([this](const bib::Event&) {
    if (parked_.empty() || recheck_posted_) return;
    recheck_posted_ = true;
    loop_.post(lifeline_.guard([this] {
      recheck_posted_ = false;
      recheck();
    }));
  }));
}

void SessionGate::wait_for(const bib::VersionVector& after, std::function<void(bool)> go) {
  const bib::VersionVector missing = bib::missing_from(replica_.version_vector(), after);
  if (missing.empty()) {
    go(true);
    return;
  }
  const std::uint64_t id = next_id_++;
  Parked& parked = parked_[id];
  parked.after = after;
  parked.go = std::move(go);
  parked.timer = loop_.start_timer(max_wait_, [this, id] { release(id, false); });
  log_.debug("request waits for {} origin(s) behind its session", missing.size());
  if (want_) want_(missing);
}

void SessionGate::recheck() {
  if (parked_.empty()) return;
  const bib::VersionVector have = replica_.version_vector();
  std::vector<std::uint64_t> ready;
  for (const auto& [id, parked] : parked_)
    if (bib::covers(have, parked.after)) ready.push_back(id);
  for (std::uint64_t id : ready) release(id, true);
}

void SessionGate::release(std::uint64_t id, bool caught_up) {
  auto it = parked_.find(id);
  if (it == parked_.end()) return;
  Parked parked = std::move(it->second);
  parked_.erase(it);
  if (!caught_up) {
    late_.refuse("a request after " + std::to_string(max_wait_.count()) +
                     " ms without its session's events",
                 "still missing " +
                     bib::to_value(bib::missing_from(replica_.version_vector(), parked.after)).to_string(200));
  }
  parked.go(caught_up);
}

}  // namespace bib::host
