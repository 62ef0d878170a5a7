// bib-bot: a user that keeps BulletInBoard busy (bot.hpp), for demos and tests.
//
//   $ bib-bot --name bot-1 --iterations 1 --pause-ms 0
//   bot-1: starting: broker tcp://127.0.0.1:5555, proxy tcp://127.0.0.1:5558
//   ~> subscribe bot-1
//   -> login {"request_id": "5be0c1d2a4f3e677-1", "user": "bot-1"}
//   <- login {"clock": 3, "status": "sucesso", "timestamp": 1764312345.12}
//   ...
//
// Exit codes: 0 at a normal end (rounds or time used up, SIGINT/SIGTERM), 2 usage error,
// 3 when the cluster does not answer after every retry.
#include <CLI/CLI.hpp>

#include <iostream>

#include "bib/version.hpp"
#include "bib_cli/exit_codes.hpp"
#include "bib_cli/stop_signal.hpp"
#include "bot.hpp"

int main(int argc, char** argv) {
  CLI::App app{"BulletInBoard traffic bot: logs in, joins random channels, posts, sends private messages"};
  app.footer(
      "Endpoints: --broker/--proxy, else BIB_BROKER_ENDPOINT/BIB_PROXY_ENDPOINT, else 127.0.0.1.\n"
      "Exit codes: 0 normal end, 2 usage error, 3 cluster unreachable.");
  app.set_version_flag("--version", std::string("bib-bot " BIB_VERSION_STRING));
  bib::bot::BotOptions options;
  int pause_ms = 200;
  bib::cli::add_connection_options(app, options.connection);
  app.add_option("--name", options.name, "user name (default: a random bot-<animal>-<nn>)");
  app.add_option("--iterations", options.iterations, "rounds to play (default: no limit)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--duration", options.duration_s, "seconds to run (default: no limit)")->check(CLI::NonNegativeNumber);
  app.add_option("--pause-ms", pause_ms, "pause after each post")->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--posts", options.posts, "posts per round")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--seed", options.seed, "random seed (default: a random one)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? bib::cli::kSuccess : bib::cli::kUsage;
  }
  // The bot takes its endpoints from flags and the environment; only an unreadable key stops it.
  if (auto problem = options.connection.resolve();
      problem && (!options.connection.broker_key.empty() || !options.connection.proxy_key.empty())) {
    std::cerr << "bib-bot: " << problem->message << "\n";
    return bib::cli::kUsage;
  }
  options.pause = std::chrono::milliseconds(pause_ms);

  bib::cli::install_stop_handlers();
  try {
    bib::bot::Bot bot(std::move(options), std::cout);
    return bot.run();
  } catch (const std::exception& e) {
    std::cerr << "bib-bot: " << e.what() << "\n";
    return bib::cli::kUsage;
  }
}
