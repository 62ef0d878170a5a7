#include "process_metrics.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "bib/version.hpp"

namespace bib::host {

namespace {

// /proc/self/statm: sizes in pages, the first two being the whole and the resident memory.
double statm_field(int index) {
  std::ifstream in("/proc/self/statm");
  double pages = 0;
  for (int i = 0; i <= index && in >> pages; ++i) {
  }
  return in ? pages * static_cast<double>(::sysconf(_SC_PAGESIZE)) : 0;
}

}  // namespace

double resident_memory_bytes() { return statm_field(1); }
double virtual_memory_bytes() { return statm_field(0); }

double open_file_descriptors() {
  std::error_code error;
  double n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end; it.increment(error))
    ++n;
  return n;
}

double cpu_seconds() {
  // /proc/self/stat: utime and stime are fields 14 and 15, in clock ticks, after the command
  // name in parentheses (which may itself hold spaces, so count from its closing one).
  std::ifstream in("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string skip;
  for (int field = 3; field < 14; ++field) fields >> skip;
  double user = 0, system = 0;
  fields >> user >> system;
  return fields ? (user + system) / static_cast<double>(::sysconf(_SC_CLK_TCK)) : 0;
}

ProcessMetrics::ProcessMetrics(bib::Metrics& metrics, const std::string& node, const bib::LamportClock& lamport,
                               const bib::PhysicalClock& clock) {
  metrics.gauge("process_start_time_seconds", "When the process started, in seconds since the Unix epoch.")
      .set(bib::PhysicalClock::system_now());
  metrics.gauge("bib_node_info", "Which node this process is and which version it runs (always 1).",
                {{"node", node}, {"version", BIB_VERSION_STRING}})
      .set(1);
  registrations_.push_back(metrics.gauge_fn("process_resident_memory_bytes", "Resident memory (/proc/self/statm).",
                                            {}, resident_memory_bytes));
  registrations_.push_back(metrics.gauge_fn("process_virtual_memory_bytes", "Virtual memory (/proc/self/statm).", {},
                                            virtual_memory_bytes));
  registrations_.push_back(
      metrics.gauge_fn("process_open_fds", "Open file descriptors (/proc/self/fd).", {}, open_file_descriptors));
  registrations_.push_back(
      metrics.counter_fn("process_cpu_seconds_total", "User and system CPU time (/proc/self/stat).", {}, cpu_seconds));
  registrations_.push_back(metrics.gauge_fn("bib_lamport_clock", "The process's Lamport clock.", {},
                                            [&lamport] { return static_cast<double>(lamport.value()); }));
  registrations_.push_back(metrics.gauge_fn("bib_clock_offset_seconds",
                                            "Offset of this process's clock from the system clock (drift and Berkeley "
                                            "adjustments, docs/time.md).",
                                            {}, [&clock] { return clock.offset(); }));
}

}  // namespace bib::host
