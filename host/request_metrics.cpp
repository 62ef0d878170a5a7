#include "request_metrics.hpp"

#include <chrono>

namespace bib::host {

RequestMetrics::RequestMetrics(bib::Metrics& metrics, const ServiceTable& services)
    : metrics_(metrics), services_(services) {}

RequestMetrics::Series& RequestMetrics::of(std::string_view service) {
  std::string_view label = "unknown";
  if (service == "error") {
    label = "malformed";  // what the host answers undecodable bytes with
  } else if (service == "status" || services_.find(service) != services_.end()) {
    label = service;
  }
  auto it = by_label_.find(label);
  if (it != by_label_.end()) return it->second;
  const bib::MetricLabels labels{{"service", std::string(label)}};
  Series series{&metrics_.counter("bib_requests_total", "Requests dispatched, by service.", labels),
                &metrics_.counter("bib_request_errors_total", "Replies with status erro, by service.", labels),
                &metrics_.histogram("bib_request_duration_seconds",
                                    "From a request's arrival to its reply leaving, by service.", labels)};
  return by_label_.emplace(std::string(label), series).first->second;
}

RequestMetrics::ReplyFn RequestMetrics::timed(std::string_view service, ReplyFn reply) {
  Series& series = of(service);
  series.requests->inc();
  return [seconds = series.seconds, started = std::chrono::steady_clock::now(),
          reply = std::move(reply)](std::string bytes) {
    seconds->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    reply(std::move(bytes));
  };
}

void RequestMetrics::count_error(std::string_view service) { of(service).errors->inc(); }

}  // namespace bib::host
