#include "membership.hpp"

#include <algorithm>
#include <climits>

#include "bib/reply.hpp"

namespace bib::discovery {

namespace {

std::string description(const Value& data) {
  std::string text = error_text(data);
  return text.empty() ? data.to_string(200) : text;
}

// One `list` entry as a Peer; empty when it is malformed.
std::optional<Peer> peer_from(const Value& entry) {
  const Value* name = entry.find("name");
  const Value* rank = entry.find("rank");
  const Value* address = entry.find("address");
  if (name == nullptr || !name->is_string() || rank == nullptr || !rank->is_int()) return std::nullopt;
  if (rank->as_int() < 1 || rank->as_int() > INT_MAX) return std::nullopt;
  Peer peer{name->as_string(), static_cast<int>(rank->as_int()), ""};
  if (address != nullptr && address->is_string()) peer.address = address->as_string();
  return peer;
}

}  // namespace

bool same_peers(const std::vector<Peer>& a, const std::vector<Peer>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const Peer& x, const Peer& y) {
    return x.name == y.name && x.rank == y.rank && x.address == y.address;
  });
}

std::string describe(const std::vector<Peer>& peers) {
  if (peers.empty()) return "none";
  std::string text;
  for (const Peer& peer : peers) {
    if (!text.empty()) text += ", ";
    text += peer.name + " (rank " + std::to_string(peer.rank) + ", " +
            (peer.address.empty() ? std::string("no address") : peer.address) + ")";
  }
  return text;
}

Membership::Membership(std::string self, std::string address)
    : self_(std::move(self)), address_(std::move(address)) {}

Envelope Membership::rank_request() const {
  Value data = Map{{"user", self_}};
  if (!address_.empty()) data["address"] = address_;
  if (rank_) data["rank"] = *rank_;  // keep the same rank across a reference restart
  return Envelope{"rank", std::move(data)};
}

Envelope Membership::heartbeat_request() const { return Envelope{"heartbeat", Map{{"user", self_}}}; }

Envelope Membership::list_request() { return Envelope{"list", Map{}}; }

std::vector<Envelope> Membership::due_requests() const {
  if (!registered_) return {rank_request()};
  return {heartbeat_request(), list_request()};
}

std::string Membership::describe_peers() const { return describe(peers_); }

Membership::Outcome Membership::on_reply(const Envelope& reply) {
  if (reply.service == "rank") return on_rank(reply.data);
  if (reply.service == "heartbeat") return on_heartbeat(reply.data);
  if (reply.service == "list") return on_list(reply.data);
  Outcome outcome;
  outcome.problem = "unexpected reply '" + reply.service + "': " + description(reply.data);
  return outcome;
}

Membership::Outcome Membership::on_rank(const Value& data) {
  Outcome outcome;
  const Value* rank = data.find("rank");
  if (is_error_reply(data) || rank == nullptr || !rank->is_int() || rank->as_int() < 1 || rank->as_int() > INT_MAX) {
    outcome.problem = "rank refused: " + description(data);
    return outcome;
  }
  const int value = static_cast<int>(rank->as_int());
  outcome.registered_now = !registered_;
  registered_ = true;
  if (rank_ != value) {
    rank_ = value;
    outcome.changed = true;
  }
  return outcome;
}

Membership::Outcome Membership::on_heartbeat(const Value& data) {
  Outcome outcome;
  if (is_error_reply(data)) {
    // "unknown server 'x': register with rank" (the reference restarted), or anything else
    // wrong: registering again is the one way forward in both cases.
    registered_ = false;
    outcome.register_again = true;
    outcome.problem = "heartbeat refused: " + description(data);
  }
  return outcome;
}

Membership::Outcome Membership::on_list(const Value& data) {
  Outcome outcome;
  const Value* list = data.find("list");
  if (list == nullptr || !list->is_array()) {
    outcome.problem = "list without a list: " + description(data);
    return outcome;
  }
  std::vector<Peer> peers;
  for (const Value& entry : list->as_array()) {
    auto peer = peer_from(entry);
    if (!peer) {
      outcome.problem = "list entry skipped: " + entry.to_string(200);
      continue;
    }
    if (peer->name != self_) peers.push_back(std::move(*peer));
  }
  std::sort(peers.begin(), peers.end(), [](const Peer& a, const Peer& b) { return a.rank < b.rank; });
  if (!same_peers(peers, peers_)) {
    peers_ = std::move(peers);
    outcome.changed = true;
  }
  return outcome;
}

}  // namespace bib::discovery
