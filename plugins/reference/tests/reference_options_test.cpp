// The reference plugin's options: defaults, checks, one clear sentence per mistake.
#include <gtest/gtest.h>

#include "reference_options.hpp"
#include "support/refusal.hpp"

namespace bib::reference {
namespace {

std::string refusal(const Value& config) { return test::refusal(parse_reference_options, config); }

TEST(ReferenceOptions, DefaultsFollowTheDesign) {
  const auto options = parse_reference_options(Map{});
  EXPECT_EQ(options.endpoint, "tcp://*:5560");
  EXPECT_EQ(options.heartbeat_timeout, std::chrono::milliseconds(3000));
  EXPECT_EQ(options.state_file, "");
}

TEST(ReferenceOptions, EveryOptionIsRead) {
  const auto options = parse_reference_options(
      Map{{"endpoint", "tcp://127.0.1.1:5560"}, {"heartbeat_timeout_ms", 600}, {"state_file", "ranks.txt"}});
  EXPECT_EQ(options.endpoint, "tcp://127.0.1.1:5560");
  EXPECT_EQ(options.heartbeat_timeout, std::chrono::milliseconds(600));
  EXPECT_EQ(options.state_file, "ranks.txt");
}

TEST(ReferenceOptions, MistakesAreRefused) {
  EXPECT_EQ(refusal(Map{{"heartbeat_timeout", 5}}),
            "unknown option 'heartbeat_timeout' (options: endpoint, heartbeat_timeout_ms, state_file)");
  EXPECT_EQ(refusal(Map{{"heartbeat_timeout_ms", 0}}),
            "option 'heartbeat_timeout_ms' must be a positive number of milliseconds, got 0");
  EXPECT_EQ(refusal(Map{{"endpoint", 5560}}), "option 'endpoint' must be a string, got integer");
}

}  // namespace
}  // namespace bib::reference
