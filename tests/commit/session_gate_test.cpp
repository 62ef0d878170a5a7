// SessionGate (host/session_gate.hpp): a request naming events this node lacks waits for
// them, at most the bound, and the replication plugin is asked for them.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "bib/logger.hpp"

#include "event_loop.hpp"
#include "session_gate.hpp"

using namespace std::chrono_literals;

namespace bib::test {
namespace {

// Only what the gate uses: the version vector and the applied-event listeners.
class VectorReplica final : public bib::Replica {
 public:
  const std::string& node_name() const override { return name_; }
  bib::VersionVector version_vector() const override { return vv; }
  std::uint64_t highest(std::string_view origin) const override {
    auto it = vv.find(origin);
    return it == vv.end() ? 0 : it->second;
  }
  std::vector<bib::Event> events_after(std::string_view, std::uint64_t, std::size_t) const override { return {}; }
  std::optional<bib::Event> event(std::string_view, std::uint64_t) const override { return std::nullopt; }
  void ingest(const bib::Event&, Done) override {}
  void on_applied(std::function<void(const bib::Event&)> fn) override { listeners.push_back(std::move(fn)); }
  std::uint64_t event_count() const override { return 0; }
  std::string digest() const override { return ""; }

  void apply(const std::string& origin, std::uint64_t seq) {
    vv[origin] = seq;
    bib::Event e;
    e.origin = origin;
    e.seq = seq;
    for (auto& fn : listeners) fn(e);
  }

  bib::VersionVector vv;
  std::vector<std::function<void(const bib::Event&)>> listeners;

 private:
  std::string name_ = "n1";
};

class SessionGateTest : public ::testing::Test {
 protected:
  SessionGateTest()
      : log_("gate-test", spdlog::sinks_init_list{}), loop_(log_),
        gate_(replica_, loop_, 200ms, log_, [this](const bib::VersionVector& m) { wanted_.push_back(m); }) {}

  void iterate(std::chrono::milliseconds wait = 0ms) { loop_.run_once(wait); }

  spdlog::logger log_;
  host::EventLoop loop_;
  VectorReplica replica_;
  std::vector<bib::VersionVector> wanted_;
  host::SessionGate gate_;
};

TEST_F(SessionGateTest, ACoveredRequestGoesAtOnce) {
  replica_.vv = {{"n2", 5}};
  std::vector<bool> went;
  gate_.wait_for({{"n2", 5}}, [&](bool caught_up) { went.push_back(caught_up); });
  gate_.wait_for({}, [&](bool caught_up) { went.push_back(caught_up); });
  EXPECT_EQ(went, (std::vector<bool>{true, true}));
  EXPECT_TRUE(wanted_.empty());
}

TEST_F(SessionGateTest, ARequestAheadOfThisNodeWaitsForTheEventsAndAsksForThem) {
  replica_.vv = {{"n2", 3}};
  std::vector<bool> went;
  gate_.wait_for({{"n2", 5}, {"n3", 1}}, [&](bool caught_up) { went.push_back(caught_up); });
  EXPECT_TRUE(went.empty());
  EXPECT_EQ(gate_.waiting(), 1u);
  ASSERT_EQ(wanted_.size(), 1u);
  EXPECT_EQ(wanted_[0], (bib::VersionVector{{"n2", 5}, {"n3", 1}}));
  replica_.apply("n2", 5);
  iterate();
  EXPECT_TRUE(went.empty()) << "n3#1 is still missing";
  replica_.apply("n3", 1);
  iterate();
  EXPECT_EQ(went, (std::vector<bool>{true}));
  EXPECT_EQ(gate_.waiting(), 0u);
}

TEST_F(SessionGateTest, AfterTheBoundTheRequestIsServedAnyway) {
  std::vector<bool> went;
  gate_.wait_for({{"gone", 1}}, [&](bool caught_up) { went.push_back(caught_up); });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (went.empty() && std::chrono::steady_clock::now() < deadline) iterate(50ms);
  EXPECT_EQ(went, (std::vector<bool>{false}));
}

TEST(MissingFrom, NamesOnlyTheOriginsBehind) {
  EXPECT_EQ(bib::missing_from({{"a", 3}, {"b", 1}}, {{"a", 2}, {"b", 4}, {"c", 1}, {"d", 0}}),
            (bib::VersionVector{{"b", 4}, {"c", 1}}));
}

}  // namespace
}  // namespace bib::test
