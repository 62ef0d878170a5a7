// Durability: every write the cluster acknowledged survives a restart of the whole cluster,
// graceful (SIGTERM) or a crash (SIGKILL of every server), with each persistence plugin that
// keeps data (json, sqlite, postgres); with memory a restart starts empty, as documented.
//
// Until replication lands each server holds only the writes the broker gave it, so "still
// there" means: in the union over the servers, asked one by one on their own 5561 port; and
// each server, after the restart, answers every read exactly as it did before.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "bib/client.hpp"
#include "pg_connection.hpp"
#include "support/cluster.hpp"
#include "support/postgres.hpp"
#include "support/wait.hpp"

namespace bib::test {
namespace {

using namespace std::chrono_literals;

constexpr int kServers = 3;
constexpr int kPageLimit = 3;  // small, so reading everything pages through cursors

struct Post {
  std::string user, channel, text;
  auto operator<=>(const Post&) const = default;
};
struct Message {
  std::string src, dst, text;
  auto operator<=>(const Message&) const = default;
};

// What the cluster acknowledged (sucesso / OK): the only writes it promised to keep.
struct Acknowledged {
  std::set<std::string> users, channels;
  std::vector<Post> posts;
  std::vector<Message> messages;

  void add(const Acknowledged& other) {
    users.insert(other.users.begin(), other.users.end());
    channels.insert(other.channels.begin(), other.channels.end());
    posts.insert(posts.end(), other.posts.begin(), other.posts.end());
    messages.insert(messages.end(), other.messages.begin(), other.messages.end());
  }
};

// A client without session guarantees: until replication lands no server can catch up with
// another's writes, so a session that saw server-1's writes would make server-2 wait for them.
ClientOptions plain_options() {
  ClientOptions options;
  options.timeout = 5000ms;
  options.session = false;
  return options;
}

std::string describe(const Result<Envelope>& r) {
  return r ? r.value().to_string() : "no reply: " + r.error().message;
}

bool acknowledged(const Result<Envelope>& r, const std::string& word) {
  return r && r.value().data.opt_string("status") == word;
}

// A reply's data without what changes from call to call (the server's stamps).
Value unstamped(Value data) {
  if (data.is_map()) {
    data.as_map().erase("timestamp");
    data.as_map().erase("clock");
  }
  return data;
}

// Writes through the broker. Without replication a post needs its user and its channel on the
// server the broker picks, so names are written once per server (round-robin spreads them)
// and each post or message is tried on up to every server in turn.
Acknowledged write_round(Client& client, const std::string& tag, const std::vector<std::string>& old_channels) {
  Acknowledged ok;
  const std::vector<std::string> users = {tag + "ana", tag + "bia", tag + "caio"};
  std::vector<std::string> channels = {tag + "geral", tag + "dev"};
  for (const auto& user : users)
    for (int i = 0; i < kServers; ++i)
      if (acknowledged(client.request("login", Map{{"user", user}}), "sucesso")) ok.users.insert(user);
  for (const auto& channel : channels)
    for (int i = 0; i < kServers; ++i)
      if (acknowledged(client.request("channel", Map{{"channel", channel}}), "sucesso")) ok.channels.insert(channel);
  // Posts also go to the channels of an earlier round, which exist from before a restart.
  for (const auto& old : old_channels) {
    channels.push_back(old);
    for (int i = 0; i < kServers; ++i) client.request("channel", Map{{"channel", old}});  // "already exists" is fine
  }

  auto write = [&](const std::string& service, Map data) {
    Result<Envelope> reply = Error{"not sent"};
    for (int i = 0; i < kServers; ++i) {
      reply = client.request(service, data);
      if (acknowledged(reply, "OK")) return true;
    }
    ADD_FAILURE() << service << " " << Value(data).to_string() << " was refused by every server: " << describe(reply);
    return false;
  };
  for (std::size_t i = 0; i < 8; ++i) {
    const Post post{users[i % users.size()], channels[i % channels.size()], tag + "post-" + std::to_string(i)};
    if (write("publish", Map{{"user", post.user}, {"channel", post.channel}, {"message", post.text}}))
      ok.posts.push_back(post);
  }
  for (std::size_t i = 0; i < 5; ++i) {
    const Message m{users[i % users.size()], users[(i + 1) % users.size()], tag + "pm-" + std::to_string(i)};
    if (write("message", Map{{"src", m.src}, {"dst", m.dst}, {"message", m.text}})) ok.messages.push_back(m);
  }
  return ok;
}

// Everything one server answers about the given names, read on its own port: users,
// channels, and each history and inbox in full (paged through `next`), or the error reply.
Value read_server(const std::string& endpoint, const std::vector<std::string>& users,
                  const std::vector<std::string>& channels) {
  Client client(endpoint, plain_options());
  Map view;
  auto ask = [&](const std::string& service, Map data) -> Value {
    auto reply = client.request(service, std::move(data));
    if (!reply) throw std::runtime_error(service + " to " + endpoint + ": " + reply.error().message);
    return unstamped(reply.value().data);
  };
  // Pages come newest first; each page is oldest first.
  auto read_all = [&](const std::string& service, const std::string& key, const std::string& name,
                      const std::string& list) -> Value {
    std::vector<Array> pages;
    Value before;
    for (int page = 0; page < 100; ++page) {
      Map request{{key, name}, {"limit", kPageLimit}};
      if (!before.is_nil()) request["before"] = before;
      Value data = ask(service, request);
      if (!data.contains(list)) return data;  // an error: kept as it is, to compare
      pages.push_back(data.get_array(list));
      if (!data.contains("next")) break;
      before = data.at("next");
    }
    Array all;
    for (auto it = pages.rbegin(); it != pages.rend(); ++it) all.insert(all.end(), it->begin(), it->end());
    return all;
  };
  view["users"] = ask("users", Map{});
  view["channels"] = ask("channels", Map{});
  for (const auto& c : channels) view["history " + c] = read_all("history", "channel", c, "posts");
  for (const auto& u : users) view["inbox " + u] = read_all("inbox", "user", u, "messages");
  return view;
}

using Views = std::map<int, Value>;  // server number -> its view

class RestartTest : public ::testing::TestWithParam<std::string> {
 protected:
  RestartTest() : cluster(options_for(GetParam())) {}

