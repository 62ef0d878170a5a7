#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <ostream>
#include <random>
#include <string>

#include "bib/codec.hpp"
#include "bib/messaging.hpp"

namespace bib {
// Readable failures: gtest prints Values as one line instead of raw bytes.
void PrintTo(const Value& v, std::ostream* os) { *os << v.to_string(200); }
}  // namespace bib

namespace {

using bib::Array;
using bib::DecodeLimits;
using bib::Envelope;
using bib::Map;
using bib::Value;

std::string bytes(std::initializer_list<unsigned> list) {
  std::string s;
  for (unsigned b : list) s += static_cast<char>(b);
  return s;
}

// Arrays nested `depth` levels deep: [[[...]]].
Value nested(std::size_t depth) {
  Value v = Array{};
  for (std::size_t i = 1; i < depth; ++i) v = Array{v};
  return v;
}

std::string decode_error(std::string_view input, const DecodeLimits& limits = {}) {
  auto r = bib::decode(input, limits);
  return r ? "(decoded)" : r.error().message;
}

std::string envelope_error(std::string_view input) {
  auto r = bib::decode_envelope(input);
  return r ? "(decoded)" : r.error().message;
}

void expect_round_trip(const Value& v) {
  auto r = bib::decode(bib::encode(v));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r.value(), v) << v.to_string();
}

TEST(Envelope, FlatFieldsGoBesideServiceAndDataAndComeBack) {
  bib::Envelope envelope = bib::publication("publish", "channel", "geral", Map{{"user", "ana"}, {"message", "oi"}});
  envelope.flat["service"] = "forged";  // a flat field never replaces the envelope's own
  const Value top = bib::decode(bib::encode_envelope(envelope)).value();
  EXPECT_EQ(top.get_string("service"), "publish");
  EXPECT_EQ(top.at("data"), Value(Map{{"user", "ana"}, {"message", "oi"}}));
  EXPECT_EQ(top.get_string("type"), "channel");
  EXPECT_EQ(top.get_string("topic"), "geral");
  EXPECT_EQ(top.get_string("user"), "ana");
  EXPECT_EQ(top.get_string("message"), "oi");
  auto decoded = bib::decode_envelope(bib::encode_envelope(envelope));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded.value().flat.at("type"), Value("channel"));
  EXPECT_FALSE(decoded.value().flat.contains("data"));
  // The log line shows what data does not already say.
  EXPECT_EQ(envelope.to_string(), R"(publish {"message": "oi", "user": "ana"} +{"service": "forged", "topic": "geral", "type": "channel"})");
}

TEST(Codec, RoundTripsEveryType) {
  const auto i64 = std::numeric_limits<std::int64_t>::max();
  const auto i64min = std::numeric_limits<std::int64_t>::min();
  for (const Value& v :
       {Value(), Value(true), Value(false), Value(0), Value(-1), Value(-32), Value(-33),
        Value(127), Value(128), Value(255), Value(65536), Value(i64), Value(i64min),
        Value(0.0), Value(-0.0), Value(2.0), Value(-3.0), Value(1e19), Value(-0.1), Value(1732770000.123456), Value(""), Value("ação"),
        Value(std::string("a\0b", 3)), Value(std::string(70000, 'z')), Value(Array{}),
        Value(Map{})}) {
    expect_round_trip(v);
  }
}

TEST(Codec, RoundTripsNestedStructures) {
  expect_round_trip(Map{{"users", Array{"ana", "bia"}},
                        {"posts", Array{Map{{"user", "ana"}, {"clock", 3}, {"t", 1.25}},
                                        Map{{"user", "bia"}, {"tags", Array{nullptr, true}}}}},
                        {"deep", nested(31)}});  // 32 levels with the outer map
}

TEST(Codec, UsesTheSmallestIntegerForm) {
  EXPECT_EQ(bib::encode(1), bytes({0x01}));
  EXPECT_EQ(bib::encode(-1), bytes({0xff}));
  EXPECT_EQ(bib::encode(200), bytes({0xcc, 0xc8}));
  EXPECT_EQ(bib::encode(Map{{"a", 1}}), bytes({0x81, 0xa1, 'a', 0x01}));
}

TEST(Codec, KeepsIntegralFloatsFloats) {
  EXPECT_EQ(bib::encode(2.0), bytes({0xcb, 0x40, 0x00, 0, 0, 0, 0, 0, 0}));
  EXPECT_TRUE(bib::decode(bib::encode(1732770000.0)).value().is_double());
}

