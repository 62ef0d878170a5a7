// The command-line options every load of the benchmarks shares (bib-bench, bib-bench-nats):
// --clients, --requests (per client), --duration and --no-progress, and what they make of the
// LoadSettings once parsed.
#pragma once

#include <cstddef>

#include <CLI/CLI.hpp>

#include "load.hpp"

namespace bib::bench {

class LoadOptions {
 public:
  LoadOptions(CLI::App& app, LoadSettings& load, int requests_per_client) : load_(load), per_client_(requests_per_client) {
    app.add_option("--clients", load.clients, "concurrent clients (threads)")->capture_default_str()->check(CLI::Range(1, 256));
    requests_ = app.add_option("--requests", per_client_, "requests per client")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--duration", load.duration_s, "seconds to run (with --requests: whichever ends first)")
        ->check(CLI::PositiveNumber);
    app.add_flag("--no-progress", no_progress_, "no progress bar (it is drawn only on a terminal anyway)");
  }

  // After parsing: a duration alone bounds the run by time; otherwise by count (and time, when given).
  void finish() {
    load_.progress = !no_progress_;
    load_.requests = load_.duration_s > 0 && requests_->count() == 0
                         ? 0
                         : static_cast<std::size_t>(per_client_) * static_cast<std::size_t>(load_.clients);
  }
  int requests_per_client() const noexcept { return per_client_; }

 private:
  LoadSettings& load_;
  int per_client_;
  CLI::Option* requests_ = nullptr;
  bool no_progress_ = false;
};

}  // namespace bib::bench
