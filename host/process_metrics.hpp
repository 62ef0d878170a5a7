// What every bib-host reports about itself, whatever its plugins: memory, file descriptors, CPU
// time, start time (the names Prometheus's client libraries use, so stock dashboards read
// them), the clocks, and which node and version this is.
#pragma once

#include <string>
#include <vector>

#include "bib/clock.hpp"
#include "bib/metrics.hpp"

namespace bib::host {

class ProcessMetrics {
 public:
  ProcessMetrics(bib::Metrics& metrics, const std::string& node, const bib::LamportClock& lamport,
                 const bib::PhysicalClock& clock);

 private:
  std::vector<bib::MetricRegistration> registrations_;
};

// Read from /proc/self; 0 when it cannot be read.
double resident_memory_bytes();
double virtual_memory_bytes();
double open_file_descriptors();
double cpu_seconds();

}  // namespace bib::host
