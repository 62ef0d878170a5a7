// bib's interactive mode, the original course client's numbered menu. While it waits for a
// line, posts of joined channels and private messages to the logged-in user are printed as
// they arrive: stdin and the SUB socket are polled together (zmq::poll on fd 0), so a
// terminal and a script piped to stdin work alike; end of input or Ctrl-C quits. The wire lines
// go to stderr, or to the file --wire-log names, so that they stay out of the menu.
#include <unistd.h>

#include <fstream>
#include <iostream>

#include "bib_cli/display.hpp"
#include "bib_cli/live_feed.hpp"
#include "bib_cli/session.hpp"
#include "bib_cli/stop_signal.hpp"
#include "commands.hpp"
#include "line_input.hpp"

namespace bib::client {

namespace {

constexpr const char* kMenu =
    "  1) login              6) private message\n"
    "  2) list users         7) channel history\n"
    "  3) create channel     8) inbox\n"
    "  4) list channels      9) join a channel\n"
    "  5) publish            0) quit\n";

// The wire lines' stream: the --wire-log file when one is named and opens, else stderr.
std::ostream& wire_stream(std::ofstream& file, const std::string& path) {
  if (path.empty()) return std::cerr;
  file.open(path, std::ios::app);
  if (!file) {
    std::cerr << "bib: --wire-log " << path << ": cannot open; the wire lines go to stderr\n";
    return std::cerr;
  }
  return file;
}

class Interactive {
 public:
  Interactive(const Shell& shell, const std::string& wire_log)
      : wire_(wire_stream(wire_file_, wire_log), shell.connection.quiet),
        session_(shell.connection.broker, shell.connection.broker_options(), wire_),
        feed_(shell.connection.proxy, wire_, &session_.lamport(), nullptr, shell.connection.proxy_prepare()),
        terminal_(::isatty(STDOUT_FILENO) == 1) {
    session_.keep_in(shell.connection.session_file);
  }

  int run() {
    std::cout << "BulletInBoard client: broker " << session_.endpoint() << "\n" << kMenu;
    while (auto choice = ask(choice_prompt())) {
      if (!act(*choice)) break;
    }
    std::cout << "bye" << std::endl;
    return cli::kSuccess;
  }

 private:
  std::string choice_prompt() const { return (user_.empty() ? "" : "[" + user_ + "] ") + "choice (0-9, ? for the menu): "; }

  // One line of input, showing arrivals while waiting; empty at end of input or on Ctrl-C.
  std::optional<std::string> ask(const std::string& prompt) {
    prompt_ = prompt;
    std::cout << prompt << std::flush;
    for (;;) {
      if (auto line = input_.next_line()) {
        if (!terminal_) std::cout << *line << "\n";  // echo a scripted answer after its prompt
        return line;
      }
      if (input_.finished() || cli::stop_requested()) {
        std::cout << "\n";
        return std::nullopt;
      }
      zmq::pollitem_t items[] = {input_.poll_item(), feed_.poll_item()};
      try {
        zmq::poll(items, 2, std::chrono::milliseconds(-1));
      } catch (const zmq::error_t& e) {
        if (e.num() != EINTR) throw;
        continue;
      }
      if (items[1].revents & ZMQ_POLLIN) show_arrivals();
      // End of a pipe shows as an error condition on the fd, not as readable.
      if (items[0].revents & (ZMQ_POLLIN | ZMQ_POLLERR)) input_.read_some();
    }
  }

  std::optional<std::string> ask_with_default(const std::string& what, const std::string& fallback) {
    auto answer = ask(fallback.empty() ? what + ": " : what + " [" + fallback + "]: ");
    if (answer && answer->empty()) return fallback;
    return answer;
  }

  void show_arrivals() {
    // On a terminal the prompt's line is cleared first, so that wire lines on stderr start on
    // a line of their own instead of after the prompt.
    if (terminal_) std::cout << "\r\033[K" << std::flush;
    const auto arrivals = feed_.take();
    if (!terminal_ && !arrivals.empty()) std::cout << "\n";
    for (const auto& message : arrivals) std::cout << cli::arrival_line(message) << "\n";
    if (terminal_ || !arrivals.empty()) std::cout << prompt_ << std::flush;  // the question still waits
  }

