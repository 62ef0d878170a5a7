#include "bib/options.hpp"

#include <algorithm>

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

}  // namespace bib
