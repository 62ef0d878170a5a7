// bib/options.hpp: the shared reading of a plugin's options and the wording of its refusals.
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "bib/options.hpp"

namespace {

using bib::Array;
using bib::FieldError;
using bib::Map;
using bib::Value;
using std::chrono::milliseconds;

// The std::invalid_argument text a call throws; fails the test when it throws nothing.
template <class Fn>
std::string refusal(Fn&& fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "no std::invalid_argument thrown";
  return {};
}

TEST(Options, UnknownOptionsListsEveryUnknownKeyInKeyOrder) {
  const Value config = Map{{"zeta", 1}, {"port", 2}, {"alpha", 3}};
  EXPECT_EQ(bib::unknown_options(config, {"port"}), (std::vector<std::string>{"alpha", "zeta"}));
  EXPECT_TRUE(bib::unknown_options(config, {"alpha", "port", "zeta"}).empty());
}

TEST(Options, NilConfigHasNoUnknownOptions) {
  EXPECT_TRUE(bib::unknown_options(Value(), {"port"}).empty());
  EXPECT_NO_THROW(bib::require_known_options(Value(), {"port"}));
}

TEST(Options, ConfigThatIsNotATableIsRefused) {
  EXPECT_EQ(refusal([] { bib::unknown_options(Value(Array{1}), {"port"}); }), "options must be a table, got array");
  EXPECT_EQ(refusal([] { bib::require_known_options(Value(5), {"port"}); }), "options must be a table, got integer");
}

TEST(Options, KnownOptionsTextJoinsKeysInTheGivenOrder) {
  EXPECT_EQ(bib::known_options_text({"endpoint", "heartbeat_ms", "state_file"}), "endpoint, heartbeat_ms, state_file");
  EXPECT_EQ(bib::known_options_text({"rank"}), "rank");
  EXPECT_EQ(bib::known_options_text({}), "");
}

TEST(Options, RequireKnownOptionsNamesTheFirstUnknownKeyAndTheKnownOnes) {
  const Value config = Map{{"heartbeat", 5}, {"endpoint", "tcp://*:1"}, {"zzz", 1}};
  EXPECT_EQ(refusal([&] { bib::require_known_options(config, {"endpoint", "heartbeat_ms"}); }),
            "unknown option 'heartbeat' (options: endpoint, heartbeat_ms)");
  EXPECT_NO_THROW(bib::require_known_options(Map{{"endpoint", "x"}}, {"endpoint", "heartbeat_ms"}));
}

TEST(Options, PositiveMsReadsAnIntegerOrFallsBack) {
  EXPECT_EQ(bib::positive_ms(Map{{"t_ms", 250}}, "t_ms", milliseconds(9)), milliseconds(250));
  EXPECT_EQ(bib::positive_ms(Map{}, "t_ms", milliseconds(9)), milliseconds(9));
  EXPECT_EQ(bib::positive_ms(Map{{"t_ms", nullptr}}, "t_ms", milliseconds(9)), milliseconds(9));
  EXPECT_EQ(bib::positive_ms(Value(), "t_ms", milliseconds(9)), milliseconds(9));
}

TEST(Options, PositiveMsRefusesZeroNegativeAndOtherTypes) {
  EXPECT_EQ(refusal([] { bib::positive_ms(Map{{"t_ms", 0}}, "t_ms", milliseconds(9)); }),
            "option 't_ms' must be a positive number of milliseconds, got 0");
  EXPECT_EQ(refusal([] { bib::positive_ms(Map{{"t_ms", -3}}, "t_ms", milliseconds(9)); }),
            "option 't_ms' must be a positive number of milliseconds, got -3");
  EXPECT_EQ(refusal([] { bib::positive_ms(Map{{"t_ms", "1s"}}, "t_ms", milliseconds(9)); }),
            "option 't_ms' must be an integer, got string");
  EXPECT_EQ(refusal([] { bib::positive_ms(Map{{"t_ms", 1.5}}, "t_ms", milliseconds(9)); }),
            "option 't_ms' must be an integer, got float");
}

TEST(Options, OptionErrorTextRewordsOnlyTheLeadingField) {
  EXPECT_EQ(bib::option_error_text(FieldError("port", "field 'port' must be an integer, got string")),
            "option 'port' must be an integer, got string");
  EXPECT_EQ(bib::option_error_text(FieldError("peers", "field 'peers' is missing")), "option 'peers' is missing");
  // A field of a nested table keeps its word; only the leading "field " names an option.
  EXPECT_EQ(bib::option_error_text(FieldError("", "entry 0: field 'name' is missing")), "entry 0: field 'name' is missing");
  EXPECT_EQ(bib::option_error_text(FieldError("", "expected an integer, got string")), "expected an integer, got string");
}

TEST(Options, ReadOptionsTurnsAFieldErrorIntoAnOptionRefusal) {
  const Value config = Map{{"endpoint", 5560}};
  EXPECT_EQ(refusal([&] { bib::read_options([&] { return config.opt_string("endpoint"); }); }),
            "option 'endpoint' must be a string, got integer");
  EXPECT_EQ(refusal([&] { bib::read_options([&] { (void)config.get_int("port"); }); }), "option 'port' is missing");
}

TEST(Options, ReadOptionsReturnsTheResultAndLetsOtherErrorsThrough) {
  const Value config = Map{{"port", 7}};
  EXPECT_EQ(bib::read_options([&] { return config.get_int("port"); }), 7);
  int slot = 0;  // a reference result stays a reference, not a copy
  EXPECT_EQ(&bib::read_options([&]() -> int& { return slot; }), &slot);
  EXPECT_EQ(refusal([] { bib::read_options([] { throw std::invalid_argument("option 'x' is odd"); }); }),
            "option 'x' is odd");
  EXPECT_THROW(bib::read_options([] { throw std::runtime_error("bug"); }), std::runtime_error);
}

TEST(Options, NumbersMayComeAsStringsFromTheEnvironment) {
  const Value config = Map{{"drift", "-0.5"}, {"real", 0.25}, {"count", "12"}, {"whole", 3}, {"bad", "fast"},
                           {"half", "1.5"}, {"flag", true}, {"empty", ""}};
  EXPECT_EQ(bib::opt_number(config, "drift"), -0.5);
  EXPECT_EQ(bib::opt_number(config, "real"), 0.25);
  EXPECT_EQ(bib::opt_number(config, "whole"), 3.0);
  EXPECT_EQ(bib::opt_number(config, "absent"), std::nullopt);
  EXPECT_EQ(bib::opt_whole_number(config, "count"), 12);
  EXPECT_EQ(bib::opt_whole_number(config, "whole"), 3);
  EXPECT_EQ(refusal([&] { (void)bib::opt_number(config, "bad"); }), "option 'bad' must be a number, got 'fast'");
  EXPECT_EQ(refusal([&] { (void)bib::opt_number(config, "empty"); }), "option 'empty' must be a number, got ''");
  EXPECT_EQ(refusal([&] { (void)bib::opt_number(config, "flag"); }), "option 'flag' must be a number, got bool");
  EXPECT_EQ(refusal([&] { (void)bib::opt_whole_number(config, "half"); }),
            "option 'half' must be a whole number, got '1.5'");
  EXPECT_EQ(refusal([&] { (void)bib::opt_whole_number(config, "real"); }),
            "option 'real' must be a whole number, got float");
}

}  // namespace
