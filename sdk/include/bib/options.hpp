// Reading a plugin's options (its [[plugins]] table, ctx.config()) the same way everywhere:
// refuse unknown keys, read durations, and word every refusal as "option 'x' ...".
//
//   void configure(bib::Context& ctx) override {
//     const bib::Value& config = ctx.config();
//     bib::require_known_options(config, {"endpoint", "timeout_ms"});
//     bib::read_options([&] {
//       endpoint_ = config.opt_string("endpoint").value_or("tcp://*:5560");
//       timeout_ = bib::positive_ms(config, "timeout_ms", std::chrono::milliseconds(3000));
//     });
//   }
//
//   {timeot_ms = 5}     -> "unknown option 'timeot_ms' (options: endpoint, timeout_ms)"
//   {endpoint = 5560}   -> "option 'endpoint' must be a string, got integer"
//   {timeout_ms = 0}    -> "option 'timeout_ms' must be a positive number of milliseconds, got 0"
// All three are std::invalid_argument, which configure() throws to refuse to run.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bib/export.hpp"
#include "bib/value.hpp"

namespace bib {

// The keys of `config` that are not in `known`, in key order. Empty when config is nil.
// Throws std::invalid_argument "options must be a table, got T" when config is neither nil
// nor a map.
BIB_SDK_API std::vector<std::string> unknown_options(const Value& config,
                                                      std::initializer_list<std::string_view> known);

// "a, b, c": the known keys as a refusal or warning lists them.
BIB_SDK_API std::string known_options_text(std::initializer_list<std::string_view> known);

// Throws std::invalid_argument "unknown option 'x' (options: a, b, c)" for the first unknown
// key, so that a typo such as "heartbeat" for "heartbeat_ms" does not pass silently.
BIB_SDK_API void require_known_options(const Value& config, std::initializer_list<std::string_view> known);

// Option `key`, an integer number of milliseconds > 0; `fallback` when absent or nil.
// Throws std::invalid_argument "option 'k' must be a positive number of milliseconds, got 0"
// or "option 'k' must be an integer, got string".
BIB_SDK_API std::chrono::milliseconds positive_ms(const Value& config, std::string_view key,
                                                  std::chrono::milliseconds fallback);

// Option `key` as a number, also when it is a string holding one: ${VAR} expands only inside
// TOML strings, so `drift_s = "${BIB_DRIFT:-0}"` reaches the plugin as "0.5". Empty when
// absent or nil; throws std::invalid_argument "option 'k' must be a number, got 'x'" for any
// other string, and "option 'k' must be a number, got bool" for other types.
BIB_SDK_API std::optional<double> opt_number(const Value& config, std::string_view key);
// The same for a whole number; "option 'k' must be a whole number, got 'x'".
BIB_SDK_API std::optional<std::int64_t> opt_whole_number(const Value& config, std::string_view key);

// Option `key`, a whole number (or a string holding one) in [min, max]; `fallback` when absent.
// Throws std::invalid_argument "option 'k' must be between 1 and 100, got 0" ("at least 1"
// when max is the largest int64).
BIB_SDK_API std::int64_t int_option(const Value& config, std::string_view key, std::int64_t fallback,
                                    std::int64_t min,
                                    std::int64_t max = std::numeric_limits<std::int64_t>::max());
// Option `key`, a TCP port (1..65535); `fallback` when absent.
BIB_SDK_API int port_option(const Value& config, std::string_view key, int fallback);

// A FieldError's text as an option refusal: "field 'x' must be ..." -> "option 'x' must be ...".
// Other texts are returned unchanged.
BIB_SDK_API std::string option_error_text(const FieldError& error);

// Runs fn() and returns its result; a FieldError it throws (a typed accessor such as
// config.opt_int("x") met a wrong type) becomes std::invalid_argument(option_error_text(e)).
template <class Fn>
decltype(auto) read_options(Fn&& fn) {
  try {
    return std::forward<Fn>(fn)();
  } catch (const FieldError& e) {
    throw std::invalid_argument(option_error_text(e));
  }
}

}  // namespace bib
