// The coordination plugin's options (coordination_options.hpp).
#include <gtest/gtest.h>

#include "coordination_options.hpp"
#include "support/refusal.hpp"

namespace bib::coordination {
namespace {

std::string refusal(const Value& config) { return test::refusal(parse_coordination_options, config); }

TEST(CoordinationOptions, Defaults) {
  const auto options = parse_coordination_options(Map{});
  EXPECT_EQ(options.subscribe, "tcp://127.0.0.1:5558");
  EXPECT_EQ(options.peer_port, 5561);
  EXPECT_EQ(options.drift_s, 0.0);
  EXPECT_EQ(options.election_timeout.count(), 1000);
  EXPECT_EQ(options.announce.count(), 3000);
  EXPECT_EQ(options.sync_interval.count(), 5000);
  EXPECT_EQ(options.outlier_s, 2.0);
  EXPECT_EQ(options.request_timeout.count(), 1000);
  EXPECT_EQ(options.ask_every, 10);
  EXPECT_EQ(options.ask_check.count(), 100);
  EXPECT_EQ(options.announcement_wait().count(), 3000);
  EXPECT_EQ(options.coordinator_silence().count(), 6000);
}

TEST(CoordinationOptions, ReadsEveryOption) {
  const auto options = parse_coordination_options(
      Map{{"subscribe", "tcp://10.0.0.1:5558"}, {"peer_port", 6000}, {"drift_s", -1.0}, {"election_timeout_ms", 200},
          {"announce_ms", 300}, {"sync_interval_ms", 400}, {"outlier_s", 0.5}, {"request_timeout_ms", 250},
          {"ask_every", 3}, {"ask_check_ms", 50}});
  EXPECT_EQ(options.subscribe, "tcp://10.0.0.1:5558");
  EXPECT_EQ(options.peer_port, 6000);
  EXPECT_EQ(options.drift_s, -1.0);
  EXPECT_EQ(options.election_timeout.count(), 200);
  EXPECT_EQ(options.announce.count(), 300);
  EXPECT_EQ(options.sync_interval.count(), 400);
  EXPECT_EQ(options.outlier_s, 0.5);
  EXPECT_EQ(options.request_timeout.count(), 250);
  EXPECT_EQ(options.ask_every, 3);
  EXPECT_EQ(options.ask_check.count(), 50);
}

TEST(CoordinationOptions, DriftAtMostOneSecondEitherWay) {
  EXPECT_EQ(parse_coordination_options(Map{{"drift_s", 1.0}}).drift_s, 1.0);
  EXPECT_EQ(parse_coordination_options(Map{{"drift_s", -1}}).drift_s, -1.0);  // an integer is fine
  EXPECT_EQ(refusal(Map{{"drift_s", 1.5}}), "option 'drift_s' must be between -1 and 1 seconds, got 1.5");
  EXPECT_EQ(refusal(Map{{"drift_s", -2.0}}), "option 'drift_s' must be between -1 and 1 seconds, got -2");
  // A string holding a number, for drift_s = "${BIB_DRIFT:-0}" in a config.
  EXPECT_EQ(parse_coordination_options(Map{{"drift_s", "-0.5"}}).drift_s, -0.5);
  EXPECT_EQ(refusal(Map{{"drift_s", "1.5"}}), "option 'drift_s' must be between -1 and 1 seconds, got 1.5");
  EXPECT_EQ(refusal(Map{{"drift_s", "fast"}}), "option 'drift_s' must be a number, got 'fast'");
}

TEST(CoordinationOptions, RefusesBadValues) {
  EXPECT_EQ(refusal(Map{{"drift_s", true}}), "option 'drift_s' must be a number, got bool");
  EXPECT_EQ(refusal(Map{{"announce_ms", 0}}), "option 'announce_ms' must be a positive number of milliseconds, got 0");
  EXPECT_EQ(refusal(Map{{"peer_port", 70000}}), "option 'peer_port' must be between 1 and 65535, got 70000");
  EXPECT_EQ(refusal(Map{{"outlier_s", 0.0}}), "option 'outlier_s' must be a positive number of seconds, got 0");
  EXPECT_EQ(refusal(Map{{"ask_every", 0}}), "option 'ask_every' must be between 1 and 1000000, got 0");
  EXPECT_EQ(refusal(Map{{"subscribe", ""}}), "option 'subscribe' must name the proxy's XPUB endpoint");
  EXPECT_NE(refusal(Map{{"drfit_s", 1.0}}).find("unknown option 'drfit_s'"), std::string::npos);
}

}  // namespace
}  // namespace bib::coordination
