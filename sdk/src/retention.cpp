#include "bib/retention.hpp"

#include <stdexcept>
#include <string>

#include "bib/options.hpp"

namespace bib {

namespace {

Retention read_limits(const Value& table, std::string_view count_key) {
  Retention limits;
  limits.max_entries = static_cast<std::uint64_t>(int_option(table, count_key, 0, 0));
  limits.max_age_s = static_cast<std::uint64_t>(int_option(table, "max_age_s", 0, 0));
  return limits;
}

}  // namespace

const Retention& RetentionRules::for_name(std::string_view name) const {
  auto own = by_name.find(name);
  return own == by_name.end() ? fallback : own->second;
}

bool RetentionRules::keeps_everything() const noexcept {
  if (!fallback.keeps_everything()) return false;
  for (const auto& [name, limits] : by_name)
    if (!limits.keeps_everything()) return false;
  return true;
}

RetentionRules retention_options(const Value& config, std::string_view count_key, std::string_view per_name_key) {
  RetentionRules rules;
  rules.fallback = read_limits(config, count_key);
  if (per_name_key.empty()) return rules;
  const Value* tables = config.find(per_name_key);
  if (tables == nullptr || tables->is_nil()) return rules;
  const std::string where = "option '" + std::string(per_name_key) + "'";
  if (!tables->is_map())
    throw std::invalid_argument(where + " must be a table of names, got " + Value::type_name(tables->type()));
  for (const auto& [name, table] : tables->as_map()) {
    const std::string own = "option '" + std::string(per_name_key) + "." + name + "'";
    if (!table.is_map())
      throw std::invalid_argument(own + " must be a table, got " + Value::type_name(table.type()));
    try {
      require_known_options(table, {count_key, "max_age_s"});
      rules.by_name.emplace(name, read_limits(table, count_key));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(own + ": " + e.what());
    }
  }
  return rules;
}

}  // namespace bib
