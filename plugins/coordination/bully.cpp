#include "bully.hpp"

#include <algorithm>

namespace bib::coordination {

const char* to_string(Phase phase) noexcept {
  switch (phase) {
    case Phase::following: return "following";
    case Phase::electing: return "electing";
    case Phase::waiting: return "waiting";
    case Phase::coordinator: return "coordinator";
  }
  return "?";
}

std::vector<Peer> higher_ranked(const std::vector<Peer>& peers, int my_rank) {
  std::vector<Peer> higher;
  std::copy_if(peers.begin(), peers.end(), std::back_inserter(higher), [&](const Peer& p) { return p.rank > my_rank; });
  std::sort(higher.begin(), higher.end(), [](const Peer& a, const Peer& b) { return a.rank < b.rank; });
  return higher;
}

Bully::Start Bully::start(int my_rank, const std::vector<Peer>& peers) {
  Start result;
  if (campaigning()) return result;
  result.started = true;
  ++elections_started_;
  result.ask = higher_ranked(peers, my_rank);
  if (result.ask.empty()) {
    win();
    result.won = true;
  } else {
    phase_ = Phase::electing;
  }
  return result;
}

bool Bully::on_ok() {
  if (phase_ != Phase::electing) return false;
  phase_ = Phase::waiting;
  return true;
}

bool Bully::on_election_timeout() {
  if (phase_ != Phase::electing) return false;
  win();
  return true;
}

bool Bully::on_wait_timeout() {
  if (phase_ != Phase::waiting) return false;
  phase_ = Phase::following;
  coordinator_.reset();
  return true;
}

Bully::Heard Bully::on_announcement(const std::string& name, std::optional<int> rank, int my_rank) {
  if (name == self_) return Heard::own;
  const bool lower = rank && *rank < my_rank;
  if (lower) {
    if (phase_ == Phase::coordinator) return Heard::reassert;
    if (campaigning()) return Heard::ignored;
    coordinator_ = name;  // followed until our own election ends
    return Heard::challenge;
  }
  if (phase_ == Phase::following && coordinator_ == name) return Heard::same;
  phase_ = Phase::following;
  coordinator_ = name;
  return Heard::new_coordinator;
}

bool Bully::lose_coordinator(const std::string& name) {
  if (coordinator_ != name) return false;
  coordinator_.reset();
  return phase_ == Phase::following;
}

void Bully::win() {
  ++elections_won_;
  phase_ = Phase::coordinator;
  coordinator_ = self_;
}

}  // namespace bib::coordination
