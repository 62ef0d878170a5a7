// The chat's side that listens: arrivals from pub/sub, the proxy connection's changes and the
// catch-up after it comes back, and the copies of lines already shown that must not show twice.
#include <algorithm>

#include "bib_cli/display.hpp"
#include "chat_client.hpp"
#include "chat_entries.hpp"

namespace bib::chat {

namespace {

constexpr std::size_t kMaxExpected = 2000;  // lines shown awaiting their pub/sub copy

}  // namespace

void ChatClient::expect_copy(std::string key) {
  copies_expected_.push_back(std::move(key));
  if (copies_expected_.size() > kMaxExpected) copies_expected_.pop_front();
}

bool ChatClient::copy_expected(const std::string& key) {
  const auto found = std::find(copies_expected_.begin(), copies_expected_.end(), key);
  if (found == copies_expected_.end()) return false;
  copies_expected_.erase(found);
  return true;
}

void ChatClient::take_arrivals() {
  for (const auto& arrival : feed_.take()) {
    const Value& data = arrival.envelope.data;
    if (arrival.envelope.service == "publish") {
      const std::size_t window = windows_.find(ChatWindow::Type::channel, arrival.topic);
      if (window == ChatWindows::npos) continue;  // a post queued before /part
      // Seen even when it is the copy of our own: a catch-up must not show it again.
      auto& highest = channel_clock_[arrival.topic];
      highest = std::max(highest, clock_of(data));
      const std::string where = "#" + arrival.topic;
      if (copy_expected(event_key(where, data, "user"))) continue;
      if (cli::field_text(data, "user") == user_ && copy_expected(own_key(where, cli::field_text(data, "message"))))
        continue;
      show_post(window, data);
    } else if (arrival.envelope.service == "message" && arrival.topic == user_) {
      const std::string src = cli::field_text(data, "src");
      private_clock_ = std::max(private_clock_, clock_of(data));
      const std::string where = "@" + user_;
      if (copy_expected(event_key(where, data, "src"))) continue;
      if (src == user_ && copy_expected(own_key(where, cli::field_text(data, "message")))) continue;
      show_private(windows_.open(ChatWindow::Type::query, src), data);
    }
  }
}

void ChatClient::take_connection_changes() {
  switch (feed_watch_.take()) {
    case cli::ConnectionWatch::Change::disconnected:
      error("lost the proxy " + connection_.proxy + ": posts and messages wait until it is back");
      break;
    case cli::ConnectionWatch::Change::reconnected:
      info("the proxy is back: subscriptions sent again; catching up with what came meanwhile", 0);
      catch_up();
      break;
    case cli::ConnectionWatch::Change::connected:
    case cli::ConnectionWatch::Change::none:
      break;
  }
}

void ChatClient::catch_up() {
  std::vector<std::string> channels;  // names first: showing lines may open windows
  for (const auto& window : windows_.all())
    if (window.type == ChatWindow::Type::channel) channels.push_back(window.name);
  for (const auto& channel : channels) {
    auto reply = call("history", Map{{"channel", channel}, {"limit", kMaxHistory}}, false);
    if (!reply) continue;
    const std::int64_t seen = channel_clock_[channel];
    const std::string where = "#" + channel;
    for (const auto& post : array_field(*reply, "posts")) {
      if (clock_of(post) <= seen) continue;
      expect_copy(event_key(where, post, "user"));
      if (cli::field_text(post, "user") == user_ && copy_expected(own_key(where, cli::field_text(post, "message"))))
        continue;  // shown when we sent it
      show_post(windows_.find(ChatWindow::Type::channel, channel), post);
    }
  }
  if (user_.empty()) return;
  auto reply = call("inbox", Map{{"user", user_}, {"limit", kMaxHistory}}, false);
  if (!reply) return;
  const std::int64_t seen = private_clock_;
  for (const auto& message : array_field(*reply, "messages")) {
    // What we sent shows when we send it; only what came to us can have been missed.
    if (clock_of(message) <= seen || cli::field_text(message, "dst") != user_) continue;
    const std::string src = cli::field_text(message, "src"), where = "@" + user_;
    expect_copy(event_key(where, message, "src"));
    if (src == user_ && copy_expected(own_key(where, cli::field_text(message, "message")))) continue;
    show_private(windows_.open(ChatWindow::Type::query, src), message);
  }
}

}  // namespace bib::chat
