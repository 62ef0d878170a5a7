// The replication options: defaults, required listen, refusals naming the option.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "replication_options.hpp"
#include "support/refusal.hpp"

namespace bib::replication {
namespace {

std::string refusal(const Value& config) { return test::refusal(parse_replication_options, config); }

TEST(ReplicationOptions, DefaultsNeedOnlyListen) {
  const auto options = parse_replication_options(Map{{"listen", "tcp://127.0.0.1:5562"}});
  EXPECT_EQ(options.listen, "tcp://127.0.0.1:5562");
  EXPECT_EQ(options.peer_port, 5562);
  EXPECT_EQ(options.batch, 256u);
  EXPECT_EQ(options.retry.count(), 200);
  EXPECT_EQ(options.max_retry.count(), 5000);
  EXPECT_EQ(options.outbox_limit, 100000u);
  EXPECT_EQ(options.anti_entropy.count(), 2000);
  EXPECT_EQ(options.quorum_timeout.count(), 3000);
  EXPECT_EQ(options.cluster_size, 0u);
}

TEST(ReplicationOptions, EveryOptionIsRead) {
  const auto options = parse_replication_options(Map{{"listen", "tcp://a:1"},  {"peer_port", 6000},
                                                     {"batch", 10},            {"retry_ms", 50},
                                                     {"max_retry_ms", 400},    {"outbox_limit", 7},
                                                     {"anti_entropy_ms", 900}, {"quorum_timeout_ms", 1500},
                                                     {"cluster_size", 3}});
  EXPECT_EQ(options.peer_port, 6000);
  EXPECT_EQ(options.batch, 10u);
  EXPECT_EQ(options.retry.count(), 50);
  EXPECT_EQ(options.max_retry.count(), 400);
  EXPECT_EQ(options.outbox_limit, 7u);
  EXPECT_EQ(options.anti_entropy.count(), 900);
  EXPECT_EQ(options.quorum_timeout.count(), 1500);
  EXPECT_EQ(options.cluster_size, 3u);
}

TEST(ReplicationOptions, ClusterSizeMayComeFromTheEnvironmentAsAString) {
  EXPECT_EQ(parse_replication_options(Map{{"listen", "tcp://a:1"}, {"cluster_size", "5"}}).cluster_size, 5u);
  EXPECT_EQ(parse_replication_options(Map{{"listen", "tcp://a:1"}, {"cluster_size", "0"}}).cluster_size, 0u);
  EXPECT_NE(refusal(Map{{"listen", "tcp://a:1"}, {"cluster_size", "three"}}).find("option 'cluster_size'"),
            std::string::npos);
  EXPECT_NE(refusal(Map{{"listen", "tcp://a:1"}, {"cluster_size", -1}}).find("option 'cluster_size'"), std::string::npos);
}

TEST(ReplicationOptions, RefusalsNameTheOption) {
  EXPECT_NE(refusal(Map{}).find("option 'listen' is missing"), std::string::npos);
  EXPECT_NE(refusal(Map{{"listen", "tcp://a:1"}, {"bogus", 1}}).find("unknown option 'bogus'"), std::string::npos);
  EXPECT_NE(refusal(Map{{"listen", "tcp://a:1"}, {"batch", 0}}).find("option 'batch' must be between 1"),
            std::string::npos);
  EXPECT_NE(refusal(Map{{"listen", "tcp://a:1"}, {"retry_ms", "fast"}}).find("option 'retry_ms' must be a whole number, got 'fast'"),
            std::string::npos);
  EXPECT_NE(refusal(Map{{"listen", "tcp://a:1"}, {"retry_ms", 500}, {"max_retry_ms", 100}}).find("'max_retry_ms'"),
            std::string::npos);
  EXPECT_NE(refusal(Map{{"listen", 5562}}).find("option 'listen' must be a string"), std::string::npos);
}

}  // namespace
}  // namespace bib::replication
