// Requests, errors and latency per service, as the dispatcher sees them (docs/operations.md,
// "Metrics"): bib_requests_total, bib_request_errors_total, bib_request_duration_seconds.
//
// The label is the service when a plugin (or the host's `status`) answers it, else `unknown`,
// and `malformed` for bytes that were not a request (answered as service `error`): a client
// cannot grow the registry by inventing service names.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "bib/metrics.hpp"
#include "service_table.hpp"

namespace bib::host {

class RequestMetrics {
 public:
  using ReplyFn = std::function<void(std::string)>;

  RequestMetrics(bib::Metrics& metrics, const ServiceTable& services);

  // The reply function to use instead of `reply`: it counts the request now and observes its
  // latency when the reply leaves.
  ReplyFn timed(std::string_view service, ReplyFn reply);
  // A reply with status `erro` for this request's service.
  void count_error(std::string_view service);

 private:
  struct Series {
    bib::Counter* requests;
    bib::Counter* errors;
    bib::Histogram* seconds;
  };
  Series& of(std::string_view service);

  bib::Metrics& metrics_;
  const ServiceTable& services_;
  std::map<std::string, Series, std::less<>> by_label_;
};

}  // namespace bib::host
