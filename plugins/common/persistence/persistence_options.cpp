#include "persistence_options.hpp"

#include <stdexcept>

namespace bib::persistence {

const char* to_string(FsyncPolicy policy) noexcept {
  switch (policy) {
    case FsyncPolicy::always: return "always";
    case FsyncPolicy::batch: return "batch";
    case FsyncPolicy::never: return "never";
  }
  return "?";
}

FsyncPolicy fsync_option(const Value& config) {
  constexpr const char* allowed = "option 'fsync' must be \"always\", \"batch\" or \"never\"";
  const Value* option = config.find("fsync");
  if (option == nullptr || option->is_nil()) return FsyncPolicy::batch;
  if (!option->is_string())
    throw std::invalid_argument(std::string(allowed) + ", got " + Value::type_name(option->type()) + " " +
                                option->to_string());
  const std::string& text = option->as_string();
  for (FsyncPolicy policy : {FsyncPolicy::always, FsyncPolicy::batch, FsyncPolicy::never})
    if (text == to_string(policy)) return policy;
  throw std::invalid_argument(std::string(allowed) + ", got " + option->to_string());
}

std::string dir_option(const Value& config, const std::string& node_name) {
  const Value* option = config.find("dir");
  if (option == nullptr || option->is_nil()) return "data/" + node_name;
  if (!option->is_string() || option->as_string().empty())
    throw std::invalid_argument("option 'dir' must be a non-empty string (the node's data directory), got " +
                                option->to_string());
  return option->as_string();
}

}  // namespace bib::persistence
