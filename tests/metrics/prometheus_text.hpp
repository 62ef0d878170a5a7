// Reading a scrape back: the samples of Prometheus text, by series.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace bib::test {

// "name{a=\"x\"}" (as rendered, labels in the order given) -> value; comments skipped.
using Samples = std::map<std::string, double>;

Samples parse_samples(const std::string& text);

// The value of one series, when present.
std::optional<double> sample(const Samples& samples, const std::string& series);
// The sum over every series of a metric name (any labels); nothing when it has none.
std::optional<double> sum_of(const Samples& samples, const std::string& name);

}  // namespace bib::test
