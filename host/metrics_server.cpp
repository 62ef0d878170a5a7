#include "metrics_server.hpp"

#include <sys/socket.h>

#include <chrono>
#include <future>
#include <stdexcept>

#include <httplib.h>

namespace bib::host {

namespace {

constexpr const char* kPrometheusText = "text/plain; version=0.0.4; charset=utf-8";

// SO_REUSEADDR alone: a restart binds while old connections linger, but a second process on
// the same address fails instead of sharing the port (httplib's default, SO_REUSEPORT, would
// let it).
void reuse_address_only(int sock) {
  int yes = 1;
  ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
}

}  // namespace

MetricsServer::MetricsServer(HttpAddress address, EventLoop& loop, bib::Metrics& metrics, spdlog::logger& log,
                             std::chrono::milliseconds loop_deadline)
    : address_(std::move(address)), loop_(loop), metrics_(metrics), log_(log), loop_deadline_(loop_deadline) {}

MetricsServer::~MetricsServer() { stop(); }

void MetricsServer::start() {
  server_ = std::make_unique<httplib::Server>();
  // Scrapes come one at a time from a handful of Prometheus servers: two threads are plenty.
  server_->new_task_queue = [] { return new httplib::ThreadPool(2); };
  server_->set_socket_options(reuse_address_only);
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    auto rendered = std::make_shared<std::promise<std::string>>();
    std::future<std::string> text = rendered->get_future();
    // The registry is the loop thread's. What is posted holds the promise, so it may run after
    // this scrape gave up.
    loop_.post_as("host", [&metrics = metrics_, rendered] { rendered->set_value(metrics.render()); });
    if (text.wait_for(loop_deadline_) != std::future_status::ready) {
      response.status = 503;
      response.set_content("the event loop did not answer within " + std::to_string(loop_deadline_.count()) + " ms\n",
                           "text/plain");
      return;
    }
    response.set_content(text.get(), kPrometheusText);
  });
  if (!server_->bind_to_port(address_.host, address_.port))
    throw std::runtime_error("cannot listen on " + address_.host + ":" + std::to_string(address_.port));
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // httplib's stop() does nothing until the thread is inside listen: wait for it (microseconds),
  // so that a stop right after start cannot leave the thread serving for ever.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (!server_->is_running() && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
  log_.info("metrics on http://{}:{}/metrics", address_.host, address_.port);
}

void MetricsServer::stop() {
  if (!server_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace bib::host
