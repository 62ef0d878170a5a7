#include "bib/clock.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

namespace bib {

std::uint64_t LamportClock::tick() noexcept { return value_.fetch_add(1) + 1; }

std::uint64_t LamportClock::observe(std::uint64_t received) noexcept {
  std::uint64_t current = value_.load();
  std::uint64_t next = 0;
  do {
    next = std::max(current, received) + 1;
  } while (!value_.compare_exchange_weak(current, next));
  return next;
}

double PhysicalClock::system_now() noexcept {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration<double>(since_epoch).count();
}

double PhysicalClock::now() const noexcept { return system_now() + offset_.load(); }

void PhysicalClock::adjust(double delta_seconds) noexcept {
  double current = offset_.load();
  while (!offset_.compare_exchange_weak(current, current + delta_seconds)) {
  }
}

void stamp(Value& data, LamportClock& lamport, const PhysicalClock& clock) {
  data["timestamp"] = clock.now();
  // The wire carries signed integers; a clock pushed past INT64_MAX by a hostile peer
  // saturates instead of turning negative.
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  data["clock"] = static_cast<std::int64_t>(std::min(lamport.tick(), kMax));
}

void observe(const Value& data, LamportClock& lamport) {
  const Value* clock = data.find("clock");
  if (clock != nullptr && clock->is_int() && clock->as_int() >= 0) {
    lamport.observe(static_cast<std::uint64_t>(clock->as_int()));
  }
}

}  // namespace bib
