// The process's metrics, lent to plugins through Context::metrics() and served by the host as
// Prometheus text on host.metrics (docs/operations.md, "Metrics").
//
// Counters, gauges and histograms are plain values the registry owns: counter(), gauge() and
// histogram() return a reference that stays valid as long as the registry (the whole process),
// and asking again with the same name and labels returns the same one. A value computed at
// scrape time (gauge_fn, counter_fn) calls into its owner, so it is registered through a handle
// that takes it out again when destroyed: hold it as a member of the object it reads, and
// nothing calls into an object that is gone, or into a plugin library that was unloaded.
//
// Threading: everything here is for the loop thread, like the rest of the Context. The host
// renders on the loop thread too (its HTTP thread posts the render there).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bib/export.hpp"

namespace bib {

// name="value" pairs; the same series is asked for with the labels in the same order.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Only goes up: requests, errors, events.
class Counter {
 public:
  void inc(double by = 1) noexcept { value_ += by; }
  double value() const noexcept { return value_; }

 private:
  double value_ = 0;
};

// Goes up and down: a depth, a size, an offset.
class Gauge {
 public:
  void set(double value) noexcept { value_ = value; }
  void add(double by) noexcept { value_ += by; }
  double value() const noexcept { return value_; }

 private:
  double value_ = 0;
};

// Observations counted into fixed buckets (upper bounds, ascending), with their sum and count.
class BIB_SDK_API Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double value) noexcept;

  const std::vector<double>& bounds() const noexcept { return bounds_; }
  // Observations in each bucket alone (not cumulative); one more than bounds: the last is +Inf.
  const std::vector<std::uint64_t>& bucket_counts() const noexcept { return counts_; }
  double sum() const noexcept { return sum_; }
  std::uint64_t count() const noexcept { return count_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

// Latency buckets in seconds, 100 µs to 10 s: a request on loopback takes well under a
// millisecond, an fsync a few, a stalled peer seconds.
BIB_SDK_API const std::vector<double>& default_latency_buckets();

class Metrics;

// One computed series, registered. Destroying, resetting or assigning over it takes the series
// out of the registry (so declare it after what its function reads). Move-only.
class BIB_SDK_API MetricRegistration {
 public:
  MetricRegistration() = default;
  MetricRegistration(Metrics& metrics, std::uint64_t id) noexcept : metrics_(&metrics), id_(id) {}
  MetricRegistration(MetricRegistration&& other) noexcept
      : metrics_(std::exchange(other.metrics_, nullptr)), id_(other.id_) {}
  MetricRegistration& operator=(MetricRegistration&& other) noexcept {
    if (this != &other) {
      reset();
      metrics_ = std::exchange(other.metrics_, nullptr);
      id_ = other.id_;
    }
    return *this;
  }
  MetricRegistration(const MetricRegistration&) = delete;
  MetricRegistration& operator=(const MetricRegistration&) = delete;
  ~MetricRegistration() { reset(); }

  void reset() noexcept;
  bool active() const noexcept { return metrics_ != nullptr; }

 private:
  Metrics* metrics_ = nullptr;
  std::uint64_t id_ = 0;
};

class BIB_SDK_API Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Names follow Prometheus ([a-zA-Z_:][a-zA-Z0-9_:]*, labels without the colon and not
  // starting with "__"); a bad name, or one name used with two types, throws
  // std::invalid_argument. The help text of a family is the first one given.
  Counter& counter(std::string_view name, std::string_view help, const MetricLabels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const MetricLabels& labels = {});
  // The bounds of a family are the first ones given; they must be ascending and finite.
  Histogram& histogram(std::string_view name, std::string_view help, const MetricLabels& labels = {},
                       const std::vector<double>& bounds = default_latency_buckets());

  // A series whose value is read when the metrics are rendered. Registering a series that
  // exists already replaces it (the older handle then removes nothing), so assigning a new
  // registration over an old one for the same series works.
  [[nodiscard]] MetricRegistration gauge_fn(std::string_view name, std::string_view help, const MetricLabels& labels,
                                            std::function<double()> read);
  [[nodiscard]] MetricRegistration counter_fn(std::string_view name, std::string_view help,
                                              const MetricLabels& labels, std::function<double()> read);
  // A whole gauge family read at render time, for series that come and go (one per worker a
  // broker knows): read returns every series with its labels. The family then has no other
  // series; registering it again replaces the function.
  using LabelledValues = std::vector<std::pair<MetricLabels, double>>;
  [[nodiscard]] MetricRegistration gauge_family_fn(std::string_view name, std::string_view help,
                                                   std::function<LabelledValues()> read);

  // The Prometheus text exposition format, version 0.0.4: families by name, series by labels,
  // HELP and TYPE once per family; a family without series is left out.
  std::string render() const;

  // How many series are registered (tests).
  std::size_t series_count() const;

 private:
  friend class MetricRegistration;
  struct Family;
  struct Series;
  enum class Type;

  Series& series(std::string_view name, std::string_view help, Type type, const MetricLabels& labels,
                 const std::vector<double>* bounds);
  MetricRegistration computed(std::string_view name, std::string_view help, Type type, const MetricLabels& labels,
                              std::function<double()> read);
  void unregister(std::uint64_t id) noexcept;
  void render_family(std::string& out, const Family& family) const;

  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
  // Registration id -> the computed series it owns (no labels: the whole family), to find it
  // again when the handle goes.
  std::map<std::uint64_t, std::pair<Family*, std::optional<MetricLabels>>> registrations_;
  std::uint64_t next_registration_ = 1;
};

inline void MetricRegistration::reset() noexcept {
  if (metrics_ != nullptr) std::exchange(metrics_, nullptr)->unregister(id_);
}

}  // namespace bib
