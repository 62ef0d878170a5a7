#include "bib_cli/client_context.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
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

std::string saved_contexts_dir() {
  if (const char* config = std::getenv("XDG_CONFIG_HOME"); config != nullptr && config[0] == '/')
    return std::string(config) + "/bulletinboard/contexts";
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0')
    return std::string(home) + "/.config/bulletinboard/contexts";
  return "";
}

std::string context_path(const std::string& name_or_path) {
  const bool path = name_or_path.find('/') != std::string::npos ||
                    (name_or_path.size() > 5 && name_or_path.compare(name_or_path.size() - 5, 5, ".json") == 0);
  return path ? name_or_path : saved_contexts_dir() + "/" + name_or_path + ".json";
}

std::vector<std::string> saved_context_names() {
  std::vector<std::string> names;
  std::error_code missing;
  for (const auto& entry : std::filesystem::directory_iterator(saved_contexts_dir(), missing))
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

Result<bool> write_client_context(const std::string& path, const ClientContext& context) {
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ignored);
  Map data;
  if (!context.name.empty()) data["name"] = context.name;
  if (context.broker) data["broker"] = *context.broker;
  if (context.proxy) data["proxy"] = *context.proxy;
  if (context.reference) data["reference"] = *context.reference;
  if (context.keys) data["keys"] = *context.keys;
  if (context.broker_key) data["broker_key"] = *context.broker_key;
  if (context.proxy_key) data["proxy_key"] = *context.proxy_key;
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::trunc);
    if (!(out << to_json(data) << "\n") || !out.flush()) return Error{"context " + path + ": cannot be written"};
  }
  std::filesystem::rename(temporary, path, ignored);
  if (ignored) {
    std::filesystem::remove(temporary, ignored);
    return Error{"context " + path + ": cannot be written"};
  }
  return true;
}

Result<bool> point_current_at(const std::string& path) {
  const std::string pointer = current_context_pointer();
  if (pointer.empty()) return Error{"no place for the current context (neither XDG_STATE_HOME nor HOME is set)"};
  std::error_code failed;
  std::filesystem::create_directories(std::filesystem::path(pointer).parent_path(), failed);
  const std::string fresh = pointer + ".new." + std::to_string(::getpid());
  std::filesystem::remove(fresh, failed);
  std::filesystem::create_symlink(std::filesystem::absolute(path), fresh, failed);
  if (!failed) std::filesystem::rename(fresh, pointer, failed);  // replaces it in one step
  if (failed) return Error{"cannot point " + pointer + " at " + path + ": " + failed.message()};
  return true;
}

namespace {

// A string key: absent is fine (the next source decides), anything but a non-empty string is
// not; `example` shows what is meant.
std::optional<std::string> string_field(const Value& context, const char* key, const char* example,
                                        std::string& problem) {
  const Value* value = context.find(key);
  if (value == nullptr || value->is_nil()) return std::nullopt;
  if (!value->is_string() || value->as_string().empty()) {
    problem = std::string("'") + key + "' must be a non-empty string such as \"" + example + "\"";
    return std::nullopt;
  }
  return value->as_string();
}

std::optional<std::string> endpoint_field(const Value& context, const char* key, std::string& problem) {
  return string_field(context, key, "tcp://127.0.0.1:5555", problem);
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
  context.keys = string_field(data, "keys", "run/keys", problem);
  context.broker_key = string_field(data, "broker_key", "run/keys/broker.pub", problem);
  context.proxy_key = string_field(data, "proxy_key", "run/keys/proxy.pub", problem);
  if (!problem.empty()) return Error{"context " + path + ": " + problem};
  return context;
}

}  // namespace bib::cli
