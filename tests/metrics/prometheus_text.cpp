#include "prometheus_text.hpp"

#include <sstream>

namespace bib::test {

Samples parse_samples(const std::string& text) {
  Samples out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    // Label values here hold no spaces: the value is after the last one.
    const auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

std::optional<double> sample(const Samples& samples, const std::string& series) {
  const auto it = samples.find(series);
  if (it == samples.end()) return std::nullopt;
  return it->second;
}

std::optional<double> sum_of(const Samples& samples, const std::string& name) {
  std::optional<double> sum;
  for (const auto& [series, value] : samples)
    if (series == name || series.rfind(name + "{", 0) == 0) sum = sum.value_or(0) + value;
  return sum;
}

}  // namespace bib::test