  static ClusterOptions options_for(const std::string& persistence) {
    ClusterOptions options;
    options.servers = kServers;
    options.persistence = persistence;
    if (persistence == "postgres") {
      // A database of this test's own on the tests' server; each server a schema in it.
      const std::string database = unique_schema("restart");
      persistence::PgConnection admin(test_postgres_conninfo());
      admin.exec("CREATE DATABASE " + admin.quote_identifier(database), "creating the test's database");
      options.set.push_back("server:plugins.persistence-postgres.conninfo=\"" + test_postgres_conninfo() +
                            " dbname=" + database + "\"");
    }
    return options;
  }

  // A try the client gave up on may still be on its way to a server: wait until the broker
  // holds nothing, so that a view is not taken halfway through a write.
  void wait_broker_idle() {
    Client client(cluster.broker_endpoint(), plain_options());
    const bool idle = wait_until(
        [&] {
          auto reply = client.request("broker");
          if (!reply || reply.value().data.opt_int("pending").value_or(1) != 0) return false;
          for (const auto& w : reply.value().data.get_array("workers"))
            if (w.get_int("inflight") != 0) return false;
          return true;
        },
        10000ms, 50ms);
    ASSERT_TRUE(idle) << "the broker still holds requests";
  }

  // (events, digest) of every server, from its `status` service (docs/commit.md).
  std::vector<Value> replica_states() {
    std::vector<Value> states;
    for (int n = 1; n <= kServers; ++n) {
      Client client(cluster.server_endpoint(n), plain_options());
      auto reply = client.request("status");
      if (!reply) throw std::runtime_error("status of server-" + std::to_string(n) + ": " + reply.error().message);
      states.push_back(Array{reply.value().data.at("events"), reply.value().data.at("digest")});
    }
    return states;
  }

