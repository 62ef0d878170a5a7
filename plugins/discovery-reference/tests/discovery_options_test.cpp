// discovery-reference's options: defaults, checks, one clear sentence per mistake.
#include <gtest/gtest.h>

#include "discovery_options.hpp"
#include "support/refusal.hpp"

namespace bib::discovery {
namespace {

std::string refusal(const Value& config) { return test::refusal(parse_reference_discovery_options, config); }

TEST(ReferenceDiscoveryOptions, DefaultsFollowTheDesign) {
  const auto options = parse_reference_discovery_options(Map{});
  EXPECT_EQ(options.reference, "tcp://127.0.0.1:5560");
  EXPECT_EQ(options.address, "127.0.0.1");
  EXPECT_EQ(options.heartbeat, std::chrono::milliseconds(1000));
  EXPECT_EQ(options.request_timeout, std::chrono::milliseconds(1000));
}

TEST(ReferenceDiscoveryOptions, MistakesAreRefused) {
  EXPECT_EQ(refusal(Map{{"heartbeat", 5}}),
            "unknown option 'heartbeat' (options: reference, address, heartbeat_ms, request_timeout_ms)");
  EXPECT_EQ(refusal(Map{{"heartbeat_ms", 0}}), "option 'heartbeat_ms' must be a positive number of milliseconds, got 0");
  EXPECT_EQ(refusal(Map{{"request_timeout_ms", "1s"}}), "option 'request_timeout_ms' must be an integer, got string");
}

}  // namespace
}  // namespace bib::discovery
