#include "bib_cli/session_file.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "bib/json.hpp"
#include "bib/value.hpp"

namespace bib::cli {

VersionVector read_session_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = parse_json(text.str());
  if (!parsed || !parsed.value().is_map()) return {};
  try {
    return version_vector_from_value(parsed.value(), "session");
  } catch (const FieldError&) {
    return {};
  }
}

bool write_session_file(const std::string& path, const VersionVector& session) {
  // A name of this process's own beside the file, so that rename() replaces it atomically.
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::trunc);
    if (!out) return false;
    out << to_json(to_value(session)) << "\n";
    if (!out.flush()) {
      std::remove(temporary.c_str());
      return false;
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

}  // namespace bib::cli
