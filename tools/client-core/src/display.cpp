#include "bib_cli/display.hpp"

#include <algorithm>
#include <ctime>
#include <sstream>

#include "bib/json.hpp"

namespace bib::cli {

std::string field_text(const Value& data, std::string_view key) {
  const Value* value = data.is_map() ? data.find(key) : nullptr;
  if (value == nullptr || value->is_nil()) return "-";
  if (value->is_string()) return value->as_string();
  return to_json(*value);
}

std::string time_of_day(const Value& timestamp) {
  if (!timestamp.is_number()) return "--:--:--";
  const double seconds = timestamp.is_int() ? static_cast<double>(timestamp.as_int()) : timestamp.as_double();
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm local{};
  if (::localtime_r(&t, &local) == nullptr) return "--:--:--";
  char text[16];
  std::strftime(text, sizeof text, "%H:%M:%S", &local);
  return text;
}

namespace {

const Value& timestamp_of(const Value& entry) {
  static const Value none;
  const Value* t = entry.is_map() ? entry.find("timestamp") : nullptr;
  return t != nullptr ? *t : none;
}

}  // namespace

std::string post_line(const Value& post) {
  return time_of_day(timestamp_of(post)) + " [" + field_text(post, "channel") + "] " + field_text(post, "user") +
         ": " + field_text(post, "message");
}

std::string private_line(const Value& message) {
  return time_of_day(timestamp_of(message)) + " [private] " + field_text(message, "src") + " -> " +
         field_text(message, "dst") + ": " + field_text(message, "message");
}

std::string arrival_line(const Subscriber::Message& message) {
  if (message.envelope.service == "publish") return post_line(message.envelope.data);
  if (message.envelope.service == "message") return private_line(message.envelope.data);
  return "[" + message.topic + "] " + message.envelope.service + " " + to_json(message.envelope.data);
}

std::vector<std::string> string_list(const Value& data, std::string_view key) {
  std::vector<std::string> out;
  const Value* list = data.is_map() ? data.find(key) : nullptr;
  if (list == nullptr || !list->is_array()) return out;
  for (const auto& item : list->as_array())
    if (item.is_string()) out.push_back(item.as_string());
  return out;
}

const std::vector<std::string>& status_fields() {
  static const std::vector<std::string> fields{"node",  "rank",     "coordinator", "lamport", "time",
                                               "clock_offset", "users", "channels", "posts", "messages",
                                               "events", "version_vector", "digest"};
  return fields;
}

std::string status_block(const std::string& endpoint, const Value& data) {
  std::vector<std::string> keys = status_fields();
  if (data.is_map()) {
    for (const auto& [key, value] : data.as_map())
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);  // map order: sorted
  }
  std::size_t width = 0;
  for (const auto& key : keys) width = std::max(width, key.size());
  std::ostringstream out;
  out << endpoint << "\n";
  for (const auto& key : keys) out << "  " << key << std::string(width - key.size() + 2, ' ') << field_text(data, key) << "\n";
  return out.str();
}

}  // namespace bib::cli
