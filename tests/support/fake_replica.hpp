// A Replica over a map of events, for plugins' in-process tests: the replication core (which
// reads and ingests through it) and the services (which read their history back through
// ctx.replica()->event(); FakeContext lends one, and a test adds each event it applies).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bib/replica.hpp"

namespace bib::test {

// Holds events by (origin, seq). ingest() applies at once and reports durability when the
// test calls make_durable() (the host does it after the iteration's flush), or at once when
// durable_at_once is set. Events of a service in `refused` cannot be applied.
class FakeReplica final : public Replica {
 public:
  explicit FakeReplica(std::string name = "test-node") : name_(std::move(name)) {}

  // The first event of an (origin, seq) stays, as in a real store.
  void add(const Event& event) { events_[event.origin].emplace(event.seq, event); }

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
  std::optional<Event> event(std::string_view origin, std::uint64_t seq) const override {
    auto it = events_.find(origin);
    if (it == events_.end()) return std::nullopt;
    auto found = it->second.find(seq);
    if (found == it->second.end()) return std::nullopt;
    return found->second;
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

}  // namespace bib::test
