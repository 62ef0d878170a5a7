// The proxy plugin's options: defaults, checks, one clear sentence per mistake.
#include <gtest/gtest.h>

#include "proxy_options.hpp"
#include "support/refusal.hpp"

namespace bib::proxy {
namespace {

std::string refusal(const Value& config) { return test::refusal(parse_proxy_options, config); }

TEST(ProxyOptions, DefaultsFollowTheDesign) {
  const auto options = parse_proxy_options(Map{});
  EXPECT_EQ(options.frontend, "tcp://*:5557");
  EXPECT_EQ(options.backend, "tcp://*:5558");
  EXPECT_EQ(options.stats_interval, std::chrono::milliseconds(10000));
}

TEST(ProxyOptions, ZeroTurnsThePeriodicCountsOff) {
  EXPECT_EQ(parse_proxy_options(Map{{"stats_interval_ms", 0}}).stats_interval, std::chrono::milliseconds(0));
}

TEST(ProxyOptions, MistakesAreRefused) {
  EXPECT_EQ(refusal(Map{{"front", "x"}}), "unknown option 'front' (options: frontend, backend, stats_interval_ms)");
  EXPECT_EQ(refusal(Map{{"stats_interval_ms", -1}}), "option 'stats_interval_ms' must be 0 (off) or positive");
  EXPECT_EQ(refusal(Map{{"backend", true}}), "option 'backend' must be a string, got bool");
  EXPECT_EQ(refusal(Map{{"frontend", "tcp://*:1"}, {"backend", "tcp://*:1"}}),
            "options 'frontend' and 'backend' are the same endpoint: tcp://*:1");
}

}  // namespace
}  // namespace bib::proxy
