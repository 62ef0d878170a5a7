// persistence-postgres in-process, what only it does, against the tests' PostgreSQL server
// (the ctest fixture `postgres`): its options, a server it cannot reach, nodes kept apart by
// schema, a flush that fails and is sent again, pages larger than one statement or one fetch.
// The contract all persistence plugins keep is tests/persistence/persistence_contract_test.cpp.
#include "postgres_persistence.hpp"

#include <memory>
#include <stdexcept>

#include <gtest/gtest.h>

#include "pg_connection.hpp"
#include "support/fake_context.hpp"
#include "support/persistence_support.hpp"
#include "support/postgres.hpp"

namespace bib::test {
namespace {

using persistence::PgConnection;
using persistence::PostgresPersistence;

using Instance = PersistenceInstance<PostgresPersistence>;

class PostgresPersistenceTest : public ::testing::Test {
 protected:
  Instance configured(Map options = {}) {
    if (!options.contains("conninfo")) options.insert_or_assign("conninfo", conninfo);
    if (!options.contains("schema")) options.insert_or_assign("schema", schema);
    return configured_persistence<PostgresPersistence>("unused", std::move(options));
  }
  Instance opened(Map options = {}) {
    Instance i = configured(std::move(options));
    replay_all(*i.plugin);
    return i;
  }
  std::vector<Event> replayed(Map options = {}) {
    Instance i = configured(std::move(options));
    std::vector<Event> events = replay_all(*i.plugin);
    i.plugin->stop();
    return events;
  }

  std::string conninfo = test_postgres_conninfo();
  std::string schema = unique_schema("pgtest");
};

TEST_F(PostgresPersistenceTest, AServerItCannotReachStopsStartUpSayingWhy) {
  Instance i = configured_persistence<PostgresPersistence>(
      "unused", Map{{"conninfo", "host=/nonexistent-bib-socket-dir port=5432 connect_timeout=2"}});
  try {
    replay_all(*i.plugin);
    FAIL() << "replay must throw without a server";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("postgres: connecting (host=/nonexistent-bib-socket-dir"), std::string::npos)
        << e.what();
  }
}

TEST_F(PostgresPersistenceTest, OptionsAreCheckedByName) {
  for (const auto& [options, expected] : std::vector<std::pair<Map, std::string>>{
           {Map{{"schema", 5}}, "option 'schema' must be a string"},
           {Map{{"schema", ""}}, "option 'schema' must not be empty"},
           {Map{{"conninfo", true}}, "option 'conninfo' must be a string"},
           {Map{{"database", "x"}}, "unknown option 'database'"}}) {
    FakeContext ctx{Value(options)};
    PostgresPersistence plugin;
    try {
      plugin.configure(ctx);
      ADD_FAILURE() << "accepted " << Value(options).to_string();
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  }
}

TEST_F(PostgresPersistenceTest, NodesInOneDatabaseAreKeptApartByTheirSchemas) {
  const std::string other = schema + "-other \"quoted\"";  // any name, quoted in SQL
  const auto mine = sample_events(5, "server-1");
  const auto theirs = sample_events(3, "server-2");
  {
    auto a = opened();
    auto b = opened({{"schema", other}});
    append_all(*a.plugin, mine);
    append_all(*b.plugin, theirs);
    a.plugin->flush();
    b.plugin->flush();
  }
  expect_same_events(mine, replayed());
  expect_same_events(theirs, replayed({{"schema", other}}));
}

TEST_F(PostgresPersistenceTest, TheDefaultSchemaIsTheNodesName) {
  PersistenceInstance<PostgresPersistence> i{
      std::make_unique<FakeContext>(Value(Map{{"conninfo", conninfo}}), schema + "-node"),
      std::make_unique<PostgresPersistence>()};
  i.plugin->configure(*i.ctx);
  replay_all(*i.plugin);
  append_all(*i.plugin, sample_events(2));
  i.plugin->stop();
  EXPECT_EQ(replayed({{"schema", schema + "-node"}}).size(), 2u);
}

TEST_F(PostgresPersistenceTest, AFlushThatFailsKeepsItsEventsAndTheNextOneStoresThem) {
  const auto events = sample_events(6);
  auto i = opened({{"conninfo", conninfo + " application_name=" + schema}});
  append_all(*i.plugin, std::vector<Event>(events.begin(), events.begin() + 3));
  i.plugin->flush();
  // The server drops the plugin's connection (a restart, a failover, a network cut).
  // pg_terminate_backend(pid, timeout) returns once the backend is gone (PostgreSQL 14 and later).
  PgConnection admin(conninfo);
  const auto terminated = admin.exec(
      "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE application_name = $1", {{schema}},
      "terminating the plugin's connection");
  ASSERT_EQ(terminated.rows(), 1);
  ASSERT_EQ(terminated.cell(0, 0), "t");
  append_all(*i.plugin, std::vector<Event>(events.begin() + 3, events.end()));
  EXPECT_THROW(i.plugin->flush(), std::runtime_error);
  EXPECT_EQ(i.plugin->pending(), 3u);
  i.plugin->flush();  // connects again and sends them
  EXPECT_EQ(i.plugin->pending(), 0u);
  i.plugin->stop();
  expect_same_events(events, replayed());
}

TEST_F(PostgresPersistenceTest, ManyEventsInOneFlushAndInOneReplayKeepTheirOrder) {
  // More than one INSERT (1000 rows) in one flush, more than one FETCH (5000 rows) in replay.
  const auto events = sample_events(6200);
  {
    auto i = opened();
    append_all(*i.plugin, events);
    i.plugin->flush();
    i.plugin->stop();
  }
  expect_same_events(events, replayed());
}

TEST_F(PostgresPersistenceTest, EveryAppendIsStoredAtOnceWithFsyncAlways) {
  auto i = opened({{"fsync", "always"}});
  append_all(*i.plugin, sample_events(3));
  EXPECT_EQ(i.plugin->pending(), 0u);
  EXPECT_EQ(replayed().size(), 3u);  // read by another connection while this one is open
}

}  // namespace
}  // namespace bib::test
