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
#include "support/fake_replica.hpp"
#include "transport.hpp"

namespace bib::replication::fakes {

using bib::test::FakeReplica;

inline Event make_event(const std::string& origin, std::uint64_t seq, std::string service = "login") {
  return Event{origin, seq, seq, 1000.0 + static_cast<double>(seq), std::move(service),
               Map{{"user", origin + "-user-" + std::to_string(seq)}}, ""};
}

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
