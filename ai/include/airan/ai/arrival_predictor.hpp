// Forecasts of each flow's next packet arrival from the arrivals seen so far. An energy-aware
// policy sleeps until the earliest packet that is due and must be awake when it comes: the
// forecast's window (next_ns +- spread_ns) is what it plans with.
//
// Two kinds exist, one interface: the period predictor (no learning: running estimates of each
// flow's period and jitter) and the learned predictor (a small neural network trained offline
// with PyTorch on generated factory traffic, run without any training dependency on the CPU or
// the GPU; learned_predictor.hpp). The energy evaluation's ablation swaps one for the other
// under the same policy.
//
// Flows are indexed 0..flows()-1 (the index of the flow in its TrafficScenario). observe() and
// forecast() allocate nothing and never throw: they run per packet and per slot.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace airan::ai {

struct ArrivalForecast {
  bool known = false;          // enough history to forecast; a policy must not sleep on an unknown flow
  std::int64_t next_ns = 0;    // expected time of the flow's next arrival
  std::int64_t spread_ns = 0;  // the arrival falls in next_ns +- spread_ns with high probability
};

class ArrivalPredictor {
 public:
  virtual ~ArrivalPredictor() = default;
  virtual std::string_view name() const = 0;
  virtual std::size_t flows() const = 0;
  // An arrival of `flow` at arrival_ns; per flow, arrival times do not go back. Out-of-range
  // flows are ignored.
  virtual void observe(std::uint32_t flow, std::int64_t arrival_ns) = 0;
  // The next arrival of `flow` after its last observed one, as seen at now_ns (a forecast whose
  // window has passed without an arrival moves on by the flow's period).
  virtual ArrivalForecast forecast(std::uint32_t flow, std::int64_t now_ns) const = 0;
  // Every flow at once (out.size() == flows()); the learned predictor batches this on a GPU.
  virtual void forecast_all(std::int64_t now_ns, std::span<ArrivalForecast> out) const {
    for (std::size_t f = 0; f < out.size() && f < flows(); ++f) out[f] = forecast(static_cast<std::uint32_t>(f), now_ns);
  }
};

// The non-learned predictor: per flow, an exponentially weighted mean of the inter-arrival
// times (the period, drift included) and of their absolute deviation (the spread).
std::unique_ptr<ArrivalPredictor> make_period_predictor(std::size_t flows);

}  // namespace airan::ai
