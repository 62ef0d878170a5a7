#include "cluster_view.hpp"

#include <chrono>
#include <map>

namespace bib::test {

using namespace std::chrono_literals;

namespace {

bib::ClientOptions quick() {
  bib::ClientOptions options;
  options.timeout = 1000ms;
  options.retries = 1;
  options.session = false;  // a probe of one server's own state, not a session
  return options;
}

}  // namespace

std::optional<ServerStatus> status_of(const LocalCluster& cluster, int server) {
  bib::Client client(cluster.server_endpoint(server), quick());
  auto reply = client.request("status");
  if (!reply) return std::nullopt;
  const bib::Value& d = reply.value().data;
  ServerStatus s;
  if (auto node = d.opt_string("node")) s.node = *node;
  if (auto digest = d.opt_string("digest")) s.digest = *digest;
  if (auto events = d.opt_int("events")) s.events = *events;
  if (auto coordinator = d.opt_string("coordinator")) s.coordinator = *coordinator;
  if (auto rank = d.opt_int("rank")) s.rank = *rank;
  if (auto time = d.opt_double("time")) s.time = *time;
  if (auto offset = d.opt_double("clock_offset")) s.offset = *offset;
  return s;
}

bool same_state(const LocalCluster& cluster, const std::vector<int>& servers, std::int64_t min_events,
                std::string* why) {
  std::string text;
  std::optional<ServerStatus> first;
  bool same = true;
  for (int n : servers) {
    auto s = status_of(cluster, n);
    text += "server-" + std::to_string(n) + ": ";
    if (!s) {
      text += "no answer; ";
      same = false;
      continue;
    }
    text += s->digest + " (" + std::to_string(s->events) + " events); ";
    if (s->events < min_events) same = false;
    if (!first) first = s;
    else if (s->digest != first->digest || s->events != first->events) same = false;
  }
  if (why) *why = text;
  return same;
}

bool paused_in_broker(const std::string& broker, const std::string& server) {
  bib::Client client(broker, quick());
  auto reply = client.request("broker");
  if (!reply || !reply.value().data.contains("workers")) return false;
  for (const auto& w : reply.value().data.get_array("workers"))
    if (w.get_string("name") == server) return w.get_bool("live") && w.opt_bool("paused").value_or(false);
  return false;
}

std::vector<std::string> history_on(const LocalCluster& cluster, int server, const std::string& channel) {
  bib::Client client(cluster.server_endpoint(server), quick());
  std::vector<std::string> newest_pages_first;
  std::vector<std::vector<std::string>> pages;
  bib::Map request{{"channel", channel}, {"limit", 1000}};
  for (int page = 0; page < 1000; ++page) {
    auto reply = client.request("history", request);
    if (!reply) break;
    const bib::Value& d = reply.value().data;
    const bib::Value* posts = d.find("posts");
    if (posts == nullptr || !posts->is_array()) break;
    std::vector<std::string> texts;
    for (const bib::Value& post : posts->as_array()) texts.push_back(post.get_string("message"));
    pages.push_back(std::move(texts));
    auto next = d.opt_string("next");
    if (!next) break;
    request["before"] = *next;
  }
  std::vector<std::string> all;
  for (auto it = pages.rbegin(); it != pages.rend(); ++it) all.insert(all.end(), it->begin(), it->end());
  return all;
}

Writer::Writer(const std::string& broker, std::string user, std::string channel)
    : client_(broker, [] {
        bib::ClientOptions o;
        o.timeout = 3000ms;
        o.retries = 4;
        return o;
      }()),
      user_(std::move(user)), channel_(std::move(channel)) {}

bool Writer::setup() {
  auto login = client_.request("login", bib::Map{{"user", user_}});
  if (!login || login.value().data.get_string("status") != "sucesso") {
    last_error_ = login ? login.value().data.to_string() : login.error().message;
    return false;
  }
  auto channel = client_.request("channel", bib::Map{{"channel", channel_}});
  if (!channel || channel.value().data.get_string("status") != "sucesso") {
    last_error_ = channel ? channel.value().data.to_string() : channel.error().message;
    return false;
  }
  return true;
}

bool Writer::post(const std::string& text) {
  auto reply = client_.request("publish", bib::Map{{"user", user_}, {"channel", channel_}, {"message", text}});
  if (!reply) {
    last_error_ = reply.error().message;
    return false;
  }
  const bib::Value* status = reply.value().data.find("status");
  if (status == nullptr || !status->is_string() || status->as_string() != "OK") {
    last_error_ = reply.value().data.to_string();
    return false;
  }
  acknowledged_.push_back(text);
  return true;
}

}  // namespace bib::test
