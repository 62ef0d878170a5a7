#include <cstdint>
#include <string>

#include "bib/service.hpp"

namespace bib {

namespace {

std::uint64_t get_count(const Value& value, std::string_view key) {
  const std::int64_t n = value.get_int(key);
  if (n < 0) {
    std::string k(key);
    throw FieldError(k, "field '" + k + "' must be a non-negative integer, got " + std::to_string(n));
  }
  return static_cast<std::uint64_t>(n);
}

}  // namespace

Value to_value(const Event& event) {
  Map m;
  m.emplace("origin", event.origin);
  m.emplace("seq", event.seq);
  m.emplace("clock", event.clock);
  m.emplace("timestamp", event.timestamp);
  m.emplace("service", event.service);
  m.emplace("data", event.data);
  m.emplace("request_id", event.request_id);
  return m;
}

Event event_from_value(const Value& value) {
  value.as_map();  // "expected a map, got X" before any field sentence
  Event event;
  event.origin = value.get_string("origin");
  event.seq = get_count(value, "seq");
  event.clock = get_count(value, "clock");
  event.timestamp = value.get_double("timestamp");
  event.service = value.get_string("service");
  event.data = value.at("data");
  // Optional: events without a client or broker request id.
  event.request_id = value.opt_string("request_id").value_or("");
  return event;
}

}  // namespace bib
