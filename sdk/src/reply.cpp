#include "bib/reply.hpp"

namespace bib {

Value error_reply(const std::string& text) {
  return Map{{"status", std::string(kStatusError)}, {"description", text}, {"message", text}};
}

bool is_error_reply(const Value& data) {
  if (!data.is_map()) return false;
  const Value* status = data.find("status");
  return status != nullptr && status->is_string() && status->as_string() == kStatusError;
}

std::string error_text(const Value& data) {
  if (!data.is_map()) return {};
  for (const char* key : {"description", "message"}) {
    const Value* text = data.find(key);
    if (text != nullptr && text->is_string() && !text->as_string().empty()) return text->as_string();
  }
  return {};
}

}  // namespace bib
