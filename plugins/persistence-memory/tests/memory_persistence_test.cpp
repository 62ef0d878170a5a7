// persistence-memory: nothing at start, everything appended while it lives, options checked.
#include "memory_persistence.hpp"

#include <filesystem>
#include <stdexcept>

#include <gtest/gtest.h>

#include "persistence_test_support.hpp"
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

TEST(MemoryPersistence, KeepsEveryEventOnceInAppendOrder) {
  FakeContext ctx;
  MemoryPersistence plugin;
  plugin.configure(ctx);
  replay_all(plugin);
  const auto events = concat(sample_events(7, "server-2", 1, 3), sample_events(6, "server-1", 1, 1));
  append_all(plugin, events);
  plugin.append(events[3]);  // the same (origin, seq) again
  plugin.flush();
  expect_same_events(events, plugin.events());
  expect_same_events(events, replay_all(plugin));
  plugin.stop();
}

TEST(MemoryPersistence, InvalidFsyncIsRefused) {
  FakeContext ctx{Value(Map{{"fsync", "sometimes"}})};
  MemoryPersistence plugin;
  try {
    plugin.configure(ctx);
    FAIL() << "configure must throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("option 'fsync'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bib::test
