// Time (docs/architecture.md): the Lamport clock every process keeps, and the physical clock of a
// server, which is the system clock plus an offset that Berkeley synchronisation adjusts (and
// that an artificial drift can start away from zero). Both are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

#include "bib/export.hpp"
#include "bib/value.hpp"

namespace bib {

class BIB_SDK_API LamportClock {
 public:
  // Before each send: increment and return the value to put in `clock`.
  std::uint64_t tick() noexcept;
  // On each receive: set to max(own, received) + 1 and return it.
  std::uint64_t observe(std::uint64_t received) noexcept;
  std::uint64_t value() const noexcept { return value_.load(); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class BIB_SDK_API PhysicalClock {
 public:
  // Seconds since the Unix epoch as this process believes: system clock + offset.
  double now() const noexcept;
  double offset() const noexcept { return offset_.load(); }
  void set_offset(double seconds) noexcept { offset_.store(seconds); }
  void adjust(double delta_seconds) noexcept;

  static double system_now() noexcept;

 private:
  std::atomic<double> offset_{0.0};
};

// Outgoing data: set `timestamp` (physical clock) and `clock` (Lamport tick) in a data map.
BIB_SDK_API void stamp(Value& data, LamportClock& lamport, const PhysicalClock& clock);
// Incoming data: feed its `clock` field (when it is an integer) to the Lamport clock.
BIB_SDK_API void observe(const Value& data, LamportClock& lamport);

}  // namespace bib
