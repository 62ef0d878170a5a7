#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "bib/value.hpp"

namespace {

using bib::Array;
using bib::FieldError;
using bib::Map;
using bib::Value;

// The FieldError message and field a call throws; fails the test when it throws nothing.
template <class Fn>
std::pair<std::string, std::string> field_error(Fn&& fn) {
  try {
    fn();
  } catch (const FieldError& e) {
    return {e.what(), e.field()};
  }
  ADD_FAILURE() << "no FieldError thrown";
  return {};
}

const Value kRequest = Map{{"user", 7}, {"name", "ana"}, {"ok", true}, {"t", 1.5},
                           {"list", Array{1, 2}}, {"sub", Map{{"a", 1}}}, {"none", nullptr}};

TEST(Value, TypeNamesAreTheWireVocabulary) {
  EXPECT_STREQ(Value::type_name(Value::Type::nil), "nil");
  EXPECT_STREQ(Value::type_name(Value::Type::boolean), "bool");
  EXPECT_STREQ(Value::type_name(Value::Type::integer), "integer");
  EXPECT_STREQ(Value::type_name(Value::Type::floating), "float");
  EXPECT_STREQ(Value::type_name(Value::Type::string), "string");
  EXPECT_STREQ(Value::type_name(Value::Type::array), "array");
  EXPECT_STREQ(Value::type_name(Value::Type::map), "map");
}

TEST(Value, ConstructorsPickTheRightType) {
  EXPECT_TRUE(Value().is_nil());
  EXPECT_TRUE(Value(nullptr).is_nil());
  EXPECT_TRUE(Value(false).is_bool());
  EXPECT_EQ(Value(-3).as_int(), -3);
  EXPECT_EQ(Value(4000000000u).as_int(), 4000000000);
  EXPECT_EQ(Value(std::uint64_t{9}).as_int(), 9);
  EXPECT_TRUE(Value(2.5).is_double());
  EXPECT_EQ(Value("x").as_string(), "x");
  EXPECT_EQ(Value(std::string_view("y")).as_string(), "y");
  EXPECT_TRUE(Value(Array{}).is_array());
  EXPECT_TRUE(Value(Map{}).is_map());
}

TEST(Value, UnsignedAboveInt64MaxThrowsOutOfRange) {
  const auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(Value(max).as_int(), std::numeric_limits<std::int64_t>::max());
  EXPECT_THROW(Value(max + 1), std::out_of_range);
  EXPECT_THROW(Value(static_cast<unsigned long long>(max) + 1), std::out_of_range);
}

TEST(Value, MissingFieldNamesTheField) {
  auto [message, field] = field_error([] { kRequest.get_string("channel"); });
  EXPECT_EQ(message, "field 'channel' is missing");
  EXPECT_EQ(field, "channel");
}

TEST(Value, WrongTypeNamesExpectedAndActualType) {
  EXPECT_EQ(field_error([] { kRequest.get_string("user"); }).first,
            "field 'user' must be a string, got integer");
  EXPECT_EQ(field_error([] { kRequest.get_int("name"); }).first,
            "field 'name' must be an integer, got string");
  EXPECT_EQ(field_error([] { kRequest.get_bool("t"); }).first,
            "field 't' must be a bool, got float");
  EXPECT_EQ(field_error([] { kRequest.get_double("ok"); }).first,
            "field 'ok' must be a float, got bool");
  EXPECT_EQ(field_error([] { kRequest.get_array("sub"); }).first,
            "field 'sub' must be an array, got map");
  EXPECT_EQ(field_error([] { kRequest.get_map("list"); }).first,
            "field 'list' must be a map, got array");
  EXPECT_EQ(field_error([] { kRequest.get_string("none"); }).first,
            "field 'none' must be a string, got nil");
  EXPECT_EQ(field_error([] { kRequest.get_string("user"); }).second, "user");
}

TEST(Value, RequiredAccessorsReturnTheField) {
  EXPECT_EQ(kRequest.get_int("user"), 7);
  EXPECT_EQ(kRequest.get_string("name"), "ana");
  EXPECT_TRUE(kRequest.get_bool("ok"));
  EXPECT_DOUBLE_EQ(kRequest.get_double("t"), 1.5);
  EXPECT_DOUBLE_EQ(kRequest.get_double("user"), 7.0);  // integers are numbers too
  EXPECT_EQ(kRequest.get_array("list").size(), 2u);
  EXPECT_EQ(kRequest.get_map("sub").at("a"), Value(1));
  EXPECT_TRUE(kRequest.at("none").is_nil());
}

TEST(Value, AsAccessorsOnTheValueItselfSayExpected) {
  auto [message, field] = field_error([] { Value(3).as_string(); });
  EXPECT_EQ(message, "expected a string, got integer");
  EXPECT_EQ(field, "");
  EXPECT_EQ(field_error([] { Value("x").as_int(); }).first, "expected an integer, got string");
  EXPECT_EQ(field_error([] { Value().as_map(); }).first, "expected a map, got nil");
  EXPECT_EQ(field_error([] { Value("x").as_double(); }).first, "expected a float, got string");
  EXPECT_DOUBLE_EQ(Value(2).as_double(), 2.0);
}

TEST(Value, OptionalAccessorsAreEmptyWhenAbsentOrNil) {
  EXPECT_EQ(kRequest.opt_string("absent"), std::nullopt);
  EXPECT_EQ(kRequest.opt_int("none"), std::nullopt);
  EXPECT_EQ(kRequest.opt_bool("none"), std::nullopt);
  EXPECT_EQ(kRequest.opt_double("absent"), std::nullopt);
  EXPECT_EQ(kRequest.opt_string("name"), "ana");
  EXPECT_EQ(kRequest.opt_int("user"), 7);
  EXPECT_EQ(kRequest.opt_bool("ok"), true);
  EXPECT_EQ(kRequest.opt_double("user"), 7.0);
}

TEST(Value, OptionalAccessorsThrowWhenPresentWithAnotherType) {
  EXPECT_EQ(field_error([] { kRequest.opt_string("user"); }).first,
            "field 'user' must be a string, got integer");
  EXPECT_EQ(field_error([] { kRequest.opt_int("t"); }).first,
            "field 't' must be an integer, got float");
  EXPECT_EQ(field_error([] { kRequest.opt_double("name"); }).first,
            "field 'name' must be a float, got string");
}

TEST(Value, FindOnNonMapIsNull) {
  EXPECT_EQ(Value(3).find("x"), nullptr);
  EXPECT_FALSE(Value().contains("x"));
  EXPECT_TRUE(kRequest.contains("user"));
  EXPECT_EQ(field_error([] { Value(3).get_int("x"); }).first, "field 'x' is missing");
}

TEST(Value, SubscriptOnNilMakesAMap) {
  Value v;
  v["a"]["b"] = 1;
  v["c"] = "x";
  EXPECT_TRUE(v.is_map());
  EXPECT_EQ(v.get_map("a").at("b"), Value(1));
  EXPECT_EQ(v.get_string("c"), "x");
  v["c"] = 2;  // overwrites
  EXPECT_EQ(v.get_int("c"), 2);
}

TEST(Value, SubscriptOnStringThrows) {
  Value v = "text";
  EXPECT_EQ(field_error([&] { v["a"]; }).first, "expected a map, got string");
  EXPECT_EQ(v, Value("text"));
}

TEST(Value, MutableAccessorsChangeInPlace) {
  Value v = Array{1};
  v.as_array().push_back(2);
  EXPECT_EQ(v, Value(Array{1, 2}));
  Value m = Map{};
  m.as_map().emplace("k", true);
  EXPECT_TRUE(m.get_bool("k"));
}

TEST(Value, EqualityComparesTypeAndContent) {
  EXPECT_EQ(Value(Map{{"a", Array{1, "x"}}}), Value(Map{{"a", Array{1, "x"}}}));
  EXPECT_NE(Value(1), Value(1.0));
  EXPECT_NE(Value(Map{{"a", 1}}), Value(Map{{"a", 2}}));
}

TEST(ValueToString, IsOneJsonLikeLine) {
  const Value v = Map{{"user", "ana"}, {"clock", 3}, {"ok", true}, {"none", nullptr},
                      {"list", Array{1, -2, Array{}}}, {"sub", Map{}}};
  EXPECT_EQ(v.to_string(),
            R"({"clock": 3, "list": [1, -2, []], "none": null, "ok": true, "sub": {}, "user": "ana"})");
}

TEST(ValueToString, FloatsKeepTimestampPrecision) {
  EXPECT_EQ(Value(1732770000.123456).to_string(), "1732770000.123456");
  EXPECT_EQ(Value(2.0).to_string(), "2.0");
  EXPECT_EQ(Value(-0.5).to_string(), "-0.5");
  EXPECT_EQ(Value(1e300).to_string(), "1e+300");
}

TEST(ValueToString, EscapesControlCharactersNewlineQuoteAndBackslash) {
  EXPECT_EQ(Value("a\nb").to_string(), R"("a\u000ab")");
  EXPECT_EQ(Value("\r\t\x1b[2J\x7f").to_string(), R"("\u000d\u0009\u001b[2J\u007f")");
  EXPECT_EQ(Value("say \"hi\" \\").to_string(), R"("say \"hi\" \\")");
  EXPECT_EQ(Value(std::string("nul\0x", 5)).to_string(), R"("nul\u0000x")");
  EXPECT_EQ(Value(Map{{"k\n", "v"}}).to_string(), R"({"k\u000a": "v"})");
}

TEST(ValueToString, NeverContainsARawControlByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  const std::string line = Value(all).to_string();
  for (char c : line) {
    const auto b = static_cast<unsigned char>(c);
    EXPECT_TRUE(b >= 0x20 && b != 0x7f) << "raw byte " << int(b);
  }
}

TEST(ValueToString, KeepsUtf8ButEscapesLineSeparatorsAndInvalidBytes) {
  EXPECT_EQ(Value("ação 🙂").to_string(), "\"ação 🙂\"");
  EXPECT_EQ(Value("a\u2028b\u0085").to_string(), R"("a\u2028b\u0085")");
  EXPECT_EQ(Value("\xff\xc3").to_string(), R"("\xff\xc3")");
}

TEST(ValueToString, MaxCharsCutsWithEllipsis) {
  const Value v = Map{{"message", std::string(1000, 'x')}};
  const std::string line = v.to_string(20);
  EXPECT_EQ(line, R"({"message": "xxxxxxx)" "…");
  EXPECT_EQ(Value("short").to_string(20), "\"short\"");
  EXPECT_EQ(v.to_string(0).size(), 1000u + 15u);  // 0 = whole
}

TEST(ValueToString, MaxCharsNeverSplitsAUtf8Character) {
  const std::string line = Value("ããããã").to_string(4);  // "ã is 1 + 2 bytes
  EXPECT_EQ(line, "\"ã…");
}

}  // namespace
