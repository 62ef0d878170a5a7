#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "bib/codec.hpp"
#include "bib/service.hpp"

namespace {

using bib::Array;
using bib::Event;
using bib::FieldError;
using bib::Map;
using bib::Value;

Event sample() {
  Event e;
  e.origin = "server-1";
  e.seq = 42;
  e.clock = 1001;
  e.timestamp = 1732770000.123456;
  e.service = "publish";
  e.data = Map{{"user", "ana"}, {"channel", "geral"}, {"message", "oi"}};
  e.request_id = "req-7";
  return e;
}

void expect_same(const Event& a, const Event& b) {
  EXPECT_EQ(a.origin, b.origin);
  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.clock, b.clock);
  EXPECT_EQ(a.timestamp, b.timestamp);
  EXPECT_EQ(a.service, b.service);
  EXPECT_EQ(a.data, b.data);
  EXPECT_EQ(a.request_id, b.request_id);
}

std::string field_error(const Value& v) {
  try {
    bib::event_from_value(v);
  } catch (const FieldError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Event, ToValueHasEveryField) {
  const Value v = bib::to_value(sample());
  EXPECT_EQ(v.get_string("origin"), "server-1");
  EXPECT_EQ(v.get_int("seq"), 42);
  EXPECT_EQ(v.get_int("clock"), 1001);
  EXPECT_DOUBLE_EQ(v.get_double("timestamp"), 1732770000.123456);
  EXPECT_EQ(v.get_string("service"), "publish");
  EXPECT_EQ(v.get_map("data").at("user"), Value("ana"));
  EXPECT_EQ(v.get_string("request_id"), "req-7");
  EXPECT_EQ(v.as_map().size(), 7u);
}

TEST(Event, RoundTripsThroughValue) {
  expect_same(bib::event_from_value(bib::to_value(sample())), sample());
}

TEST(Event, RoundTripsThroughMessagePack) {
  auto decoded = bib::decode(bib::encode(bib::to_value(sample())));
  ASSERT_TRUE(decoded) << decoded.error().message;
  expect_same(bib::event_from_value(decoded.value()), sample());
}

TEST(Event, RequestIdIsOptional) {
  Value v = bib::to_value(sample());
  v.as_map().erase("request_id");
  EXPECT_EQ(bib::event_from_value(v).request_id, "");
}

TEST(Event, IntegerTimestampIsAccepted) {
  Value v = bib::to_value(sample());
  v["timestamp"] = 1732770000;
  EXPECT_DOUBLE_EQ(bib::event_from_value(v).timestamp, 1732770000.0);
}

TEST(Event, MissingOrMistypedFieldsThrowFieldError) {
  Value v = bib::to_value(sample());
  v.as_map().erase("origin");
  EXPECT_EQ(field_error(v), "field 'origin' is missing");

  v = bib::to_value(sample());
  v["clock"] = "1001";
  EXPECT_EQ(field_error(v), "field 'clock' must be an integer, got string");

  v = bib::to_value(sample());
  v["timestamp"] = "now";
  EXPECT_EQ(field_error(v), "field 'timestamp' must be a float, got string");

  v = bib::to_value(sample());
  v.as_map().erase("data");
  EXPECT_EQ(field_error(v), "field 'data' is missing");

  v = bib::to_value(sample());
  v["request_id"] = 5;
  EXPECT_EQ(field_error(v), "field 'request_id' must be a string, got integer");

  EXPECT_EQ(field_error(Array{}), "expected a map, got array");
}

TEST(Event, NegativeSeqOrClockIsRejected) {
  Value v = bib::to_value(sample());
  v["seq"] = -1;
  EXPECT_EQ(field_error(v), "field 'seq' must be a non-negative integer, got -1");
  v = bib::to_value(sample());
  v["clock"] = -7;
  EXPECT_EQ(field_error(v), "field 'clock' must be a non-negative integer, got -7");
}

TEST(Event, SeqAboveInt64MaxCannotBeEncoded) {
  Event e = sample();
  e.seq = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1;
  EXPECT_THROW(bib::to_value(e), std::out_of_range);
}

TEST(PluginKind, NamesMatchTheConfigWords) {
  EXPECT_STREQ(bib::to_string(bib::PluginKind::service), "service");
  EXPECT_STREQ(bib::to_string(bib::PluginKind::persistence), "persistence");
  EXPECT_STREQ(bib::to_string(bib::PluginKind::replication), "replication");
  EXPECT_STREQ(bib::to_string(bib::PluginKind::discovery), "discovery");
  EXPECT_STREQ(bib::to_string(bib::PluginKind::component), "component");
}

// The defaults a service plugin inherits: apply changes nothing, describe adds nothing.
class Minimal final : public bib::ServicePlugin {
 public:
  void configure(bib::Context&) override {}
  std::vector<std::string> services() const override { return {"noop"}; }
  bib::Outcome handle(const bib::Request&) override { return bib::Reply{}; }
};

TEST(ServicePlugin, DefaultApplyAndDescribeDoNothing) {
  Minimal plugin;
  EXPECT_TRUE(plugin.apply(sample(), bib::ApplyMode::local).is_nil());
  Map status;
  plugin.describe(status);
  EXPECT_TRUE(status.empty());
}

}  // namespace