TEST(Codec, DecodesFloat32AndBinFromOtherClients) {
  EXPECT_EQ(bib::decode(bytes({0xca, 0x3f, 0xc0, 0x00, 0x00})).value(), Value(1.5));
  EXPECT_EQ(bib::decode(bytes({0xc4, 0x03, 'a', 'b', 'c'})).value(), Value("abc"));
}

TEST(Codec, RejectsIntegerAboveInt64Max) {
  EXPECT_EQ(decode_error(bytes({0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0})),
            "integer 9223372036854775808 is above INT64_MAX");
  EXPECT_EQ(bib::decode(bytes({0xcf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})).value(),
            Value(std::numeric_limits<std::int64_t>::max()));
}

TEST(Codec, RejectsNonStringMapKey) {
  EXPECT_EQ(decode_error(bytes({0x81, 0x01, 0x02})), "map key must be a string");
  EXPECT_EQ(decode_error(bytes({0x91, 0x81, 0xc0, 0x02})), "map key must be a string");
}

TEST(Codec, RejectsExt) {
  EXPECT_EQ(decode_error(bytes({0xd4, 0x01, 0x00})), "unsupported MessagePack type: ext");
}

TEST(Codec, RejectsTrailingBytes) {
  EXPECT_EQ(decode_error(bytes({0x01, 0x02, 0x03})),
            "malformed MessagePack: 2 trailing bytes after the message");
}

TEST(Codec, RejectsEmptyAndInvalidInput) {
  EXPECT_EQ(decode_error(""), "malformed MessagePack: empty message");
  EXPECT_EQ(decode_error(bytes({0xc1})).rfind("malformed MessagePack: ", 0), 0u);
}

TEST(Codec, RejectsBytesAboveMaxBytes) {
  DecodeLimits limits;
  limits.max_bytes = 10;
  const std::string big = bib::encode(std::string(20, 'x'));
  EXPECT_EQ(decode_error(big, limits), "message too large: 21 bytes > limit 10");
  EXPECT_TRUE(bib::decode(bib::encode("short"), limits));
}

TEST(Codec, RejectsNestingDeeperThanLimit) {
  EXPECT_TRUE(bib::decode(bib::encode(nested(32))));
  EXPECT_EQ(decode_error(bib::encode(nested(33))), "nesting too deep: more than 32 levels");
  DecodeLimits limits;
  limits.max_depth = 3;
  EXPECT_TRUE(bib::decode(bib::encode(nested(3)), limits));
  // Value{...} inside: Array{Array{}} alone is a copy of the empty array to clang (CWG 2137).
  EXPECT_EQ(decode_error(bib::encode(Map{{"a", Map{{"b", Array{Value{Array{}}}}}}}), limits),
            "nesting too deep: more than 3 levels");
}

TEST(Codec, RejectsArrayOrMapWithMoreItemsThanLimit) {
  DecodeLimits limits;
  limits.max_items = 10;
  EXPECT_TRUE(bib::decode(bib::encode(Array(10, 1)), limits));
  EXPECT_EQ(decode_error(bib::encode(Array(11, 1)), limits), "array too long: more than 10 items");
  Map m;
  for (int i = 0; i < 11; ++i) m.emplace(std::to_string(i), i);
  EXPECT_EQ(decode_error(bib::encode(m), limits), "map too long: more than 10 items");
}

TEST(Codec, HugeClaimedSizesFailWithoutAllocating) {
  // Five bytes claiming 4 billion items or a 4 GiB string: more than five bytes can hold.
  EXPECT_EQ(decode_error(bytes({0xdd, 0xff, 0xff, 0xff, 0xff})),
            "malformed MessagePack: truncated message");
  EXPECT_EQ(decode_error(bytes({0xdf, 0xff, 0xff, 0xff, 0xff})),
            "malformed MessagePack: truncated message");
  EXPECT_EQ(decode_error(bytes({0xdb, 0xff, 0xff, 0xff, 0xff})),
            "malformed MessagePack: truncated message");
  EXPECT_EQ(decode_error(bytes({0xc6, 0xff, 0xff, 0xff, 0xff})),
            "malformed MessagePack: truncated message");
  // Nested maps each claiming 100,000 pairs (the fuzz regression nested-map-claims).
  std::string nested;
  for (int i = 0; i < 31; ++i) nested += std::string("\xdf\x00\x01\x86\xa0\xa1k", 7);
  EXPECT_EQ(decode_error(nested), "malformed MessagePack: truncated message");
}

TEST(Codec, RandomGarbageNeverCrashes) {
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 48);
  int errors = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string input;
    for (int n = length(rng); n > 0; --n) input += static_cast<char>(byte(rng));
    if (!bib::decode(input)) ++errors;
    if (auto e = bib::decode_envelope(input); !e) {
      EXPECT_FALSE(e.error().message.empty());
    }
  }
  EXPECT_GT(errors, 0);
}

