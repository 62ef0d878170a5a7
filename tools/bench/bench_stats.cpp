#include "bench_stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace bib::bench {

namespace {

double nearest_rank(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

Summary summarize(std::string name, std::vector<double> latencies_ms, std::size_t errors, double seconds) {
  std::sort(latencies_ms.begin(), latencies_ms.end());
  Summary s;
  s.name = std::move(name);
  s.count = latencies_ms.size();
  s.errors = errors;
  s.seconds = seconds;
  s.per_second = seconds > 0 ? static_cast<double>(s.count) / seconds : 0;
  s.p50 = nearest_rank(latencies_ms, 0.50);
  s.p90 = nearest_rank(latencies_ms, 0.90);
  s.p99 = nearest_rank(latencies_ms, 0.99);
  s.p999 = nearest_rank(latencies_ms, 0.999);
  s.max = latencies_ms.empty() ? 0 : latencies_ms.back();
  return s;
}

std::string table(const std::vector<Summary>& rows, bool header) {
  std::string out;
  char line[256];
  if (header) {
    std::snprintf(line, sizeof line, "  %-22s %9s %7s %10s %8s %8s %8s %8s %8s\n", "operation", "count", "errors", "per s",
                  "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms");
    out += line;
  }
  for (const Summary& r : rows) {
    std::snprintf(line, sizeof line, "  %-22s %9zu %7zu %10.0f %8.3f %8.3f %8.3f %8.3f %8.3f\n", r.name.c_str(), r.count,
                  r.errors, r.per_second, r.p50, r.p90, r.p99, r.p999, r.max);
    out += line;
  }
  return out;
}

bib::Value to_value(const Summary& s) {
  return bib::Map{{"operation", s.name}, {"count", s.count},  {"errors", s.errors}, {"seconds", s.seconds},
                  {"per_second", s.per_second}, {"p50_ms", s.p50}, {"p90_ms", s.p90}, {"p99_ms", s.p99},
                  {"p999_ms", s.p999}, {"max_ms", s.max}};
}

}  // namespace bib::bench
