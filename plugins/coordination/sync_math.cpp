#include "sync_math.hpp"

#include <algorithm>
#include <cmath>

namespace bib::coordination {

double estimate_offset(double reply_time, double rtt_seconds, double local_now_at_receipt) {
  return reply_time + rtt_seconds / 2 - local_now_at_receipt;
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

BerkeleyRound berkeley_average(const std::vector<ClockSample>& samples, double outlier_s) {
  BerkeleyRound round;
  std::vector<double> offsets;
  for (const ClockSample& sample : samples) offsets.push_back(sample.offset);
  round.median = median(offsets);

  double sum = 0;
  for (const ClockSample& sample : samples) {
    const bool outlier = std::fabs(sample.offset - round.median) > outlier_s;
    if (!outlier) {
      sum += sample.offset;
      ++round.averaged;
    }
    round.corrections.push_back(Correction{sample.server, sample.offset, 0, outlier});
  }
  round.average = round.averaged > 0 ? sum / static_cast<double>(round.averaged) : 0.0;
  for (Correction& c : round.corrections) c.correction = round.average - c.offset_before;
  return round;
}

CristianStep cristian_step(double reply_time, double rtt_seconds, double local_now_at_receipt) {
  CristianStep step;
  step.difference = estimate_offset(reply_time, rtt_seconds, local_now_at_receipt);
  step.adjust = std::fabs(step.difference) > rtt_seconds / 2;
  return step;
}

}  // namespace bib::coordination
