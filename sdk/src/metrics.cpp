#include "bib/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <stdexcept>

namespace bib {

enum class Metrics::Type { counter, gauge, histogram };

struct Metrics::Series {
  Counter counter;
  Gauge gauge;
  std::optional<Histogram> histogram;
  std::function<double()> read;  // set for a computed series
  std::uint64_t registration = 0;
};

struct Metrics::Family {
  std::string name;
  std::string help;
  Type type;
  std::vector<double> bounds;
  std::map<MetricLabels, Series> series;
  std::function<LabelledValues()> read_all;  // gauge_family_fn: every series, at render
  std::uint64_t registration = 0;            // of read_all
};

namespace {

const char* type_name(int type) {
  static const char* const names[] = {"counter", "gauge", "histogram"};
  return names[type];
}

bool name_char(char c, bool first, bool colon) {
  const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  return letter || (!first && c >= '0' && c <= '9');
}

bool valid_name(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (!name_char(name[i], i == 0, colon)) return false;
  return true;
}

void check_names(std::string_view name, const MetricLabels& labels) {
  if (!valid_name(name, true)) throw std::invalid_argument("bad metric name '" + std::string(name) + "'");
  for (const auto& [label, value] : labels)
    if (!valid_name(label, false) || label.starts_with("__") || label == "le")
      throw std::invalid_argument("metric " + std::string(name) + ": bad label name '" + label + "'");
}

// The shortest text that reads back the same number, as Go's float syntax (which Prometheus
// reads) allows; without an exponent in the range metrics live in, so that a bucket reads
// le="0.0001" rather than le="1e-04".
std::string number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  const double magnitude = std::fabs(value);
  if (magnitude == 0) return "0";  // -0 too
  const bool plain = magnitude >= 1e-6 && magnitude < 1e15;
  char buffer[64];
  const auto result = plain ? std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed)
                            : std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

// Label values escape backslash, double quote and newline; help text backslash and newline.
std::string escaped(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"' && quote) out += "\\\"";
    else out += c;
  }
  return out;
}

// {a="x",b="y"}, with an extra label (le) at the end when given; "" for no labels at all.
std::string label_text(const MetricLabels& labels, std::string_view extra_name = {}, std::string_view extra = {}) {
  if (labels.empty() && extra_name.empty()) return {};
  std::string out = "{";
  for (const auto& [name, value] : labels) {
    if (out.size() > 1) out += ',';
    out += name + "=\"" + escaped(value, true) + '"';
  }
  if (!extra_name.empty()) {
    if (out.size() > 1) out += ',';
    out += std::string(extra_name) + "=\"" + std::string(extra) + '"';
  }
  return out + '}';
}

// A computed series that throws reads as NaN: one broken reader must not cost the whole scrape.
double read_value(const std::function<double()>& read) {
  try {
    return read();
  } catch (const std::exception&) {
    return std::nan("");
  }
}

void render_histogram(std::string& out, const std::string& name, const MetricLabels& labels, const Histogram& h) {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < h.bounds().size(); ++i) {
    cumulative += h.bucket_counts()[i];
    out += name + "_bucket" + label_text(labels, "le", number(h.bounds()[i])) + ' ' + std::to_string(cumulative) + '\n';
  }
  out += name + "_bucket" + label_text(labels, "le", "+Inf") + ' ' + std::to_string(h.count()) + '\n';
  out += name + "_sum" + label_text(labels) + ' ' + number(h.sum()) + '\n';
  out += name + "_count" + label_text(labels) + ' ' + std::to_string(h.count()) + '\n';
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
      std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end() ||
      std::any_of(bounds_.begin(), bounds_.end(), [](double b) { return !std::isfinite(b); }))
    throw std::invalid_argument("histogram bounds must be finite and strictly ascending");
}

void Histogram::observe(double value) noexcept {
  // The first bucket whose upper bound is at least the value (le means "less or equal").
  const auto bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  ++counts_[static_cast<std::size_t>(bucket)];
  sum_ += value;
  ++count_;
}

const std::vector<double>& default_latency_buckets() {
  static const std::vector<double> buckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                           0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,     10};
  return buckets;
}

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

Metrics::Series& Metrics::series(std::string_view name, std::string_view help, Type type, const MetricLabels& labels,
                                 const std::vector<double>* bounds) {
  check_names(name, labels);
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto family = std::make_unique<Family>(Family{std::string(name), std::string(help), type, {}, {}, {}, 0});
    if (bounds != nullptr) {
      Histogram check(*bounds);  // refuses bad bounds before the family exists
      family->bounds = *bounds;
    }
    it = families_.emplace(std::string(name), std::move(family)).first;
  }
  Family& family = *it->second;
  if (family.read_all)
    throw std::invalid_argument("metric " + family.name + " is a family read by one function");
  if (family.type != type)
    throw std::invalid_argument("metric " + family.name + " is a " + type_name(static_cast<int>(family.type)) +
                                ", not a " + type_name(static_cast<int>(type)));
  auto [entry, added] = family.series.try_emplace(labels);
  if (added && type == Type::histogram) entry->second.histogram.emplace(family.bounds);
  return entry->second;
}