  // With a replication plugin loaded, servers exchange writes after answering them: wait until
  // they hold the same state, or — servers that do not replicate — until nothing changes.
  void wait_settled() {
    std::vector<Value> last = replica_states();
    auto unchanged_since = std::chrono::steady_clock::now();
    const bool settled = wait_until(
        [&] {
          const std::vector<Value> now = replica_states();
          if (std::all_of(now.begin(), now.end(), [&](const Value& s) { return s == now.front(); })) return true;
          if (now != last) {
            last = now;
            unchanged_since = std::chrono::steady_clock::now();
          }
          return std::chrono::steady_clock::now() - unchanged_since >= 1500ms;
        },
        20000ms, 100ms);
    ASSERT_TRUE(settled) << "the servers' state kept changing";
  }

  Views read_all_servers() {
    wait_broker_idle();
    wait_settled();
    Views views;
    for (int n = 1; n <= kServers; ++n) views[n] = read_server(cluster.server_endpoint(n), users, channels);
    return views;
  }

  // Every acknowledged write is held by at least one server.
  static void expect_union_holds(const Views& views, const Acknowledged& ok) {
    std::set<std::string> all_users, all_channels;
    std::set<Post> all_posts;
    std::set<Message> all_messages;
    for (const auto& [n, view] : views) {
      for (const auto& u : view.at("users").get_array("users")) all_users.insert(u.as_string());
      for (const auto& c : view.at("channels").get_array("channels")) all_channels.insert(c.as_string());
      for (const auto& [key, value] : view.as_map()) {
        if (!value.is_array()) continue;
        for (const auto& e : value.as_array()) {
          if (key.rfind("history ", 0) == 0)
            all_posts.insert({e.get_string("user"), e.get_string("channel"), e.get_string("message")});
          else
            all_messages.insert({e.get_string("src"), e.get_string("dst"), e.get_string("message")});
        }
      }
    }
    for (const auto& u : ok.users) EXPECT_TRUE(all_users.count(u)) << "user " << u << " is lost";
    for (const auto& c : ok.channels) EXPECT_TRUE(all_channels.count(c)) << "channel " << c << " is lost";
    for (const auto& p : ok.posts)
      EXPECT_TRUE(all_posts.count(p)) << "post '" << p.text << "' by " << p.user << " in " << p.channel << " is lost";
    for (const auto& m : ok.messages)
      EXPECT_TRUE(all_messages.count(m)) << "message '" << m.text << "' " << m.src << " -> " << m.dst << " is lost";
  }

  void expect_same_answers(const Views& before, const Views& after, const std::string& what) {
    for (const auto& [n, view] : before)
      EXPECT_EQ(view, after.at(n)) << "server-" << n << " answers differently after " << what
                                   << "\nbefore: " << view.to_string() << "\nafter:  " << after.at(n).to_string()
                                   << "\nlog:\n" << cluster.log_of("server-" + std::to_string(n));
  }