TEST(Codec, MutatedEnvelopesNeverCrash) {
  const std::string valid = bib::encode_envelope(
      {"publish", Map{{"user", "ana"}, {"tags", Array{1, 2.5, Map{{"k", nullptr}}}}, {"n", -70000}}});
  std::mt19937 rng(777);
  std::uniform_int_distribution<std::size_t> pos(0, valid.size() - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 20000; ++i) {
    std::string input = valid;
    for (int flips = 1 + i % 4; flips > 0; --flips) input[pos(rng)] = static_cast<char>(byte(rng));
    if (auto r = bib::decode_envelope(input); r) {
      EXPECT_TRUE(bib::decode_envelope(bib::encode_envelope(r.value())));
    }
  }
}

TEST(Envelope, RoundTrips) {
  Envelope in{"publish", Map{{"user", "ana"}, {"channel", "geral"}, {"message", "oi"},
                             {"timestamp", 1732770000.5}, {"clock", 7}}};
  auto out = bib::decode_envelope(bib::encode_envelope(in));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out.value().service, "publish");
  EXPECT_EQ(out.value().data, in.data);
}

TEST(Envelope, AbsentOrNilDataIsAnEmptyMap) {
  auto absent = bib::decode_envelope(bib::encode(Map{{"service", "users"}}));
  ASSERT_TRUE(absent);
  EXPECT_EQ(absent.value().data, Value(Map{}));
  auto nil = bib::decode_envelope(bib::encode(Map{{"service", "users"}, {"data", nullptr}}));
  ASSERT_TRUE(nil);
  EXPECT_EQ(nil.value().data, Value(Map{}));
}

TEST(Envelope, UnknownTopLevelFieldsAreIgnored) {
  auto r = bib::decode_envelope(bib::encode(Map{{"service", "users"}, {"extra", 1}}));
  EXPECT_TRUE(r);
}

TEST(Envelope, TruncatedAtEveryOffsetIsAnError) {
  const std::string whole = bib::encode_envelope(
      {"message", Map{{"src", "ana"}, {"dst", "bia"}, {"message", "olá"}, {"clock", 300},
                      {"timestamp", 1732770000.25}, {"tags", Array{1, nullptr, false}}}});
  for (std::size_t n = 0; n < whole.size(); ++n) {
    const std::string_view cut(whole.data(), n);
    EXPECT_FALSE(bib::decode(cut)) << "cut at " << n;
    EXPECT_FALSE(bib::decode_envelope(cut)) << "cut at " << n;
  }
  EXPECT_TRUE(bib::decode_envelope(whole));
}

TEST(Envelope, RejectsWrongTopLevelType) {
  EXPECT_EQ(envelope_error(bib::encode(Array{"publish", Map{}})), "message must be a map, got array");
  EXPECT_EQ(envelope_error(bib::encode("publish")), "message must be a map, got string");
}

TEST(Envelope, RejectsMissingOrNonStringService) {
  EXPECT_EQ(envelope_error(bib::encode(Map{{"data", Map{}}})), "field 'service' is missing");
  EXPECT_EQ(envelope_error(bib::encode(Map{{"service", 3}, {"data", Map{}}})),
            "field 'service' must be a string, got integer");
}

TEST(Envelope, RejectsDataThatIsNotAMap) {
  EXPECT_EQ(envelope_error(bib::encode(Map{{"service", "login"}, {"data", "ana"}})),
            "field 'data' must be a map, got string");
  EXPECT_EQ(envelope_error(bib::encode(Map{{"service", "login"}, {"data", Array{}}})),
            "field 'data' must be a map, got array");
}

TEST(Envelope, PassesDecodeErrorsThrough) {
  EXPECT_EQ(envelope_error(bytes({0x81, 0x01, 0x02})), "map key must be a string");
}

TEST(Envelope, ToStringIsServiceThenData) {
  EXPECT_EQ((Envelope{"publish", Map{{"user", "ana"}, {"clock", 7}}}.to_string()),
            R"(publish {"clock": 7, "user": "ana"})");
  EXPECT_EQ(Envelope{"users"}.to_string(), "users {}");
}

TEST(Envelope, ToStringQuotesAHostileServiceName) {
  EXPECT_EQ((Envelope{"x\nFAKE line", Map{}}.to_string()), R"("x\u000aFAKE line" {})");
  EXPECT_EQ(Envelope{""}.to_string(), R"("" {})");
}

}  // namespace