  // Sends one request; prints why it failed. The reply data when accepted.
  std::optional<Value> call(const std::string& service, Value data) {
    const cli::Outcome outcome = session_.call(service, std::move(data));
    if (outcome.ok()) return outcome.data;
    std::cout << (outcome.kind == cli::Outcome::Kind::unreachable ? "unreachable: " : "rejected: ")
              << outcome.error << "\n";
    return std::nullopt;
  }

  bool logged_in() {
    if (!user_.empty()) return true;
    std::cout << "log in first (1)\n";
    return false;
  }

  // False to quit.
  bool act(const std::string& choice) {
    if (choice == "0" || choice == "q" || choice == "quit") return false;
    if (choice == "1") login();
    else if (choice == "2") list("users");
    else if (choice == "3") create_channel();
    else if (choice == "4") list("channels");
    else if (choice == "5") publish();
    else if (choice == "6") private_message();
    else if (choice == "7") history();
    else if (choice == "8") inbox();
    else if (choice == "9") join();
    else if (choice == "?" || choice.empty()) std::cout << kMenu;
    else std::cout << "unknown choice '" << choice << "'\n" << kMenu;
    return true;
  }

  void login() {
    auto name = ask("user name: ");
    if (!name || !call("login", Map{{"user", *name}})) return;
    user_ = *name;
    feed_.join(user_);  // private messages to us
    std::cout << "logged in as " << user_ << "\n";
  }

  void list(const std::string& service) {
    auto reply = call(service, Map{});
    if (!reply) return;
    const auto names = cli::string_list(*reply, service);
    std::cout << service << " (" << names.size() << "):";
    for (const auto& name : names) std::cout << " " << name;
    std::cout << "\n";
  }

  void create_channel() {
    auto name = ask("channel name: ");
    if (name && call("channel", Map{{"channel", *name}})) std::cout << "created channel " << *name << "\n";
  }

  void publish() {
    if (!logged_in()) return;
    auto channel = ask_with_default("channel", last_channel_);
    if (!channel) return;
    auto text = ask("message: ");
    if (text && call("publish", Map{{"user", user_}, {"channel", *channel}, {"message", *text}}))
      std::cout << "posted to " << *channel << "\n";
  }

  void private_message() {
    if (!logged_in()) return;
    auto to = ask("to user: ");
    if (!to) return;
    auto text = ask("message: ");
    if (text && call("message", Map{{"src", user_}, {"dst", *to}, {"message", *text}}))
      std::cout << "sent to " << *to << "\n";
  }

  void history() {
    auto channel = ask_with_default("channel", last_channel_);
    if (!channel) return;
    auto reply = call("history", Map{{"channel", *channel}});
    if (!reply) return;
    if (const Value* posts = reply->find("posts"); posts && posts->is_array()) {
      std::cout << posts->as_array().size() << " post(s) in " << *channel << "\n";
      for (const auto& post : posts->as_array()) std::cout << cli::post_line(post) << "\n";
    }
  }

  void inbox() {
    if (!logged_in()) return;
    auto reply = call("inbox", Map{{"user", user_}});
    if (!reply) return;
    if (const Value* messages = reply->find("messages"); messages && messages->is_array()) {
      std::cout << messages->as_array().size() << " message(s) for " << user_ << "\n";
      for (const auto& m : messages->as_array()) std::cout << cli::private_line(m) << "\n";
    }
  }

  void join() {
    auto channel = ask("channel to join: ");
    if (!channel || channel->empty()) return;
    feed_.join(*channel);
    last_channel_ = *channel;
    std::cout << "joined " << *channel << ": its posts show here as they arrive\n";
  }

  std::ofstream wire_file_;  // declared before wire_, which may write to it
  cli::WirePrinter wire_;
  cli::Session session_;
  cli::LiveFeed feed_;
  LineInput input_;
  bool terminal_;
  std::string prompt_;
  std::string user_;          // empty until a login succeeded
  std::string last_channel_;  // the default for publish and history
};

}  // namespace

int interactive(const Shell& shell, const std::string& wire_log) {
  cli::install_stop_handlers();
  return Interactive(shell, wire_log).run();
}

}  // namespace bib::client
