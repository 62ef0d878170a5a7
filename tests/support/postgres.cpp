#include "support/postgres.hpp"

#include <fstream>
#include <random>
#include <stdexcept>

namespace bib::test {

std::string test_postgres_conninfo() {
  const std::string dir = std::string(BIB_BIN_DIR) + "/../Testing/postgres";
  std::ifstream in(dir + "/conninfo");
  std::string conninfo;
  if (!std::getline(in, conninfo) || conninfo.empty())
    throw std::runtime_error("no test PostgreSQL server (" + dir +
                             "/conninfo): ctest starts it (fixture postgres); by hand: "
                             "tests/support/postgres_server.sh start " + dir);
  return conninfo;
}

std::string unique_schema(const std::string& prefix) {
  std::random_device seed;
  std::mt19937_64 random(seed());
  return prefix + "_" + std::to_string(random() % 1000000000000ULL);
}

}  // namespace bib::test
