// persistence-memory: what only it does (nothing on disk, its option list). The contract it
// shares with the other persistence plugins is tests/persistence/persistence_contract_test.cpp.
#include "memory_persistence.hpp"

#include <filesystem>
#include <stdexcept>

#include <gtest/gtest.h>

#include "support/persistence_support.hpp"
#include "support/fake_context.hpp"

namespace bib::test {
namespace {

using persistence::MemoryPersistence;

TEST(MemoryPersistence, ANewObjectReplaysNothing) {
  FakeContext ctx{Value(Map{{"dir", "/nonexistent/never/created"}, {"fsync", "always"}})};
  MemoryPersistence plugin;
  plugin.configure(ctx);
  EXPECT_TRUE(replay_all(plugin).empty());
  EXPECT_FALSE(std::filesystem::exists("/nonexistent/never/created"));
}



TEST(MemoryPersistence, UnknownOptionIsRefused) {
  FakeContext ctx{Value(Map{{"dir", "/nonexistent"}, {"fsnyc", "never"}})};
  MemoryPersistence plugin;
  try {
    plugin.configure(ctx);
    FAIL() << "configure must refuse an unknown option";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "unknown option 'fsnyc' (options: dir, fsync, snapshot_every)");
  }
}

}  // namespace
}  // namespace bib::test
