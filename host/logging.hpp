// The host's loggers: one stdout sink shared by every logger, one line per event in the form
//   2024-05-01 12:00:00.123 [ping] info: started
// "host" is the host's own logger, "wire" the one-line-per-message log (own level, so that
// benchmarks can silence it), and each plugin gets a logger named after it.
#pragma once

#include <memory>
#include <string>

#include <spdlog/common.h>

#include "bib/logger.hpp"

namespace bib::host {

// "trace" ... "off"; throws std::invalid_argument naming the word for anything else.
spdlog::level::level_enum parse_log_level(const std::string& word);

class Logging {
 public:
  Logging(spdlog::level::level_enum level, spdlog::level::level_enum wire_level);

  // A new logger on the shared sink, at the host's level. Not registered with spdlog's global
  // registry: several hosts (tests) may live in one process.
  std::shared_ptr<spdlog::logger> make(const std::string& name) const;

  spdlog::logger& host() { return *host_; }
  spdlog::logger& wire() { return *wire_; }

 private:
  spdlog::sink_ptr sink_;
  spdlog::level::level_enum level_;
  std::shared_ptr<spdlog::logger> host_;
  std::shared_ptr<spdlog::logger> wire_;
};

}  // namespace bib::host
