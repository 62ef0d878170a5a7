// The broker's series in ctx.metrics() (docs/operations.md, "Metrics"), read from the dispatch
// state's snapshot when scraped: the queue, what servers hold, the workers and their liveness,
// and the request counters.
#pragma once

#include <functional>
#include <vector>

#include "bib/metrics.hpp"
#include "dispatch_state.hpp"

namespace bib::broker {

class BrokerMetrics {
 public:
  // `snapshot` is read at each scrape, on the loop thread.
  BrokerMetrics(Metrics& metrics, std::function<Snapshot()> snapshot);

 private:
  std::function<Snapshot()> snapshot_;
  std::vector<MetricRegistration> registrations_;  // last: they call snapshot_
};

}  // namespace bib::broker
