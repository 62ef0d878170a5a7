#include "broker_metrics.hpp"

#include <utility>

namespace bib::broker {

BrokerMetrics::BrokerMetrics(Metrics& metrics, std::function<Snapshot()> snapshot) : snapshot_(std::move(snapshot)) {
  const auto gauge = [&](const char* name, const char* help, std::function<double(const Snapshot&)> read) {
    registrations_.push_back(metrics.gauge_fn(name, help, {}, [this, read] { return read(snapshot_()); }));
  };
  const auto counter = [&](const char* name, const char* help, std::function<double(const Snapshot&)> read) {
    registrations_.push_back(metrics.counter_fn(name, help, {}, [this, read] { return read(snapshot_()); }));
  };
  gauge("bib_broker_pending_requests", "Requests waiting for a server (the queue).",
        [](const Snapshot& s) { return static_cast<double>(s.pending); });
  gauge("bib_broker_inflight_requests", "Requests held by servers and not answered yet.", [](const Snapshot& s) {
    double held = 0;
    for (const WorkerInfo& worker : s.workers) held += static_cast<double>(worker.inflight);
    return held;
  });
  gauge("bib_broker_workers", "Servers registered and live.", [](const Snapshot& s) {
    double live = 0;
    for (const WorkerInfo& worker : s.workers) live += worker.live ? 1 : 0;
    return live;
  });
  counter("bib_broker_requests_total", "Client requests accepted.",
          [](const Snapshot& s) { return static_cast<double>(s.requests); });
  counter("bib_broker_replies_total", "Server replies delivered to clients.",
          [](const Snapshot& s) { return static_cast<double>(s.replies); });
  counter("bib_broker_failed_total", "Requests the broker answered erro itself (no server in time, too old, full).",
          [](const Snapshot& s) { return static_cast<double>(s.failed); });
  counter("bib_broker_resends_total", "Requests sent again to another server after theirs died.",
          [](const Snapshot& s) { return static_cast<double>(s.resent); });
  // One series per server the broker knows (the live ones and the most recently evicted).
  registrations_.push_back(metrics.gauge_family_fn(
      "bib_broker_worker_alive", "Per server: 1 while it is live, 0 once evicted.", [this] {
        Metrics::LabelledValues values;
        for (const WorkerInfo& worker : snapshot_().workers)
          values.push_back({{{"worker", worker.name}}, worker.live ? 1.0 : 0.0});
        return values;
      }));
}

}  // namespace bib::broker
