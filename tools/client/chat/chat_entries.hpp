// Reading the entries the cluster sends (posts, private messages, history pages) for the
// chat: their time, Lamport clock, arrays of them, and the keys that tell a line from its late
// pub/sub copy (ChatClient::expect_copy).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bib/value.hpp"
#include "bib_cli/display.hpp"

namespace bib::chat {

inline std::string now_text() {
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return cli::time_of_day(Value(now));
}

// "HH:MM:SS" of the entry's timestamp, or of now when it has none.
inline std::string time_of(const Value& entry) {
  const Value* t = entry.is_map() ? entry.find("timestamp") : nullptr;
  return t != nullptr ? cli::time_of_day(*t) : now_text();
}

inline std::int64_t clock_of(const Value& entry) {
  const Value* clock = entry.is_map() ? entry.find("clock") : nullptr;
  return clock != nullptr && clock->is_int() ? clock->as_int() : 0;
}

inline const std::vector<Value>& array_field(const Value& data, std::string_view key) {
  static const std::vector<Value> none;
  const Value* list = data.is_map() ? data.find(key) : nullptr;
  return list != nullptr && list->is_array() ? list->as_array() : none;
}

// An own line as sent: where ("#geral", "@bia") and the text (no clock yet).
inline std::string own_key(const std::string& where, const std::string& text) { return where + '\n' + text; }

// An entry as the cluster has it: where, author, text and Lamport clock.
inline std::string event_key(const std::string& where, const Value& entry, const char* author_field) {
  return where + '\n' + cli::field_text(entry, author_field) + '\n' + cli::field_text(entry, "message") + '\n' +
         std::to_string(clock_of(entry));
}

}  // namespace bib::chat
