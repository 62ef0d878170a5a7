// The tests' PostgreSQL server (tests/support/postgres_server.sh, started by the ctest fixture
// `postgres` of tests/testing.cmake): its libpq conninfo, and a schema name of a test's own.
#pragma once

#include <string>

namespace bib::test {

// "host=<dir> port=5432 user=bib dbname=postgres". Throws, saying how to start the server,
// when it is not running (a test binary run outside ctest).
std::string test_postgres_conninfo();

// A schema name no other test uses: the prefix and a random suffix.
std::string unique_schema(const std::string& prefix);

}  // namespace bib::test
