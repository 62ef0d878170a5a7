// What the discovery-reference plugin knows and asks, free of sockets and timers: this
// server's rank and its peers as the reference server reports them (docs/protocol.md, docs/architecture.md).
//
// The conversation, one request at a time per service:
//   -> rank      {user: "server-2", address: "127.0.2.2"}      <- rank {rank: 2}
//   -> heartbeat {user: "server-2"}                            <- heartbeat {status: "OK"}
//   -> list      {}   <- list {list: [{name: "server-1", rank: 1, address: "127.0.2.1"},
//                                     {name: "server-2", rank: 2, address: "127.0.2.2"}]}
// A heartbeat answered `erro` ("unknown server 'server-2': register with rank", after the
// reference restarted without a state file) sends `rank` again, carrying the rank held
// before ({..., rank: 2}) so that the reference can give the same one back.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bib/codec.hpp"
#include "bib/discovery.hpp"

namespace bib::discovery {

class Membership {
 public:
  Membership(std::string self, std::string address);

  bool registered() const { return registered_; }
  std::optional<int> rank() const { return rank_; }
  const std::vector<Peer>& peers() const { return peers_; }
  const std::string& self() const { return self_; }

  // Request envelopes; their data has no timestamp/clock yet (the caller stamps them).
  Envelope rank_request() const;
  Envelope heartbeat_request() const;
  static Envelope list_request();
  // What to ask on each heartbeat tick: `rank` until registered, then `heartbeat` and `list`.
  std::vector<Envelope> due_requests() const;

  struct Outcome {
    bool changed = false;         // rank() or peers() changed: tell the on_change callbacks
    bool register_again = false;  // the reference does not know us (any more): send `rank` now
    bool registered_now = false;  // a rank just arrived: ask `list` now rather than next tick
    std::string problem;          // an `erro` or malformed reply, for a warning ("" = none)
  };
  Outcome on_reply(const Envelope& reply);

  // Forget the registration (not the rank): the next tick sends `rank` again.
  void forget_registration() { registered_ = false; }

  // "server-1 (rank 1, 127.0.2.1), server-3 (rank 3, 127.0.2.3)" or "none".
  std::string describe_peers() const;

 private:
  Outcome on_rank(const Value& data);
  Outcome on_heartbeat(const Value& data);
  Outcome on_list(const Value& data);

  std::string self_;
  std::string address_;
  bool registered_ = false;
  std::optional<int> rank_;
  std::vector<Peer> peers_;
};

std::string describe(const std::vector<Peer>& peers);
bool same_peers(const std::vector<Peer>& a, const std::vector<Peer>& b);

}  // namespace bib::discovery
