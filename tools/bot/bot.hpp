// bib-bot: traffic for demos and tests. It logs in under its name, subscribes to it, and then
// plays rounds: list the channels (creating some while fewer than three exist), pick one at
// random, join it, post `posts` messages `pause` apart, and in about one round out of three send
// a private message to a random user. Every message sent and received is one line on `out`.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "bib_cli/connection.hpp"
#include "bib_cli/live_feed.hpp"
#include "bib_cli/session.hpp"

namespace bib::bot {

struct BotOptions {
  cli::Connection connection;
  std::string name;                     // empty: a random one
  int iterations = 0;                   // rounds; 0 = no limit
  double duration_s = 0;                // seconds; 0 = no limit
  std::chrono::milliseconds pause{200};  // between posts
  int posts = 10;                       // per round
  std::uint64_t seed = 0;               // 0: from std::random_device
};

class Bot {
 public:
  Bot(BotOptions options, std::ostream& out);
  // Until the rounds or the time are used up, or SIGINT/SIGTERM: exit code 0; 3 as soon as a
  // request gets no reply after every retry.
  int run();
  const std::string& name() const noexcept { return name_; }

 private:
  // Each step returns false when the bot must stop (unreachable, time is up, a signal).
  bool play_round(int round);
  std::optional<std::vector<std::string>> channels_to_pick_from();
  bool post_in(const std::string& channel, int round);
  bool send_private_message();
  // The reply data, or nothing when rejected (already shown); unreachable sets code_.
  std::optional<Value> call(const std::string& service, Value data);
  // Waits `pause` while showing what arrives; false when the bot must stop.
  bool pace();
  bool should_stop() const;
  std::string pick(const std::vector<std::string>& from);
  void say(const std::string& line);

  BotOptions options_;
  std::ostream& out_;
  std::mt19937_64 random_;
  std::string name_;
  cli::WirePrinter wire_;
  cli::Session session_;
  cli::LiveFeed feed_;
  std::chrono::steady_clock::time_point deadline_;
  int code_ = 0;
};

// "bot-tucano-42"
std::string random_bot_name(std::mt19937_64& random);

}  // namespace bib::bot
