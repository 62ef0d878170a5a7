#include "bib/replica.hpp"

#include "bib/replication.hpp"

namespace bib {

Replica::~Replica() = default;
void ReplicationPlugin::want(const VersionVector& /*missing*/) {}
void ReplicationPlugin::when_caught_up(std::function<void()> fn) { fn(); }
void ReplicationPlugin::on_availability(Availability /*fn*/) {}

Value to_value(const VersionVector& vv) {
  Map out;
  for (const auto& [origin, seq] : vv) out.emplace(origin, seq);
  return out;
}

VersionVector version_vector_from_value(const Value& value, std::string_view field) {
  if (!value.is_map())
    throw FieldError(std::string(field), "field '" + std::string(field) + "' must be a map of origin to seq, got " +
                                             Value::type_name(value.type()));
  VersionVector vv;
  for (const auto& [origin, seq] : value.as_map()) {
    if (!seq.is_int() || seq.as_int() < 0)
      throw FieldError(std::string(field), "field '" + std::string(field) + "': seq of '" + origin +
                                               "' must be a non-negative integer");
    vv.emplace(origin, static_cast<std::uint64_t>(seq.as_int()));
  }
  return vv;
}

VersionVector missing_from(const VersionVector& have, const VersionVector& want) {
  VersionVector missing;
  for (const auto& [origin, seq] : want) {
    auto it = have.find(origin);
    if (seq > 0 && (it == have.end() || it->second < seq)) missing.emplace(origin, seq);
  }
  return missing;
}

bool covers(const VersionVector& have, const VersionVector& want) { return missing_from(have, want).empty(); }

}  // namespace bib
