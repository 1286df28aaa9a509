// The non-learned arrival predictor (arrival_predictor.hpp): per flow, an exponentially
// weighted mean of the inter-arrival time (the period as the cell sees it, clock drift
// included) and of the absolute deviation of each gap from that mean (the spread).
//
// Robustness, because factory flows are not clean periodic sequences:
//  - burst packets: a gap far below the current period (below kBurstGapShare of it) is a packet
//    on top of the flow's schedule, not a new period; it neither updates the estimates nor
//    moves the reference arrival the next forecast counts from;
//  - missed arrivals (a packet the observer never saw, or a sleeping radio that heard it late):
//    a gap of about n periods updates the period with gap / n, not with the whole gap;
//  - forecasts move on by whole periods once a window passed without an arrival.
// Poisson flows give a deviation close to their mean gap, so their spread says "unpredictable"
// by itself; a policy decides what to do with it.
#include <algorithm>
#include <cmath>
#include <vector>

#include "airan/ai/arrival_predictor.hpp"

namespace airan::ai {
namespace {

constexpr double kPeriodWeight = 0.1;     // of a new gap in the period mean (~10-gap memory)
constexpr double kDeviationWeight = 0.1;  // of a new absolute error in the deviation mean
constexpr double kBurstGapShare = 0.5;    // gaps below half a period are burst packets
constexpr double kSpreadDeviations = 4.0; // window half-width in mean absolute deviations
constexpr int kMinGaps = 3;               // gaps seen before a forecast is `known`
constexpr int kMaxMissedPeriods = 8;      // longer silences restart the estimate

class PeriodPredictor final : public ArrivalPredictor {
 public:
  explicit PeriodPredictor(std::size_t flows) : states_(flows) {}

  std::string_view name() const override { return "period"; }
  std::size_t flows() const override { return states_.size(); }

  void observe(std::uint32_t flow, std::int64_t arrival_ns) override {
    if (flow >= states_.size()) return;
    FlowState& s = states_[flow];
    if (s.arrivals == 0) {
      s.reference_ns = arrival_ns;
      s.arrivals = 1;
      return;
    }
    const double gap = static_cast<double>(arrival_ns - s.reference_ns);
    if (gap <= 0.0) return;  // same instant as the reference: nothing to learn
    if (s.gaps == 0) {
      // The first gap is the first period estimate; the deviation starts at a tenth of it
      // so that the first windows are not pretend-exact.
      s.period_ns = gap;
      s.deviation_ns = 0.1 * gap;
      s.gaps = 1;
      s.reference_ns = arrival_ns;
      return;
    }
    if (gap < kBurstGapShare * s.period_ns) {
      // A burst packet is learned as such only while the period estimate is trusted; in the
      // first gaps a short gap may mean the first estimate was a multiple of the period.
      if (s.gaps >= kMinGaps) return;
      s.period_ns = gap;
      s.deviation_ns = 0.1 * gap;
      s.reference_ns = arrival_ns;
      return;
    }
    const double periods = std::max(1.0, std::round(gap / s.period_ns));
    if (periods > kMaxMissedPeriods) {
      // A long silence (a flow that stopped and restarted, a different phase): start again from
      // this arrival, keeping the period as the first guess.
      s.reference_ns = arrival_ns;
      s.gaps = 1;
      return;
    }
    const double per_period = gap / periods;
    const double error = per_period - s.period_ns;
    s.period_ns += kPeriodWeight * error;
    s.deviation_ns += kDeviationWeight * (std::abs(error) - s.deviation_ns);
    s.reference_ns = arrival_ns;
    ++s.gaps;
  }

  ArrivalForecast forecast(std::uint32_t flow, std::int64_t now_ns) const override {
    ArrivalForecast f;
    if (flow >= states_.size()) return f;
    const FlowState& s = states_[flow];
    if (s.gaps < 1) return f;
    f.known = s.gaps >= kMinGaps;
    const auto period = static_cast<std::int64_t>(std::llround(s.period_ns));
    // A window of at least 1 % of the period: an estimate is never exact.
    f.spread_ns = static_cast<std::int64_t>(std::ceil(std::max(kSpreadDeviations * s.deviation_ns, 0.01 * s.period_ns)));
    f.next_ns = s.reference_ns + period;
    if (period > 0 && f.next_ns + f.spread_ns < now_ns) {
      // Windows passed without an arrival: move on by whole periods to the first window that
      // has not ended yet.
      const std::int64_t late = now_ns - (f.next_ns + f.spread_ns);
      f.next_ns += ((late + period - 1) / period) * period;
    }
    return f;
  }

 private:
  struct FlowState {
    std::int64_t reference_ns = 0;  // the latest arrival of the flow's own schedule
    std::int64_t arrivals = 0;
    int gaps = 0;
    double period_ns = 0.0;
    double deviation_ns = 0.0;
  };
  std::vector<FlowState> states_;
};

}  // namespace

std::unique_ptr<ArrivalPredictor> make_period_predictor(std::size_t flows) {
  return std::make_unique<PeriodPredictor>(flows);
}

}  // namespace airan::ai
