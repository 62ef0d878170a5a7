// The chat's side that acts: the commands a person types, each a request or a change of
// subscription, their outcomes as lines in the windows.
#include "chat_client.hpp"

#include <algorithm>

#include "bib_cli/cluster_status.hpp"
#include "bib_cli/display.hpp"
#include "chat_entries.hpp"

namespace bib::chat {

namespace {

constexpr int kDefaultHistory = 20;

}  // namespace

ChatClient::ChatClient(const cli::Connection& connection, ChatWindows& windows, cli::WirePrinter& wire)
    : connection_(connection),
      windows_(windows),
      wire_(wire),
      session_(connection.broker, connection.broker_options(), wire, &context_),
      feed_(connection.proxy, wire, &session_.lamport(), &context_, connection.proxy_prepare()),
      feed_watch_(feed_.socket(), context_) {
  session_.keep_in(connection.session_file);
  const bool from_context = connection.origin.broker.rfind("context ", 0) == 0 ||
                            connection.origin.proxy.rfind("context ", 0) == 0;
  info("BulletInBoard: broker " + connection.broker + ", proxy " + connection.proxy +
           (from_context ? " (context " + (connection.context_name.empty() ? connection.context_file : connection.context_name) + ")" : ""),
       0);
  info("/login NAME, then /join CHANNEL; /help lists every command and key", 0);
}

bool ChatClient::perform(const std::string& line) {
  auto command = parse_chat_command(line);
  if (!command) {
    if (!command.error().message.empty()) error(command.error().message);
    return true;
  }
  if (command.value().kind == ChatCommand::Kind::quit) return false;
  run(command.value());
  return true;
}

void ChatClient::run(const ChatCommand& command) {
  using K = ChatCommand::Kind;
  const auto& a = command.args;
  switch (command.kind) {
    case K::say: say(a[0]); break;
    case K::login: login(a[0]); break;
    case K::join: join(a[0]); break;
    case K::part: part(a); break;
    case K::msg: send_private(a[0], a[1]); break;
    case K::query: query(a[0]); break;
    case K::history: history(a.empty() ? kDefaultHistory : std::stoi(a[0])); break;
    case K::users: list("users"); break;
    case K::channels: list("channels"); break;
    case K::status: cluster_status(); break;
    case K::window:
      if (const auto n = static_cast<std::size_t>(std::stoi(a[0])); n <= windows_.all().size()) windows_.select(n - 1);
      else error("no window " + a[0] + " (there are " + std::to_string(windows_.all().size()) + ")");
      break;
    case K::help:
      for (const auto& text : chat_help()) info(text, windows_.current_index());
      break;
    case K::quit: break;
  }
}

std::optional<Value> ChatClient::call(const std::string& service, Value data, bool write) {
  const cli::Outcome outcome = session_.call(service, std::move(data));
  if (!outcome.data.is_nil()) answering_.observe(outcome.data, write && outcome.ok());
  if (outcome.ok()) return outcome.data;
  error(service + (outcome.kind == cli::Outcome::Kind::unreachable ? ": unreachable: " : ": ") + outcome.error);
  return std::nullopt;
}

bool ChatClient::logged_in() {
  if (!user_.empty()) return true;
  error("log in first: /login NAME");
  return false;
}

void ChatClient::info(const std::string& text, std::size_t window) {
  windows_.add(window, ChatLine{now_text(), ChatLine::Kind::info, "", text});
}

void ChatClient::error(const std::string& text) {
  windows_.add_to_current(ChatLine{now_text(), ChatLine::Kind::error, "", text});
}

void ChatClient::show_post(std::size_t window, const Value& post) {
  auto& highest = channel_clock_[cli::field_text(post, "channel")];
  highest = std::max(highest, clock_of(post));
  const std::string author = cli::field_text(post, "user");
  windows_.add(window, ChatLine{time_of(post), author == user_ ? ChatLine::Kind::own : ChatLine::Kind::post, author,
                                cli::field_text(post, "message")});
}

void ChatClient::show_private(std::size_t window, const Value& message) {
  private_clock_ = std::max(private_clock_, clock_of(message));
  const std::string from = cli::field_text(message, "src");
  windows_.add(window, ChatLine{time_of(message), from == user_ ? ChatLine::Kind::own : ChatLine::Kind::private_message,
                                from, cli::field_text(message, "message")});
}

void ChatClient::login(const std::string& name) {
  if (!call("login", Map{{"user", name}}, true)) return;
  if (!user_.empty() && user_ != name) {
    feed_.leave(user_);
    info("no longer receiving " + user_ + "'s private messages", 0);
  }
  user_ = name;
  feed_.join(user_);
  info("logged in as " + user_, windows_.current_index());
}

void ChatClient::join(const std::string& channel) {
  // Creating a channel that exists is refused, and that is fine here: joining is the point.
  const cli::Outcome created = session_.call("channel", Map{{"channel", channel}});
  if (!created.data.is_nil()) answering_.observe(created.data, created.ok());
  if (created.kind == cli::Outcome::Kind::unreachable) {
    error("join " + channel + ": unreachable: " + created.error);
    return;
  }
  if (!created.ok() && created.error.find("already exists") == std::string::npos) {
    error("join " + channel + ": " + created.error);
    return;
  }
  feed_.join(channel);
  const std::size_t window = windows_.open(ChatWindow::Type::channel, channel);
  windows_.select(window);
  info(created.ok() ? "created and joined #" + channel : "joined #" + channel, window);
  history(kDefaultHistory);
}

void ChatClient::part(const std::vector<std::string>& args) {
  std::size_t window = windows_.current_index();
  if (!args.empty()) {
    window = windows_.find(ChatWindow::Type::channel, args[0]);
    if (window == ChatWindows::npos) {
      error("not in #" + args[0]);
      return;
    }
  }
  // Copies: closing the window frees it.
  const ChatWindow::Type type = windows_.all()[window].type;
  const std::string name = windows_.all()[window].name, label = windows_.all()[window].label();
  if (type == ChatWindow::Type::status) {
    error("usage: /part [CHANNEL] (this is the status window)");
    return;
  }
  if (type == ChatWindow::Type::channel) feed_.leave(name);
  windows_.close(window);
  info(type == ChatWindow::Type::channel ? "left " + label : "closed " + label, 0);
}

void ChatClient::send_private(const std::string& to, const std::string& text) {
  if (!logged_in()) return;
  // The window opens once the message is accepted: none for a user who does not exist.
  if (!call("message", Map{{"src", user_}, {"dst", to}, {"message", text}}, true)) return;
  windows_.add(windows_.open(ChatWindow::Type::query, to), ChatLine{now_text(), ChatLine::Kind::own, user_, text});
  // Only a message to ourselves comes back through our own topic.
  if (to == user_) expect_copy(own_key("@" + to, text));
}

void ChatClient::query(const std::string& peer) {
  windows_.select(windows_.open(ChatWindow::Type::query, peer));
  if (!user_.empty()) show_conversation(peer, kDefaultHistory);
}

void ChatClient::show_conversation(const std::string& peer, int limit) {
  auto reply = call("inbox", Map{{"user", user_}, {"limit", kMaxHistory}}, false);
  if (!reply) return;
  std::vector<const Value*> between;
  for (const auto& m : array_field(*reply, "messages")) {
    const std::string src = cli::field_text(m, "src"), dst = cli::field_text(m, "dst");
    if ((src == peer && dst == user_) || (src == user_ && dst == peer)) between.push_back(&m);
  }
  const std::size_t window = windows_.open(ChatWindow::Type::query, peer);
  const std::size_t shown = std::min<std::size_t>(between.size(), static_cast<std::size_t>(limit));
  info("-- the last " + std::to_string(shown) + " message(s) with " + peer + " --", window);
  for (std::size_t i = between.size() - shown; i < between.size(); ++i) show_private(window, *between[i]);
}

void ChatClient::history(int limit) {
  const ChatWindow::Type type = windows_.current().type;
  const std::string name = windows_.current().name;  // a copy: opening a window may move them
  if (type == ChatWindow::Type::query) {
    if (logged_in()) show_conversation(name, limit);
    return;
  }
  if (type != ChatWindow::Type::channel) {
    error("/history shows a channel's or a query's past: go to its window, or /join CHANNEL");
    return;
  }
  const std::string& channel = name;
  const std::size_t window = windows_.current_index();
  auto reply = call("history", Map{{"channel", channel}, {"limit", limit}}, false);
  if (!reply) return;
  const auto& posts = array_field(*reply, "posts");
  info("-- the last " + std::to_string(posts.size()) + " post(s) of #" + channel +
           (reply->contains("next") ? " (older ones: /history N with a larger N)" : "") + " --",
       window);
  for (const auto& post : posts) show_post(window, post);
}

void ChatClient::list(const std::string& service) {
  auto reply = call(service, Map{}, false);
  if (!reply) return;
  const auto names = cli::string_list(*reply, service);
  std::string text = service + " (" + std::to_string(names.size()) + "):";
  for (const auto& name : names) text += " " + name;
  info(text, windows_.current_index());
}

void ChatClient::cluster_status() {
  int code = 0;
  const std::size_t window = windows_.current_index();
  auto servers = cli::listed_servers(connection_, wire_, code);
  if (!servers) {
    error("status: " + servers.error().message + " (reference from " + connection_.origin.reference + ")");
    return;
  }
  for (const auto& line : cli::status_table(cli::ask_status(servers.value(), connection_, wire_)))
    info(line, window);
}

void ChatClient::say(const std::string& text) {
  const ChatWindow::Type type = windows_.current().type;
  const std::string name = windows_.current().name;  // a copy: opening a window may move them
  if (type == ChatWindow::Type::query) {
    send_private(name, text);
    return;
  }
  if (type != ChatWindow::Type::channel) {
    error("nowhere to post: /join CHANNEL (or /query USER) first");
    return;
  }
  if (!logged_in()) return;
  const std::string& channel = name;
  const std::size_t window = windows_.current_index();
  if (!call("publish", Map{{"user", user_}, {"channel", channel}, {"message", text}}, true)) return;
  windows_.add(window, ChatLine{now_text(), ChatLine::Kind::own, user_, text});
  expect_copy(own_key("#" + channel, text));
}

}  // namespace bib::chat
