#include "load.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace bib::bench {

namespace {

using Clock = std::chrono::steady_clock;

// The whole run's shared state: the request tickets, the start signal, setup failures.
struct Shared {
  explicit Shared(const LoadSettings& s) : settings(s) {}
  const LoadSettings& settings;
  std::atomic<std::size_t> issued{0};
  std::atomic<std::size_t> done{0};
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  Clock::time_point start;
  std::mutex mutex;
  std::string setup_error;
};

bool take_ticket(Shared& shared, Clock::time_point deadline) {
  // Open loop: the run ends with the last request due before the deadline (checked by the caller).
  if (shared.settings.duration_s > 0 && shared.settings.rate <= 0 && Clock::now() >= deadline) return false;
  if (shared.settings.requests == 0) return true;
  return shared.issued.fetch_add(1) < shared.settings.requests;
}

void run_client(Shared& shared, int index, const std::function<Step(int)>& make, std::map<std::string, Timed>& out) {
  Step step;
  try {
    step = make(index);
  } catch (const std::exception& e) {
    std::lock_guard lock(shared.mutex);
    if (shared.setup_error.empty()) shared.setup_error = e.what();
  }
  ++shared.ready;
  while (!shared.go.load()) std::this_thread::yield();
  if (!step) return;
  const LoadSettings& s = shared.settings;
  const auto deadline = shared.start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s.duration_s));
  // Open loop: this client's k-th request is due at start + (k * clients + index) / rate.
  const double interval_s = s.rate > 0 ? static_cast<double>(s.clients) / s.rate : 0;
  const double offset_s = s.rate > 0 ? static_cast<double>(index) / s.rate : 0;
  std::string operation;
  std::string error;
  for (std::size_t k = 0; take_ticket(shared, deadline); ++k) {
    auto due = Clock::now();
    if (s.rate > 0) {
      due = shared.start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(offset_s + static_cast<double>(k) * interval_s));
      if (s.duration_s > 0 && due >= deadline) break;  // due after the end of the run
      std::this_thread::sleep_until(due);  // the schedule itself, not a wait for a condition
    }
    const bool ok = step(operation, error);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - due).count();
    Timed& timed = out[operation];
    if (ok) {
      timed.latencies_ms.push_back(ms);
    } else if (timed.errors++ == 0) {
      timed.first_error = error;
    }
    ++shared.done;
  }
}

void draw_progress(const Shared& shared, double elapsed_s) {
  const LoadSettings& s = shared.settings;
  double fraction = 0;
  if (s.requests > 0) fraction = static_cast<double>(shared.done.load()) / static_cast<double>(s.requests);
  if (s.duration_s > 0) fraction = std::max(fraction, elapsed_s / s.duration_s);
  fraction = std::min(fraction, 1.0);
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(fraction * kWidth);
  std::fprintf(stderr, "\r  [%.*s%*s] %3.0f%%  %zu requests  %.1f s ", filled, "##############################",
               kWidth - filled, "", fraction * 100, shared.done.load(), elapsed_s);
  std::fflush(stderr);
}

}  // namespace

LoadResult run_load(const LoadSettings& settings, const std::function<Step(int)>& make) {
  if (settings.requests == 0 && settings.duration_s <= 0)
    throw std::invalid_argument("a run needs a request count or a duration");
  Shared shared(settings);
  std::vector<std::map<std::string, Timed>> results(static_cast<std::size_t>(settings.clients));
  std::vector<std::thread> threads;
  for (int i = 0; i < settings.clients; ++i)
    threads.emplace_back(run_client, std::ref(shared), i, std::cref(make), std::ref(results[static_cast<std::size_t>(i)]));
  while (shared.ready.load() < settings.clients) std::this_thread::yield();
  shared.start = Clock::now();
  shared.go = true;

  const bool progress = settings.progress && ::isatty(STDERR_FILENO) != 0;
  std::atomic<bool> finished{false};
  std::thread bar;
  if (progress) {
    bar = std::thread([&] {
      while (!finished.load()) {
        draw_progress(shared, std::chrono::duration<double>(Clock::now() - shared.start).count());
        std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the bar's refresh rate
      }
    });
  }
  for (auto& t : threads) t.join();
  LoadResult out;
  out.seconds = std::chrono::duration<double>(Clock::now() - shared.start).count();
  finished = true;
  if (bar.joinable()) {
    bar.join();
    draw_progress(shared, out.seconds);
    std::fprintf(stderr, "\n");
  }
  if (!shared.setup_error.empty()) throw std::runtime_error("setup: " + shared.setup_error);
  for (auto& per_client : results) {
    for (auto& [operation, timed] : per_client) {
      Timed& all = out.by_operation[operation];
      all.latencies_ms.insert(all.latencies_ms.end(), timed.latencies_ms.begin(), timed.latencies_ms.end());
      if (all.errors == 0 && timed.errors > 0) all.first_error = timed.first_error;
      all.errors += timed.errors;
    }
  }
  return out;
}

}  // namespace bib::bench
