// A timer that may or may not be armed, cancelled and forgotten in one call.
#pragma once

#include <optional>

#include "bib/event_loop.hpp"

namespace bib::coordination {

inline void cancel(EventLoop& loop, std::optional<TimerId>& timer) {
  if (timer) loop.cancel_timer(*timer);
  timer.reset();
}

}  // namespace bib::coordination