  LocalCluster cluster;
  // Every name either round writes: each view asks about all of them, written yet or not.
  std::vector<std::string> users = {"r1-ana", "r1-bia", "r1-caio", "r2-ana", "r2-bia", "r2-caio"};
  std::vector<std::string> channels = {"r1-geral", "r1-dev", "r2-geral", "r2-dev"};
};

TEST_P(RestartTest, AcknowledgedWritesSurviveAGracefulAndACrashRestart) {
  cluster.up();
  Acknowledged ok;
  {
    Client client(cluster.broker_endpoint(), plain_options());
    ok.add(write_round(client, "r1-", {}));
  }
  ASSERT_FALSE(HasFailure());
  const Views first = read_all_servers();
  expect_union_holds(first, ok);

  cluster.restart_all();  // graceful: SIGTERM to every process
  expect_same_answers(first, read_all_servers(), "a graceful restart");
  expect_union_holds(read_all_servers(), ok);

  // Writes after the restart continue each server's log: new (origin, seq), later clocks.
  {
    Client client(cluster.broker_endpoint(), plain_options());  // a fresh client: its clock starts at 0
    ok.add(write_round(client, "r2-", {"r1-geral", "r1-dev"}));
  }
  const Views second = read_all_servers();
  expect_union_holds(second, ok);
  for (const auto& [n, view] : second) {
    // A message shows in the inbox of both ends: the same id must always be the same entry.
    std::map<std::pair<std::string, std::int64_t>, Value> by_id;
    std::int64_t newest_r1 = 0, oldest_r2 = INT64_MAX;
    for (const auto& [key, value] : view.as_map()) {
      if (!value.is_array()) continue;
      std::set<std::pair<std::string, std::int64_t>> in_list;
      for (const auto& e : value.as_array()) {
        const std::pair<std::string, std::int64_t> id{e.get_string("origin"), e.get_int("seq")};
        EXPECT_TRUE(in_list.insert(id).second) << "server-" << n << ": " << key << " lists twice " << e.to_string();
        const auto [known, fresh] = by_id.emplace(id, e);
        EXPECT_TRUE(fresh || known->second == e)
            << "server-" << n << ": two events share one id: " << known->second.to_string() << " and " << e.to_string();
        const bool r2 = e.get_string("message").rfind("r2-", 0) == 0;
        if (r2) oldest_r2 = std::min(oldest_r2, e.get_int("clock"));
        else newest_r1 = std::max(newest_r1, e.get_int("clock"));
      }
    }
    EXPECT_GT(oldest_r2, newest_r1) << "server-" << n << ": a write after the restart sorts before older ones: "
                                    << view.to_string();
  }

  // A crash: every server SIGKILLed, no chance to snapshot or close anything.
  for (int n = 1; n <= kServers; ++n) cluster.kill("server-" + std::to_string(n));
  cluster.restart_all();
  const Views after_crash = read_all_servers();
  expect_same_answers(second, after_crash, "a crash of every server");
  expect_union_holds(after_crash, ok);
}

INSTANTIATE_TEST_SUITE_P(Persistence, RestartTest, ::testing::Values("json", "sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

// persistence-memory keeps nothing: after a whole-cluster restart every server is empty, and
// the cluster serves as a new one (the same names can be created again).
TEST(MemoryRestartTest, AWholeClusterRestartStartsEmptyAndServes) {
  ClusterOptions options;
  options.servers = 2;
  options.persistence = "memory";
  LocalCluster cluster(options);
  cluster.up();
  const std::vector<std::string> users = {"ana"}, channels = {"geral"};
  // The texts of the posts in `geral` that any server holds.
  auto posts_held = [&] {
    std::multiset<std::string> texts;
    for (int n = 1; n <= options.servers; ++n) {
      const Value view = read_server(cluster.server_endpoint(n), users, channels);
      if (view.at("history geral").is_array())
        for (const auto& p : view.at("history geral").as_array()) texts.insert(p.get_string("message"));
    }
    return std::set<std::string>(texts.begin(), texts.end());
  };
  // A user and a channel on every server (round-robin: once per server), then one post.
  auto write = [&](const std::string& text) {
    Client client(cluster.broker_endpoint(), plain_options());
    for (int i = 0; i < options.servers; ++i)
      EXPECT_TRUE(acknowledged(client.request("login", Map{{"user", "ana"}}), "sucesso"));
    auto channel = client.request("channel", Map{{"channel", "geral"}});
    EXPECT_TRUE(acknowledged(channel, "sucesso")) << "the channel should be new: " << describe(channel);
    for (int i = 1; i < options.servers; ++i) client.request("channel", Map{{"channel", "geral"}});
    bool posted = false;
    for (int i = 0; i < options.servers && !posted; ++i)
      posted = acknowledged(client.request("publish", Map{{"user", "ana"}, {"channel", "geral"}, {"message", text}}), "OK");
    EXPECT_TRUE(posted) << "no server took the post '" << text << "'";
  };

  write("antes");
  EXPECT_EQ(posts_held(), std::set<std::string>{"antes"});

  cluster.restart_all();
  for (int n = 1; n <= options.servers; ++n) {
    const Value view = read_server(cluster.server_endpoint(n), users, channels);
    EXPECT_EQ(view.at("users").at("users"), Value(Array{})) << "server-" << n << ": " << view.to_string();
    EXPECT_EQ(view.at("channels").at("channels"), Value(Array{})) << "server-" << n << ": " << view.to_string();
    EXPECT_EQ(view.at("history geral").opt_string("message"), "unknown channel 'geral'") << view.to_string();
    EXPECT_EQ(view.at("inbox ana").opt_string("message"), "unknown user 'ana'") << view.to_string();
  }

  // It serves as a new cluster: the same names are new again.
  write("depois");
  EXPECT_EQ(posts_held(), std::set<std::string>{"depois"});
}

}  // namespace
}  // namespace bib::test
