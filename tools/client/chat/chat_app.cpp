#include "chat_app.hpp"

#include <unistd.h>

#include <langinfo.h>

#include <clocale>
#include <cstring>
#include <iostream>

#include "bib_cli/exit_codes.hpp"
#include "bib_cli/stop_signal.hpp"
#include "chat_client.hpp"
#include "curses_screen.hpp"
#include "line_input.hpp"

namespace bib::chat {

namespace {

// The status line's clock changes each minute; redraw at least that often.
constexpr std::chrono::milliseconds kIdleRedraw{1000};

// Waits for a key, an arrival or a change of the proxy connection; a signal (a resize, Ctrl-C)
// ends the wait early, returning false.
bool wait_for(zmq::pollitem_t (&items)[3], std::chrono::milliseconds timeout) {
  try {
    zmq::poll(items, 3, timeout);
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) throw;
    return false;
  }
  return true;
}

StatusFacts facts_of(ChatClient& client) {
  return StatusFacts{client.user(), client.answered_by(), client.lamport(), client.proxy_connected()};
}

int full_screen(ChatClient& client, ChatWindows& windows, const WireLog& wire) {
  CursesScreen screen;
  for (;;) {
    screen.draw(windows, facts_of(client), wire);
    zmq::pollitem_t items[] = {zmq::pollitem_t{nullptr, STDIN_FILENO, ZMQ_POLLIN, 0}, client.feed_poll_item(),
                               client.watch_poll_item()};
    wait_for(items, kIdleRedraw);
    if (cli::stop_requested()) return cli::kSuccess;
    client.take_connection_changes();
    client.take_arrivals();
    const auto input = screen.read_keys(windows);
    for (const auto& line : input.lines) {
      // Show the typed line's effect before the next one (a request may take a while).
      if (!client.perform(line)) return cli::kSuccess;
      screen.draw(windows, facts_of(client), wire);
    }
    if (input.quit) return cli::kSuccess;
  }
}

std::string plain_line(const ChatWindow& window, const ChatLine& line) {
  switch (line.kind) {
    case ChatLine::Kind::info:
      return line.time + " " + window.label() + " -!- " + line.text;
    case ChatLine::Kind::error:
      return line.time + " " + window.label() + " !!! " + line.text;
    default:
      return line.time + " " + window.label() + " <" + line.who + "> " + line.text;
  }
}

int line_mode(ChatClient& client) {
  client::LineInput input(STDIN_FILENO);
  for (;;) {
    while (auto line = input.next_line()) {
      if (!client.perform(*line)) return cli::kSuccess;
    }
    if (input.finished() || cli::stop_requested()) return cli::kSuccess;
    zmq::pollitem_t items[] = {input.poll_item(), client.feed_poll_item(), client.watch_poll_item()};
    if (!wait_for(items, std::chrono::milliseconds(-1))) continue;
    if (items[2].revents & ZMQ_POLLIN) client.take_connection_changes();
    if (items[1].revents & ZMQ_POLLIN) client.take_arrivals();
    // The end of a pipe shows as an error condition on the fd, not as readable.
    if (items[0].revents & (ZMQ_POLLIN | ZMQ_POLLERR)) input.read_some();
  }
}

}  // namespace

int run_chat(const cli::Connection& connection, const ChatOptions& options) {
  // Wide characters in and out, as the terminal encodes them. The wire is UTF-8, so without a
  // UTF-8 locale (LANG unset, as in a container) characters are read as UTF-8 all the same.
  std::setlocale(LC_ALL, "");
  if (std::strcmp(::nl_langinfo(CODESET), "UTF-8") != 0) std::setlocale(LC_CTYPE, "C.UTF-8");
  WireLog wire;
  if (!options.wire_log.empty()) {
    if (auto opened = WireLog::open_file(wire, options.wire_log); !opened) {
      std::cerr << "bib: " << opened.error().message << "\n";
      return cli::kUsage;
    }
  }
  cli::WirePrinter printer([&wire](const std::string& line) { wire.add(line); }, connection.quiet);
  ChatWindows windows;
  const bool terminal = ::isatty(STDIN_FILENO) == 1 && ::isatty(STDOUT_FILENO) == 1;
  const bool full = terminal && !options.line_mode;
  if (!full) windows.on_line([](const ChatWindow& w, const ChatLine& l) { std::cout << plain_line(w, l) << std::endl; });
  cli::install_stop_handlers();
  ChatClient client(connection, windows, printer);
  if (!connection.notice.empty()) windows.add(0, ChatLine{"", ChatLine::Kind::error, "", connection.notice});
  return full ? full_screen(client, windows, wire) : line_mode(client);
}

}  // namespace bib::chat
