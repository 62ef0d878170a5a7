#include "bib_cli/client_context.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "bib/json.hpp"

namespace bib::cli {

std::string current_context_pointer() {
  // XDG: a relative XDG_STATE_HOME is invalid and must be ignored.
  if (const char* state = std::getenv("XDG_STATE_HOME"); state != nullptr && state[0] == '/')
    return std::string(state) + "/bulletinboard/current";
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0')
    return std::string(home) + "/.local/state/bulletinboard/current";
  return "";
}

namespace {

// An endpoint key: absent is fine (the next source decides), anything but a non-empty string is not.
std::optional<std::string> endpoint_field(const Value& context, const char* key, std::string& problem) {
  const Value* value = context.find(key);
  if (value == nullptr || value->is_nil()) return std::nullopt;
  if (!value->is_string() || value->as_string().empty()) {
    problem = std::string("'") + key + "' must be a non-empty string such as \"tcp://127.0.0.1:5555\"";
    return std::nullopt;
  }
  return value->as_string();
}

}  // namespace

Result<ClientContext> read_client_context(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{"context " + path + ": cannot be read"};
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = parse_json(text.str());
  if (!parsed) return Error{"context " + path + ": not JSON: " + parsed.error().message};
  const Value& data = parsed.value();
  if (!data.is_map()) return Error{"context " + path + ": must be a JSON object of endpoints"};
  ClientContext context;
  context.path = path;
  if (const Value* name = data.find("name"); name != nullptr && name->is_string()) context.name = name->as_string();
  std::string problem;
  context.broker = endpoint_field(data, "broker", problem);
  context.proxy = endpoint_field(data, "proxy", problem);
  context.reference = endpoint_field(data, "reference", problem);
  if (!problem.empty()) return Error{"context " + path + ": " + problem};
  return context;
}

}  // namespace bib::cli
