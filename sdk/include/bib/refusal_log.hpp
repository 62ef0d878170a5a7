// Refusals of malformed or hostile input, reported without flooding the log (docs/protocol.md,
// "Hostile input"). Every port that refuses what it reads (undecodable bytes, a wrong frame
// layout, an unknown command, a message of the wrong shape) reports through one of these, so a
// burst of 20,000 bad messages costs a few lines, not 20,000:
//
//   bib::RefusalLog refusals(ctx.log(), ctx.loop());
//   refusals.refuse("undecodable request", "from client 5f3a9c01: malformed MessagePack: truncated message");
//
// The first refusal of a kind is logged at once, whole:
//   refused undecodable request: from client 5f3a9c01: malformed MessagePack: truncated message
// the others within the next interval (5 s) are only counted, and when it ends one line says
// how many there were and shows the last:
//   refused undecodable request: 19999 more of this kind in the last 5 s; the last: from client ...
// While they keep coming that line repeats once per interval; an interval without any closes
// the window, and the next refusal of that kind is logged whole again. Kinds are counted apart.
//
// `verb` starts every line: "refused" by default; the proxy, which forwards odd messages as they
// are, says "forwarded". For the loop thread only, like everything a plugin owns. Details are
// cut to a readable length and their bytes outside printable ASCII written as \xNN, so hostile
// bytes never forge or break a line (a detail a caller escaped already is left as it is).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "bib/event_loop.hpp"
#include "bib/export.hpp"
#include "bib/logger.hpp"

namespace bib {

class BIB_SDK_API RefusalLog {
 public:
  static constexpr std::chrono::milliseconds kDefaultInterval{5000};
  static constexpr std::size_t kMaxDetail = 240;  // bytes of a detail shown, before "..."

  RefusalLog(spdlog::logger& log, EventLoop& loop, std::chrono::milliseconds interval = kDefaultInterval,
             spdlog::level::level_enum level = spdlog::level::warn, std::string verb = "refused");
  ~RefusalLog();
  RefusalLog(const RefusalLog&) = delete;
  RefusalLog& operator=(const RefusalLog&) = delete;

  // One refusal of `kind` (a fixed phrase: "undecodable request"), `detail` what was wrong with
  // this one and who sent it.
  void refuse(std::string_view kind, std::string_view detail);

  // Writes every count not yet reported and closes every window (a plugin's stop(): the loop
  // and the logger may be gone afterwards). The destructor only cancels the timers.
  void flush();

  // How many refusals of `kind` there were since construction (tests, status).
  std::uint64_t total(std::string_view kind) const;
  std::chrono::milliseconds interval() const { return interval_; }

  // `detail` as it is logged: printable ASCII as is, other bytes and the backslash as \xNN (so
  // no byte of it reads as an escape), at most `max` bytes of it, then "..." when cut.
  static std::string printable(std::string_view detail, std::size_t max = kMaxDetail);

 private:
  struct Window;
  void close_interval(const std::string& kind);
  void report(const std::string& kind, Window& window);

  spdlog::logger& log_;
  EventLoop& loop_;
  std::chrono::milliseconds interval_;
  spdlog::level::level_enum level_;
  std::string verb_;
  std::map<std::string, std::unique_ptr<Window>, std::less<>> windows_;
};

}  // namespace bib
