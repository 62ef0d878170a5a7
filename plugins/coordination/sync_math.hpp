// The arithmetic of physical clock synchronisation (docs/architecture.md), free of sockets.
//
// One `clock` exchange: we send at local time t0, the peer answers {time: T}, we receive at
// local time t1 (our physical clock) after a round trip rtt. Assuming the two legs take equal
// time, the peer's clock read T + rtt/2 when we read t1, so its offset from us is
//   offset = T + rtt/2 - t1          (error at most rtt/2).
//
// Berkeley (the coordinator, every sync interval): offsets of every server from the
// coordinator, the coordinator itself being 0. Offsets more than outlier_s from the median
// are outliers: left out of the average, still corrected. Everyone moves to the average:
// server i gets correction = average - offset_i (the coordinator too: average - 0).
//
// Cristian (a follower asking the coordinator): the same estimate; the follower moves to the
// coordinator's time only when the difference is larger than rtt/2, the estimate's own error,
// since a smaller step would be noise.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace bib::coordination {

// A peer's clock minus ours, from one exchange (see above).
double estimate_offset(double reply_time, double rtt_seconds, double local_now_at_receipt);

double median(std::vector<double> values);  // 0 for an empty list

struct ClockSample {
  std::string server;
  double offset = 0;  // the server's clock minus the coordinator's, seconds
};

struct Correction {
  std::string server;
  double offset_before = 0;  // as sampled
  double correction = 0;     // add this to the server's clock
  bool outlier = false;      // left out of the average
};

struct BerkeleyRound {
  double median = 0;
  double average = 0;        // the agreed time, as an offset from the coordinator's clock
  std::size_t averaged = 0;  // samples in the average
  std::vector<Correction> corrections;  // one per sample, in sample order
};

// The round's average and corrections. When no sample lies within outlier_s of the median
// (possible with an even count: 0 and 10 around 5) nothing is trusted and the coordinator's
// own clock (offset 0) is the agreed time.
BerkeleyRound berkeley_average(const std::vector<ClockSample>& samples, double outlier_s);

struct CristianStep {
  double difference = 0;  // coordinator's clock minus ours
  bool adjust = false;    // |difference| > rtt/2: worth moving our clock by `difference`
};

CristianStep cristian_step(double reply_time, double rtt_seconds, double local_now_at_receipt);

}  // namespace bib::coordination
