// bib subscribe: posts of the given channels and private messages to the user, printed as they
// arrive, until Ctrl-C, --count messages or --timeout-s seconds.
#include <iostream>

#include "bib/json.hpp"
#include "bib_cli/display.hpp"
#include "bib_cli/exit_codes.hpp"
#include "bib_cli/live_feed.hpp"
#include "bib_cli/stop_signal.hpp"
#include "commands.hpp"

namespace bib::client {

int subscribe(const Shell& shell, const SubscribeOptions& options) {
  if (options.user.empty() && options.channels.empty()) {
    std::cerr << "bib subscribe: nothing to subscribe to: give --user and/or channels\n";
    return cli::kUsage;
  }
  cli::install_stop_handlers();
  cli::WirePrinter wire(std::cerr, shell.connection.quiet);
  LamportClock lamport;
  cli::LiveFeed feed(shell.connection.proxy, wire, &lamport, nullptr, shell.connection.proxy_prepare());
  if (!options.user.empty()) feed.join(options.user);
  for (const auto& channel : options.channels) feed.join(channel);

  using Clock = std::chrono::steady_clock;
  const auto deadline = options.timeout_s > 0
                            ? Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                 std::chrono::duration<double>(options.timeout_s))
                            : Clock::time_point::max();
  int received = 0;
  while (!cli::stop_requested() && Clock::now() < deadline) {
    const auto left = deadline == Clock::time_point::max()
                          ? std::chrono::milliseconds(1000)
                          : std::min(std::chrono::milliseconds(1000),
                                     std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()));
    for (const auto& message : feed.wait(left)) {
      if (shell.json) {
        std::cout << to_json(Map{{"topic", message.topic}, {"service", message.envelope.service},
                                 {"data", message.envelope.data}})
                  << std::endl;
      } else {
        std::cout << cli::arrival_line(message) << std::endl;
      }
      if (options.count > 0 && ++received >= options.count) return cli::kSuccess;
    }
  }
  return cli::kSuccess;
}

}  // namespace bib::client
