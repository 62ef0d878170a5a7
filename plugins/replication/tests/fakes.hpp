// Stand-ins for what the host and the network give the replication core, so that its tests run
// in-process on the FakeContext's manual loop: a Replica over a map of events, a Transport
// that records what is sent, a discovery whose peer list the test sets.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "bib/discovery.hpp"
#include "bib/replica.hpp"
#include "support/fake_plugins.hpp"
#include "transport.hpp"

namespace bib::replication::fakes {

inline Event make_event(const std::string& origin, std::uint64_t seq, std::string service = "login") {
  return Event{origin, seq, seq, 1000.0 + static_cast<double>(seq), std::move(service),
               Map{{"user", origin + "-user-" + std::to_string(seq)}}, ""};
}

// Holds events by (origin, seq). ingest() applies at once and reports durability when the
// test calls make_durable() (the host does it after the iteration's flush), or at once when
// durable_at_once is set. Events of a service in `refused` cannot be applied.
class FakeReplica final : public Replica {
 public:
  explicit FakeReplica(std::string name) : name_(std::move(name)) {}

  void add(const Event& event) { events_[event.origin][event.seq] = event; }

  const std::string& node_name() const override { return name_; }
  VersionVector version_vector() const override {
    VersionVector vv;
    for (const auto& [origin, by_seq] : events_) {
      std::uint64_t n = 0;
      while (by_seq.count(n + 1)) ++n;
      vv[origin] = n;
    }
    return vv;
  }
  std::uint64_t highest(std::string_view origin) const override {
    auto it = events_.find(origin);
    return it == events_.end() || it->second.empty() ? 0 : it->second.rbegin()->first;
  }
  std::vector<Event> events_after(std::string_view origin, std::uint64_t after, std::size_t limit) const override {
    std::vector<Event> out;
    auto it = events_.find(origin);
    if (it == events_.end()) return out;
    for (auto e = it->second.upper_bound(after); e != it->second.end() && out.size() < limit; ++e) out.push_back(e->second);
    return out;
  }
  void ingest(const Event& event, Done done) override {
    ++ingest_calls;
    if (refused.count(event.service)) {
      done(false, "no plugin answers service '" + event.service + "'");
      return;
    }
    add(event);
    if (durable_at_once) {
      done(true, "");
    } else {
      waiting_.push_back(std::move(done));
    }
  }
  void on_applied(std::function<void(const Event&)>) override {}
  std::uint64_t event_count() const override {
    std::uint64_t n = 0;
    for (const auto& [origin, by_seq] : events_) n += by_seq.size();
    return n;
  }
  std::string digest() const override { return std::to_string(event_count()); }

  // The host's flush: every ingested event so far is durable now.
  void make_durable() {
    auto waiting = std::move(waiting_);
    waiting_.clear();
    for (auto& done : waiting) done(true, "");
  }
  std::size_t not_durable() const { return waiting_.size(); }
  bool holds(const std::string& origin, std::uint64_t seq) const {
    auto it = events_.find(origin);
    return it != events_.end() && it->second.count(seq) != 0;
  }

  bool durable_at_once = true;
  std::set<std::string> refused;
  int ingest_calls = 0;

 private:
  std::string name_;
  std::map<std::string, std::map<std::uint64_t, Event>, std::less<>> events_;
  std::vector<Done> waiting_;
};

// Records every send and reply; the test delivers what peers would send back.
class FakeTransport final : public Transport {
 public:
  struct Sent {
    std::string peer;
    Envelope message;
  };
  struct Replied {
    std::string route;
    std::string peer;
    Envelope message;
  };

  void open(Handler handler) override {
    handler_ = std::move(handler);
    opened = true;
  }
  void close() override {
    opened = false;
    connected.clear();
  }
  void connect(const std::string& peer, const std::string& endpoint) override { connected[peer] = endpoint; }
  void disconnect(const std::string& peer) override { connected.erase(peer); }
  void reconnect(const std::string& peer) override { ++reconnects[peer]; }
  bool send(const std::string& peer, Envelope message) override {
    sent.push_back(Sent{peer, std::move(message)});
    return true;
  }
  void reply(const std::string& route, const std::string& peer, Envelope message) override {
    replies.push_back(Replied{route, peer, std::move(message)});
  }

  // A peer's request arriving on our port, or a peer's answer on our connection to it.
  void request(const std::string& route, Envelope message) { handler_(Inbound{std::move(message), route, ""}); }
  void answer(const std::string& peer, Envelope message) { handler_(Inbound{std::move(message), "", peer}); }

  // What went to `peer` with `service`, oldest first.
  std::vector<Envelope> sent_to(const std::string& peer, std::string_view service) const {
    std::vector<Envelope> out;
    for (const Sent& s : sent)
      if (s.peer == peer && s.message.service == service) out.push_back(s.message);
    return out;
  }

  bool opened = false;
  std::map<std::string, std::string> connected;
  std::map<std::string, int> reconnects;
  std::vector<Sent> sent;
  std::vector<Replied> replies;

 private:
  Handler handler_;
};

// The shared one, tests/support/fake_plugins.hpp.
using FakeDiscovery = bib::test::FakeDiscovery;

}  // namespace bib::replication::fakes
