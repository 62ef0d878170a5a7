#include "bib/messaging.hpp"

#include <stdexcept>

#include "bib/names.hpp"
#include "bib/plugin.hpp"

namespace bib {

Envelope publication(std::string service, std::string_view type, std::string_view topic, Map data) {
  Envelope envelope{std::move(service), Value{}, data};
  envelope.flat.insert_or_assign("type", std::string(type));
  envelope.flat.insert_or_assign("topic", std::string(topic));
  envelope.data = std::move(data);
  return envelope;
}

std::optional<std::string> topic_name_problem(std::string_view name) {
  if (auto problem = name_problem(name)) return problem;
  if (name == kServersTopic) return "name '" + std::string(name) + "' is reserved";
  return std::nullopt;
}

std::optional<std::string> message_text_problem(std::string_view text, std::size_t max_bytes) {
  if (text.size() > max_bytes)
    return "message is " + std::to_string(text.size()) + " bytes long, the limit is " + std::to_string(max_bytes);
  if (!is_valid_utf8(text)) return "message is not valid UTF-8";
  return std::nullopt;
}

std::size_t max_text_bytes_option(const Value& config) {
  const Value* option = config.find("max_message_bytes");
  if (option == nullptr) return kDefaultMaxTextBytes;
  if (!option->is_int() || option->as_int() < 1)
    throw std::runtime_error("option 'max_message_bytes' must be a positive integer, got " + option->to_string());
  return static_cast<std::size_t>(option->as_int());
}

NameDirectory& find_directory(Context& ctx, std::string_view option, std::string_view fallback) {
  std::string name(fallback);
  if (const Value* named = ctx.config().find(option)) {
    if (!named->is_string())
      throw std::runtime_error("option '" + std::string(option) + "' must be a plugin name, got " + named->to_string());
    name = named->as_string();
  }
  Plugin* plugin = ctx.find_plugin(name);
  if (plugin == nullptr)
    throw std::runtime_error("option '" + std::string(option) + "' names plugin '" + name +
                             "', which is not loaded: add [[plugins]] name = \"" + name + "\"");
  auto* directory = dynamic_cast<NameDirectory*>(plugin);
  if (directory == nullptr)
    throw std::runtime_error("option '" + std::string(option) + "' names plugin '" + name +
                             "', which does not keep a directory of names");
  return *directory;
}

}  // namespace bib
