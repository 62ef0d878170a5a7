// The chat's logic, apart from any terminal: it runs the commands a person types
// (chat_command.hpp) against the cluster, through a request Session and a LiveFeed, and puts
// every outcome and arrival as lines into the windows (chat_windows.hpp). The screens only
// draw the windows and hand typed lines to perform().
//
// Subscriptions follow what the person is in: the logged-in user's topic (private messages;
// another /login leaves the previous user's), and one topic per joined channel (/part leaves
// it). When the proxy restarts ZeroMQ reconnects and resubscribes every topic by itself; the
// chat watches that connection, says when it is lost, and once it is back shows what was posted
// to its channels and sent to its user meanwhile (from history and inbox: pub/sub lost it).
// Own posts and messages show at once; their copy coming back through pub/sub is not shown
// twice.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>

#include "answering_server.hpp"
#include "bib_cli/connection.hpp"
#include "bib_cli/connection_watch.hpp"
#include "bib_cli/live_feed.hpp"
#include "bib_cli/session.hpp"
#include "chat_command.hpp"
#include "chat_windows.hpp"

namespace bib::chat {

class ChatClient {
 public:
  ChatClient(const cli::Connection& connection, ChatWindows& windows, cli::WirePrinter& wire);

  // Runs one typed line; false when it asked to quit.
  bool perform(const std::string& line);
  // Shows every arrival queued on the feed.
  void take_arrivals();
  zmq::pollitem_t feed_poll_item() noexcept { return feed_.poll_item(); }
  // The proxy connection's events: lost, back (then catches up).
  void take_connection_changes();
  zmq::pollitem_t watch_poll_item() noexcept { return feed_watch_.poll_item(); }

  // What the status line shows.
  const std::string& user() const noexcept { return user_; }
  std::uint64_t lamport() noexcept { return session_.lamport().value(); }
  const std::string& answered_by() const noexcept { return answering_.last(); }
  const std::string& broker() const noexcept { return connection_.broker; }
  bool proxy_connected() const noexcept { return feed_watch_.connected(); }

 private:
  void run(const ChatCommand& command);
  void login(const std::string& name);
  void join(const std::string& channel);
  void part(const std::vector<std::string>& args);
  void send_private(const std::string& to, const std::string& text);
  void query(const std::string& peer);
  void history(int limit);
  void list(const std::string& service);
  void cluster_status();
  void say(const std::string& text);

  // One request; an error line in the current window when it fails. The reply data when accepted.
  std::optional<Value> call(const std::string& service, Value data, bool write);
  bool logged_in();
  void info(const std::string& text, std::size_t window);
  void error(const std::string& text);
  void show_post(std::size_t window, const Value& post);
  void show_private(std::size_t window, const Value& message);
  // Shows the last `limit` private messages between us and `peer` in its window.
  void show_conversation(const std::string& peer, int limit);
  // Lines shown before their pub/sub copy arrives: our own posts and messages as we send them
  // (keyed by where and text), and what a catch-up shows (keyed by where, author, text and
  // clock), since the servers' publishers queue what the proxy missed and send it once it is
  // back. copy_expected() is true, once, for such a copy.
  void expect_copy(std::string key);
  bool copy_expected(const std::string& key);
  // After the proxy came back: what the joined channels and our user got while it was gone.
  void catch_up();

  const cli::Connection& connection_;
  ChatWindows& windows_;
  cli::WirePrinter& wire_;
  zmq::context_t context_;  // shared by the session and the feed, so the feed can be watched
  cli::Session session_;
  cli::LiveFeed feed_;
  cli::ConnectionWatch feed_watch_;
  AnsweringServer answering_;
  std::string user_;  // empty until a login succeeded
  std::deque<std::string> copies_expected_;  // keys, oldest first
  // The highest Lamport clock shown per channel, and of private messages: what catch_up skips.
  std::map<std::string, std::int64_t> channel_clock_;
  std::int64_t private_clock_ = 0;
};

}  // namespace bib::chat
