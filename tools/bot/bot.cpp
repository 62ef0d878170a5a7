#include "bot.hpp"

#include <algorithm>

#include "bib_cli/exit_codes.hpp"
#include "bib_cli/stop_signal.hpp"

namespace bib::bot {

namespace {

constexpr std::size_t kFewChannels = 3;  // fewer than this: create some
constexpr int kPrivateMessageOneIn = 3;  // rounds

const std::vector<std::string>& animal_words() {
  static const std::vector<std::string> words{"capivara", "tucano", "arara", "jabuti", "mico", "boto", "onca", "sagui"};
  return words;
}

const std::vector<std::string>& channel_words() {
  static const std::vector<std::string> words{"geral",   "futebol", "musica", "cinema",
                                              "ciencia", "viagens", "jogos",  "culinaria"};
  return words;
}

const std::vector<std::string>& phrases() {
  static const std::vector<std::string> words{"bom dia!", "alguém aí?", "que calor hoje", "viram o jogo?",
                                              "olá, pessoal", "hora do café", "tudo certo por aqui",
                                              "alguma novidade?"};
  return words;
}

std::chrono::steady_clock::time_point deadline_after(double seconds) {
  if (seconds <= 0) return std::chrono::steady_clock::time_point::max();
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
}

std::uint64_t seed_of(std::uint64_t given) {
  if (given != 0) return given;
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace

std::string random_bot_name(std::mt19937_64& random) {
  const auto& words = animal_words();
  return "bot-" + words[random() % words.size()] + "-" + std::to_string(10 + random() % 90);
}

Bot::Bot(BotOptions options, std::ostream& out)
    : options_(std::move(options)),
      out_(out),
      random_(seed_of(options_.seed)),
      name_(options_.name.empty() ? random_bot_name(random_) : options_.name),
      wire_(out, options_.connection.quiet),
      session_(options_.connection.broker, options_.connection.broker_options(), wire_),
      feed_(options_.connection.proxy, wire_, &session_.lamport(), nullptr, options_.connection.proxy_prepare()) {}

void Bot::say(const std::string& line) { out_ << name_ << ": " << line << std::endl; }

bool Bot::should_stop() const {
  return code_ != cli::kSuccess || cli::stop_requested() || std::chrono::steady_clock::now() >= deadline_;
}

std::string Bot::pick(const std::vector<std::string>& from) { return from[random_() % from.size()]; }

std::optional<Value> Bot::call(const std::string& service, Value data) {
  const cli::Outcome outcome = session_.call(service, std::move(data));
  if (outcome.kind == cli::Outcome::Kind::unreachable) {
    say("the cluster is unreachable: " + outcome.error);
    code_ = cli::kUnreachable;
  }
  // A rejection is traffic like any other (the "<-" line shows it): the bot carries on.
  if (!outcome.ok()) return std::nullopt;
  return outcome.data;
}

int Bot::run() {
  deadline_ = deadline_after(options_.duration_s);
  say("starting: broker " + options_.connection.broker + ", proxy " + options_.connection.proxy);
  feed_.join(name_);  // before logging in, so no private message is missed once others see us
  call("login", Map{{"user", name_}});
  for (int round = 1; !should_stop() && (options_.iterations == 0 || round <= options_.iterations); ++round) {
    if (!play_round(round)) break;
  }
  feed_.take();  // show what arrived during the last pause
  say(code_ == cli::kSuccess ? "done" : "stopping");
  return code_;
}

bool Bot::play_round(int round) {
  auto channels = channels_to_pick_from();
  if (!channels) return !should_stop();
  if (channels->empty()) {
    say("round " + std::to_string(round) + ": no channel to post in");
    return pace();
  }
  const std::string channel = pick(*channels);
  say("round " + std::to_string(round) + ": posting in '" + channel + "'");
  feed_.join(channel);
  if (!post_in(channel, round)) return false;
  if (random_() % kPrivateMessageOneIn == 0 && !send_private_message()) return false;
  return !should_stop();
}

std::optional<std::vector<std::string>> Bot::channels_to_pick_from() {
  auto reply = call("channels", Map{});
  if (!reply) return std::nullopt;
  std::vector<std::string> channels;
  if (const Value* list = reply->find("channels"); list && list->is_array())
    for (const auto& c : list->as_array())
      if (c.is_string()) channels.push_back(c.as_string());
  for (std::size_t tries = 0; channels.size() < kFewChannels && tries < channel_words().size() && !should_stop();
       ++tries) {
    const std::string candidate = pick(channel_words());
    if (std::find(channels.begin(), channels.end(), candidate) != channels.end()) continue;
    // "already exists" (another bot was first) leaves it as usable as a creation does.
    call("channel", Map{{"channel", candidate}});
    if (code_ != cli::kSuccess) break;
    channels.push_back(candidate);
  }
  if (code_ != cli::kSuccess) return std::nullopt;
  return channels;
}

bool Bot::post_in(const std::string& channel, int round) {
  for (int i = 1; i <= options_.posts; ++i) {
    const std::string text = pick(phrases()) + " (" + std::to_string(round) + "." + std::to_string(i) + ")";
    call("publish", Map{{"user", name_}, {"channel", channel}, {"message", text}});
    if (!pace()) return false;
  }
  return true;
}

bool Bot::send_private_message() {
  auto reply = call("users", Map{});
  if (!reply) return !should_stop();
  std::vector<std::string> others;
  if (const Value* list = reply->find("users"); list && list->is_array())
    for (const auto& u : list->as_array())
      if (u.is_string() && u.as_string() != name_) others.push_back(u.as_string());
  if (others.empty()) return true;
  const std::string to = pick(others);
  call("message", Map{{"src", name_}, {"dst", to}, {"message", "oi " + to + ", aqui é " + name_}});
  return pace();
}

bool Bot::pace() {
  if (should_stop()) return false;
  const auto now = std::chrono::steady_clock::now();
  auto wait = options_.pause;
  if (deadline_ != std::chrono::steady_clock::time_point::max())
    wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(deadline_ - now));
  if (wait.count() <= 0) {
    feed_.take();
    return !should_stop();
  }
  // The whole pause, showing what arrives meanwhile (each arrival ends one wait, not the pause).
  const auto until = now + wait;
  while (!should_stop()) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    feed_.wait(left);
  }
  return !should_stop();
}

}  // namespace bib::bot
