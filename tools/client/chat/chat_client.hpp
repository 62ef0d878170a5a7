// The chat's logic, apart from any terminal: it runs the commands a person types
// (chat_command.hpp) against the cluster, through a request Session and a LiveFeed, and puts
// every outcome and arrival as lines into the windows (chat_windows.hpp). The screens only
// draw the windows and hand typed lines to perform().
//
// Subscriptions follow what the person is in: the logged-in user's topic (private messages;
// another /login leaves the previous user's), and one topic per joined channel (/part leaves
// it). When the proxy restarts ZeroMQ reconnects and resubscribes every topic by itself.
// Own posts and messages show at once; their copy coming back through pub/sub is not shown
// twice.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <utility>

#include "answering_server.hpp"
#include "bib_cli/connection.hpp"
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

  // What the status line shows.
  const std::string& user() const noexcept { return user_; }
  std::uint64_t lamport() noexcept { return session_.lamport().value(); }
  const std::string& answered_by() const noexcept { return answering_.last(); }
  const std::string& broker() const noexcept { return connection_.broker; }

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
  // True (and forgotten) when this arrival is the copy of something we showed already.
  bool echo_of_own(const std::string& where, const std::string& text);

  const cli::Connection& connection_;
  ChatWindows& windows_;
  cli::WirePrinter& wire_;
  cli::Session session_;
  cli::LiveFeed feed_;
  AnsweringServer answering_;
  std::string user_;  // empty until a login succeeded
  // Own posts ("#geral") and messages ("@bia") shown but not yet back from pub/sub.
  std::deque<std::pair<std::string, std::string>> own_pending_;
};

}  // namespace bib::chat
