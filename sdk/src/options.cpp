#include "bib/options.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <limits>

namespace bib {

namespace {

bool is_known(std::string_view key, std::initializer_list<std::string_view> known) {
  return std::find(known.begin(), known.end(), key) != known.end();
}

}  // namespace

std::vector<std::string> unknown_options(const Value& config, std::initializer_list<std::string_view> known) {
  if (config.is_nil()) return {};
  if (!config.is_map())
    throw std::invalid_argument(std::string("options must be a table, got ") + Value::type_name(config.type()));
  std::vector<std::string> unknown;
  for (const auto& [key, value] : config.as_map())
    if (!is_known(key, known)) unknown.push_back(key);
  return unknown;
}

std::string known_options_text(std::initializer_list<std::string_view> known) {
  std::string text;
  for (std::string_view key : known) {
    if (!text.empty()) text += ", ";
    text += key;
  }
  return text;
}

void require_known_options(const Value& config, std::initializer_list<std::string_view> known) {
  const std::vector<std::string> unknown = unknown_options(config, known);
  if (!unknown.empty())
    throw std::invalid_argument("unknown option '" + unknown.front() + "' (options: " + known_options_text(known) + ")");
}

std::chrono::milliseconds positive_ms(const Value& config, std::string_view key, std::chrono::milliseconds fallback) {
  const auto value = read_options([&] { return config.opt_int(key); });
  if (!value) return fallback;
  if (*value <= 0) {
    throw std::invalid_argument("option '" + std::string(key) + "' must be a positive number of milliseconds, got " +
                                std::to_string(*value));
  }
  return std::chrono::milliseconds(*value);
}

std::string option_error_text(const FieldError& error) {
  std::string text = error.what();
  constexpr std::string_view kField = "field ";
  if (text.compare(0, kField.size(), kField) == 0) text.replace(0, kField.size() - 1, "option");
  return text;
}

namespace {

// The text's number when the whole text is one; strtod / strtoll, which accept what TOML does.
template <class Number, class Parse>
std::optional<Number> whole_text_as(const std::string& text, Parse parse) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text.front()))) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const Number n = parse(text.c_str(), &end);
  if (errno != 0 || end != text.c_str() + text.size()) return std::nullopt;
  return n;
}

std::string quoted_option(std::string_view key) { return "option '" + std::string(key) + "'"; }

}  // namespace

std::optional<double> opt_number(const Value& config, std::string_view key) {
  const Value* value = config.find(key);
  if (value == nullptr || value->is_nil()) return std::nullopt;
  if (value->is_number()) return value->as_double();
  if (!value->is_string())
    throw std::invalid_argument(quoted_option(key) + " must be a number, got " + Value::type_name(value->type()));
  auto n = whole_text_as<double>(value->as_string(), [](const char* t, char** e) { return std::strtod(t, e); });
  if (!n) throw std::invalid_argument(quoted_option(key) + " must be a number, got '" + value->as_string() + "'");
  return n;
}

std::optional<std::int64_t> opt_whole_number(const Value& config, std::string_view key) {
  const Value* value = config.find(key);
  if (value == nullptr || value->is_nil()) return std::nullopt;
  if (value->is_int()) return value->as_int();
  if (!value->is_string())
    throw std::invalid_argument(quoted_option(key) + " must be a whole number, got " + Value::type_name(value->type()));
  auto n = whole_text_as<std::int64_t>(value->as_string(),
                                       [](const char* t, char** e) { return std::strtoll(t, e, 10); });
  if (!n) throw std::invalid_argument(quoted_option(key) + " must be a whole number, got '" + value->as_string() + "'");
  return n;
}

std::int64_t int_option(const Value& config, std::string_view key, std::int64_t fallback, std::int64_t min,
                        std::int64_t max) {
  const std::int64_t value = opt_whole_number(config, key).value_or(fallback);
  if (value >= min && value <= max) return value;
  const std::string range = max == std::numeric_limits<std::int64_t>::max()
                                ? "at least " + std::to_string(min)
                                : "between " + std::to_string(min) + " and " + std::to_string(max);
  throw std::invalid_argument(quoted_option(key) + " must be " + range + ", got " + std::to_string(value));
}

int port_option(const Value& config, std::string_view key, int fallback) {
  return static_cast<int>(int_option(config, key, fallback, 1, 65535));
}

}  // namespace bib
