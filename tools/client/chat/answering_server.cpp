#include "answering_server.hpp"

#include <vector>

namespace bib::chat {

void AnsweringServer::observe(const Value& reply_data, bool write) {
  if (const Value* node = reply_data.is_map() ? reply_data.find("node") : nullptr;
      node != nullptr && node->is_string() && !node->as_string().empty())
    last_ = node->as_string();
  const Value* seen = reply_data.is_map() ? reply_data.find("seen") : nullptr;
  if (seen == nullptr || !seen->is_map()) return;
  VersionVector vector;
  try {
    vector = version_vector_from_value(*seen, "seen");
  } catch (const FieldError&) {
    return;  // a reply we cannot read tells nothing about who sent it
  }
  std::vector<std::string> grew;
  for (const auto& [origin, seq] : vector) {
    auto& highest = known_[origin];
    if (seq > highest) {
      grew.push_back(origin);
      highest = seq;
    }
  }
  if (write && grew.size() == 1 && !reply_data.contains("node")) last_ = grew.front();
}

}  // namespace bib::chat
