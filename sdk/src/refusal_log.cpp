#include "bib/refusal_log.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace bib {

struct RefusalLog::Window {
  bool open = false;            // a refusal was logged whole within the current interval
  std::uint64_t suppressed = 0;  // counted since the last line of this kind
  std::uint64_t total = 0;
  std::string last;             // the last suppressed one's detail (raw, cut)
  Timer timer;                  // the end of the current interval
};

RefusalLog::RefusalLog(spdlog::logger& log, EventLoop& loop, std::chrono::milliseconds interval,
                       spdlog::level::level_enum level, std::string verb)
    : log_(log),
      loop_(loop),
      interval_(interval.count() > 0 ? interval : kDefaultInterval),
      level_(level),
      verb_(std::move(verb)) {}

RefusalLog::~RefusalLog() = default;  // each Window's Timer cancels itself

void RefusalLog::refuse(std::string_view kind, std::string_view detail) {
  auto it = windows_.find(kind);
  if (it == windows_.end()) it = windows_.emplace(std::string(kind), std::make_unique<Window>()).first;
  Window& window = *it->second;
  ++window.total;
  if (window.open) {
    ++window.suppressed;
    window.last.assign(detail.substr(0, kMaxDetail + 1));  // one byte more: printable() shows "..."
    return;
  }
  window.open = true;
  log_.log(level_, "{} {}: {}", verb_, it->first, printable(detail));
  window.timer = loop_.start_timer(interval_, [this, name = it->first] { close_interval(name); });
}

void RefusalLog::close_interval(const std::string& kind) {
  auto it = windows_.find(kind);
  if (it == windows_.end()) return;
  Window& window = *it->second;
  if (window.suppressed == 0) {  // a quiet interval: the next one is logged whole
    window.open = false;
    window.timer.reset();
    return;
  }
  report(kind, window);
  // Still coming, perhaps: one more interval of counting (assigning cancels the timer that is
  // running this, which the loop allows).
  window.timer = loop_.start_timer(interval_, [this, name = kind] { close_interval(name); });
}

void RefusalLog::report(const std::string& kind, Window& window) {
  log_.log(level_, "{} {}: {} more of this kind in the last {:g} s; the last: {}", verb_, kind, window.suppressed,
           static_cast<double>(interval_.count()) / 1000.0, printable(window.last));
  window.suppressed = 0;
  window.last.clear();
}

void RefusalLog::flush() {
  for (auto& [kind, window] : windows_) {
    if (window->suppressed > 0) report(kind, *window);
    window->open = false;
    window->timer.reset();
  }
}

std::uint64_t RefusalLog::total(std::string_view kind) const {
  auto it = windows_.find(kind);
  return it == windows_.end() ? 0 : it->second->total;
}

std::string RefusalLog::printable(std::string_view detail, std::size_t max) {
  std::string shown;
  const std::size_t n = std::min(detail.size(), max);
  shown.reserve(n + 8);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(detail[i]);
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      shown += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      shown += hex;
    }
  }
  if (detail.size() > n) shown += "...";
  return shown;
}

}  // namespace bib
