#include "logging.hpp"

#include <stdexcept>

#include <spdlog/sinks/stdout_sinks.h>

namespace bib::host {

spdlog::level::level_enum parse_log_level(const std::string& word) {
  // spdlog::level::from_str maps unknown words to "off", which would hide a typo.
  static const char* const names[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  for (int i = 0; i < 7; ++i)
    if (word == names[i]) return static_cast<spdlog::level::level_enum>(i);
  throw std::invalid_argument("unknown log level '" + word +
                              "' (trace, debug, info, warn, error, critical, off)");
}

Logging::Logging(spdlog::level::level_enum level, spdlog::level::level_enum wire_level)
    : sink_(std::make_shared<spdlog::sinks::stdout_sink_mt>()), level_(level) {
  // The stdout sink flushes every line, so logs redirected to a file are complete at any time.
  sink_->set_pattern("%Y-%m-%d %H:%M:%S.%e [%n] %l: %v");
  host_ = make("host");
  wire_ = make("wire");
  wire_->set_level(wire_level);
}

std::shared_ptr<spdlog::logger> Logging::make(const std::string& name) const {
  auto logger = std::make_shared<spdlog::logger>(name, sink_);
  logger->set_level(level_);
  return logger;
}

}  // namespace bib::host
