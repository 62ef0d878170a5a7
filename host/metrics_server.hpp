// The HTTP server at host.metrics: GET /metrics answers the process's bib::Metrics as
// Prometheus text (docs/operations.md, "Metrics"); any other path is 404.
//
// It runs on a thread of its own (cpp-httplib's) so that a scrape never waits in the loop's
// poll; the registry belongs to the loop thread, so each scrape posts the render there and
// waits for it. A loop that does not answer within the deadline gets 503 with one line saying
// so: a hung loop is itself what the scraper should see.
#pragma once

#include <chrono>
#include <memory>
#include <thread>

#include "bib/logger.hpp"
#include "bib/metrics.hpp"
#include "event_loop.hpp"
#include "http_address.hpp"

namespace httplib {
class Server;
}

namespace bib::host {

class MetricsServer {
 public:
  MetricsServer(HttpAddress address, EventLoop& loop, bib::Metrics& metrics, spdlog::logger& log,
                std::chrono::milliseconds loop_deadline = std::chrono::seconds(2));
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds and starts serving; throws std::runtime_error when the address cannot be bound.
  void start();
  // Stops accepting and waits for the thread (a scrape in progress ends first).
  void stop();

 private:
  HttpAddress address_;
  EventLoop& loop_;
  bib::Metrics& metrics_;
  spdlog::logger& log_;
  std::chrono::milliseconds loop_deadline_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace bib::host
