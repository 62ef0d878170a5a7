// The request-reply subcommands: one request each, the reply in human form or as JSON.
#include <iostream>

#include "bib/json.hpp"
#include "bib_cli/display.hpp"
#include "bib_cli/exit_codes.hpp"
#include "bib_cli/session.hpp"
#include "commands.hpp"

namespace bib::client {

namespace {

// Sends one request and reports the outcome; `show` prints an accepted reply in human form.
template <class Show>
int ask(const Shell& shell, const std::string& service, Value data, Show&& show) {
  cli::WirePrinter wire(std::cerr, shell.connection.quiet);
  cli::Session session(shell.connection.broker, shell.connection.broker_options(), wire);
  session.keep_in(shell.connection.session_file);
  const cli::Outcome outcome = session.call(service, std::move(data));
  if (outcome.kind == cli::Outcome::Kind::unreachable) {
    std::cerr << "bib: " << service << ": " << outcome.error << "\n";
    return outcome.exit_code();
  }
  if (shell.json && !outcome.data.is_nil()) std::cout << to_json(outcome.data) << std::endl;
  if (!outcome.ok()) {
    std::cerr << "bib: " << service << " rejected: " << outcome.error << "\n";
  } else if (!shell.json) {
    show(outcome.data);
  }
  return outcome.exit_code();
}

void add_page(Map& data, const Page& page) {
  if (page.limit > 0) data["limit"] = page.limit;
  if (page.before.empty()) return;
  // A plain number is a Lamport clock (an integer on the wire); anything else is a cursor.
  const bool number = page.before.find_first_not_of("0123456789") == std::string::npos && page.before.size() < 19;
  if (number) data["before"] = static_cast<std::int64_t>(std::stoll(page.before));
  else data["before"] = page.before;
}

void show_more(const Value& reply, const std::string& command) {
  if (reply.is_map() && reply.contains("next"))
    std::cout << "(older entries: " << command << " --before " << cli::field_text(reply, "next") << ")\n";
}

}  // namespace

int login(const Shell& shell, const std::string& user) {
  return ask(shell, "login", Map{{"user", user}}, [&](const Value&) { std::cout << "logged in as " << user << "\n"; });
}

int users(const Shell& shell) {
  return ask(shell, "users", Map{}, [](const Value& reply) {
    for (const auto& name : cli::string_list(reply, "users")) std::cout << name << "\n";
  });
}

int create_channel(const Shell& shell, const std::string& channel) {
  return ask(shell, "channel", Map{{"channel", channel}},
             [&](const Value&) { std::cout << "created channel " << channel << "\n"; });
}

int channels(const Shell& shell) {
  return ask(shell, "channels", Map{}, [](const Value& reply) {
    for (const auto& name : cli::string_list(reply, "channels")) std::cout << name << "\n";
  });
}

int publish(const Shell& shell, const std::string& user, const std::string& channel, const std::string& text) {
  return ask(shell, "publish", Map{{"user", user}, {"channel", channel}, {"message", text}},
             [&](const Value&) { std::cout << "posted to " << channel << "\n"; });
}

int message(const Shell& shell, const std::string& from, const std::string& to, const std::string& text) {
  return ask(shell, "message", Map{{"src", from}, {"dst", to}, {"message", text}},
             [&](const Value&) { std::cout << "sent to " << to << "\n"; });
}

int history(const Shell& shell, const std::string& channel, const Page& page) {
  Map data{{"channel", channel}};
  add_page(data, page);
  return ask(shell, "history", std::move(data), [&](const Value& reply) {
    if (const Value* posts = reply.find("posts"); posts && posts->is_array())
      for (const auto& post : posts->as_array()) std::cout << cli::post_line(post) << "\n";
    show_more(reply, "bib history " + channel);
  });
}

int inbox(const Shell& shell, const std::string& user, const Page& page) {
  Map data{{"user", user}};
  add_page(data, page);
  return ask(shell, "inbox", std::move(data), [&](const Value& reply) {
    if (const Value* messages = reply.find("messages"); messages && messages->is_array())
      for (const auto& m : messages->as_array()) std::cout << cli::private_line(m) << "\n";
    show_more(reply, "bib inbox " + user);
  });
}

int request(const Shell& shell, const std::string& service, const std::vector<std::string>& fields) {
  Map data;
  for (const std::string& field : fields) {
    const auto equals = field.find('=');
    if (equals == std::string::npos || equals == 0) {
      std::cerr << "bib: request: '" << field << "' is not KEY=VALUE\n";
      return cli::kUsage;
    }
    const std::string text = field.substr(equals + 1);
    auto parsed = parse_json(text);
    data[field.substr(0, equals)] = parsed ? std::move(parsed.value()) : Value(text);
  }
  return ask(shell, service, std::move(data), [](const Value& reply) {
    if (!reply.is_map()) return;
    for (const auto& [key, value] : reply.as_map())
      if (key != "clock" && key != "timestamp") std::cout << key << ": " << cli::field_text(reply, key) << "\n";
  });
}

}  // namespace bib::client