Counter& Metrics::counter(std::string_view name, std::string_view help, const MetricLabels& labels) {
  Series& s = series(name, help, Type::counter, labels, nullptr);
  if (s.read) throw std::invalid_argument("metric " + std::string(name) + " has a computed series with these labels");
  return s.counter;
}

Gauge& Metrics::gauge(std::string_view name, std::string_view help, const MetricLabels& labels) {
  Series& s = series(name, help, Type::gauge, labels, nullptr);
  if (s.read) throw std::invalid_argument("metric " + std::string(name) + " has a computed series with these labels");
  return s.gauge;
}

Histogram& Metrics::histogram(std::string_view name, std::string_view help, const MetricLabels& labels,
                              const std::vector<double>& bounds) {
  return *series(name, help, Type::histogram, labels, &bounds).histogram;
}

MetricRegistration Metrics::computed(std::string_view name, std::string_view help, Type type,
                                     const MetricLabels& labels, std::function<double()> read) {
  if (!read) throw std::invalid_argument("metric " + std::string(name) + ": no function to read");
  const auto family = families_.find(name);
  const bool existed = family != families_.end() && family->second->series.contains(labels);
  Series& s = series(name, help, type, labels, nullptr);
  if (existed && !s.read)
    throw std::invalid_argument("metric " + std::string(name) + " has a plain series with these labels");
  if (s.registration != 0) registrations_.erase(s.registration);
  const std::uint64_t id = next_registration_++;
  s.read = std::move(read);
  s.registration = id;
  registrations_.emplace(id, std::make_pair(families_.find(name)->second.get(), std::optional<MetricLabels>(labels)));
  return MetricRegistration(*this, id);
}

MetricRegistration Metrics::gauge_fn(std::string_view name, std::string_view help, const MetricLabels& labels,
                                     std::function<double()> read) {
  return computed(name, help, Type::gauge, labels, std::move(read));
}

MetricRegistration Metrics::counter_fn(std::string_view name, std::string_view help, const MetricLabels& labels,
                                       std::function<double()> read) {
  return computed(name, help, Type::counter, labels, std::move(read));
}

MetricRegistration Metrics::gauge_family_fn(std::string_view name, std::string_view help,
                                            std::function<LabelledValues()> read) {
  check_names(name, {});
  if (!read) throw std::invalid_argument("metric " + std::string(name) + ": no function to read");
  auto it = families_.find(name);
  if (it == families_.end())
    it = families_.emplace(std::string(name), std::make_unique<Family>(Family{std::string(name), std::string(help),
                                                                               Type::gauge, {}, {}, {}, 0}))
             .first;
  Family& family = *it->second;
  if (family.type != Type::gauge || !family.series.empty())
    throw std::invalid_argument("metric " + family.name + " has series of its own");
  if (family.registration != 0) registrations_.erase(family.registration);
  const std::uint64_t id = next_registration_++;
  family.read_all = std::move(read);
  family.registration = id;
  // Made in place, the labels left empty (the whole family): moving an empty optional in made
  // GCC 12 at -O1 with ASan warn of an uninitialized vector (-Wmaybe-uninitialized, a false alarm).
  registrations_[id].first = &family;
  return MetricRegistration(*this, id);
}

void Metrics::unregister(std::uint64_t id) noexcept {
  const auto it = registrations_.find(id);
  if (it == registrations_.end()) return;  // replaced by a newer registration of the same series
  auto& [family, labels] = it->second;
  if (labels) {
    family->series.erase(*labels);
  } else {
    family->read_all = nullptr;
    family->registration = 0;
  }
  registrations_.erase(it);
}

void Metrics::render_family(std::string& out, const Family& family) const {
  LabelledValues values;
  try {
    values = family.read_all();
  } catch (const std::exception&) {
    return;  // as a family without series
  }
  if (values.empty()) return;
  std::sort(values.begin(), values.end());
  out += "# HELP " + family.name + ' ' + escaped(family.help, false) + '\n';
  out += "# TYPE " + family.name + " gauge\n";
  for (const auto& [labels, value] : values) out += family.name + label_text(labels) + ' ' + number(value) + '\n';
}

std::size_t Metrics::series_count() const {
  std::size_t n = 0;
  for (const auto& [name, family] : families_) n += family->series.size() + (family->read_all ? 1 : 0);
  return n;
}

std::string Metrics::render() const {
  std::string out;
  for (const auto& [name, family] : families_) {
    if (family->read_all) {
      render_family(out, *family);
      continue;
    }
    if (family->series.empty()) continue;
    out += "# HELP " + name + ' ' + escaped(family->help, false) + '\n';
    out += "# TYPE " + name + ' ' + type_name(static_cast<int>(family->type)) + '\n';
    for (const auto& [labels, s] : family->series) {
      switch (family->type) {
        case Type::counter:
          out += name + label_text(labels) + ' ' + number(s.read ? read_value(s.read) : s.counter.value()) + '\n';
          break;
        case Type::gauge:
          out += name + label_text(labels) + ' ' + number(s.read ? read_value(s.read) : s.gauge.value()) + '\n';
          break;
        case Type::histogram:
          render_histogram(out, name, labels, *s.histogram);
          break;
      }
    }
  }
  return out;
}

}  // namespace bib
