// What bib-bench reports for one set of timed operations: count, errors, throughput and the
// latency percentiles, as a table row and as JSON.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "bib/value.hpp"

namespace bib::bench {

struct Summary {
  std::string name;
  std::size_t count = 0;   // answered as expected
  std::size_t errors = 0;
  double seconds = 0;      // wall time of the run
  double per_second = 0;   // count / seconds
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;  // milliseconds
};

// Sorts latencies_ms and fills the percentiles (nearest rank).
Summary summarize(std::string name, std::vector<double> latencies_ms, std::size_t errors, double seconds);

// One line per summary, under a header line "operation  count  errors  per s  p50 ..." when asked.
std::string table(const std::vector<Summary>& rows, bool header = true);
bib::Value to_value(const Summary& summary);

}  // namespace bib::bench
