// The proxy's socket-free part: subscription frames, counts, wire lines.
#include <gtest/gtest.h>

#include "bib/codec.hpp"
#include "traffic.hpp"

namespace bib::proxy {
namespace {

using namespace std::string_literals;

TEST(ProxyTraffic, SubscriptionFramesAreAFlagByteAndATopic) {
  auto subscribe = parse_subscription("\x01geral"s);
  ASSERT_TRUE(subscribe);
  EXPECT_TRUE(subscribe->subscribe);
  EXPECT_EQ(subscribe->topic, "geral");

  auto unsubscribe = parse_subscription("\x00" "ana"s);
  ASSERT_TRUE(unsubscribe);
  EXPECT_FALSE(unsubscribe->subscribe);
  EXPECT_EQ(unsubscribe->topic, "ana");

  auto everything = parse_subscription("\x01"s);
  ASSERT_TRUE(everything);
  EXPECT_EQ(everything->topic, "");

  EXPECT_FALSE(parse_subscription(""));
  EXPECT_FALSE(parse_subscription("hello"));
}

TEST(ProxyTraffic, CountsReadAsOneLine) {
  TrafficCounts counts{3, 1, 120, 20480};
  EXPECT_EQ(counts.to_string(), "3 subscriptions, 1 unsubscriptions, 120 messages, 20480 bytes");
}

TEST(ProxyTraffic, AnEnvelopeIsShownDecoded) {
  const std::string payload = encode_envelope(
      Envelope{"publish", Map{{"user", "ana"}, {"channel", "geral"}, {"message", "oi"}, {"clock", 7}}});
  const std::string line = describe_message({"geral", payload});
  EXPECT_EQ(line.rfind("'geral' publish {", 0), 0u) << line;
  EXPECT_NE(line.find("\"oi\""), std::string::npos) << line;
}

TEST(ProxyTraffic, OtherPayloadsAreShownBySize) {
  EXPECT_EQ(describe_message({"t", "not msgpack"}), "'t' (2 frames, 11 payload bytes, not a [topic][envelope] message)");
  EXPECT_EQ(describe_message({"t", "ab", "cd"}), "'t' (3 frames, 4 payload bytes, not a [topic][envelope] message)");
  EXPECT_EQ(describe_message({"only-topic"}), "'only-topic' (1 frames, 0 payload bytes, not a [topic][envelope] message)");
  EXPECT_EQ(describe_message({}), "(empty message)");
}

TEST(ProxyTraffic, TopicsAreShownPrintable) {
  EXPECT_EQ(printable_topic("geral"), "geral");
  EXPECT_EQ(printable_topic("a\nb\\"s), "a\\x0ab\\x5c");
  // append, not `std::string(64, 'x') + "..."`: with the tests' precompiled header GCC 12 inlines
  // that operator+ differently and warns falsely (-Warray-bounds on the moved string's memcpy).
  EXPECT_EQ(printable_topic(std::string(70, 'x')), std::string(64, 'x').append("..."));
}

}  // namespace
}  // namespace bib::proxy
