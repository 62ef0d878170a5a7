// Polling with a deadline: the only way tests wait for something to happen.
#pragma once

#include <chrono>
#include <thread>

namespace bib::test {

// Calls cond() every `step` until it returns true or `timeout` passes; returns the last result.
template <class Cond>
bool wait_until(Cond&& cond, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step = std::chrono::milliseconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (cond()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);
  }
}

}  // namespace bib::test
