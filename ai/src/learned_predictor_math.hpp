// The per-flow arithmetic of the learned arrival predictor, written once for the CPU and the
// CUDA paths (AIRAN_HD is __host__ __device__ under nvcc). Everything here works on plain
// structs and raw pointers so that the same code runs on host memory and on device copies.
//
// The feature definition must stay identical to ai/training/train_arrival_predictor.py
// (features()); the reference cases in the model file catch a network mismatch, and the
// held-out metrics test catches a feature mismatch.
#pragma once

#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define AIRAN_HD __host__ __device__
#else
#define AIRAN_HD
#endif

namespace airan::ai::detail {

inline constexpr int kHistory = 8;                   // inter-arrival times the network sees
inline constexpr int kFeatureCount = kHistory + 3;  // + log period, elapsed, burst fraction
inline constexpr int kOutputCount = 2;              // next gap / period, log of the Laplace scale
inline constexpr int kMaxLayers = 4;
inline constexpr int kMaxWidth = 64;
inline constexpr double kNsPerMs = 1e6;

// Constants of the feature computation, stored in the model file so that training and
// inference agree on them.
struct FeatureParams {
  double gap_clip = 4.0;          // normalised gaps above this are clipped (long silences)
  double elapsed_clip = 4.0;      // same for the time since the last arrival
  double burst_gap = 0.5;         // a gap below this fraction of the period looks like a burst
  double period_alpha = 0.0625;   // EWMA weight of the period estimate once warmed up
  double period_clip_low = 0.5;   // each gap enters the EWMA clipped to [low, high] x period,
  double period_clip_high = 2.0;  // so that a burst or a silence moves the estimate slowly
  int min_gaps = 2;               // gaps needed before a forecast is "known"
};

struct ActivationKind {
  enum : int { none = 0, tanh = 1, relu = 2 };
};

// The network as offsets into one float array (weights row-major [out][in], then biases).
struct NetworkView {
  int layer_count = 0;
  int inputs[kMaxLayers] = {};
  int outputs[kMaxLayers] = {};
  int activation[kMaxLayers] = {};
  int weight_offset[kMaxLayers] = {};
  int bias_offset[kMaxLayers] = {};
  float input_mean[kFeatureCount] = {};
  float input_inv_std[kFeatureCount] = {};
  double window_z = 3.0;            // spread = window_z x Laplace scale x period
  double min_spread_fraction = 0.0;  // lower bound of the spread, in periods
};

// Per-flow state: fixed size, so observe() only writes into a preallocated array.
struct FlowState {
  std::int64_t last_ns = 0;
  std::int64_t gaps_ns[kHistory] = {};  // ring, newest at head - 1
  std::int64_t arrivals = 0;
  std::int32_t head = 0;
  double period_ns = 0.0;
};

struct ForecastValue {
  int known = 0;
  std::int64_t next_ns = 0;
  std::int64_t spread_ns = 0;
};

AIRAN_HD inline double clamp_value(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }

AIRAN_HD inline std::int64_t gap_count(const FlowState& s) { return s.arrivals > 0 ? s.arrivals - 1 : 0; }

// One arrival: the period estimate is the running mean of the gaps while fewer than kHistory
// have been seen (a robust start), then an EWMA of clipped gaps.
AIRAN_HD inline void observe_arrival(FlowState& s, const FeatureParams& p, std::int64_t arrival_ns) {
  if (s.arrivals > 0) {
    const std::int64_t gap = arrival_ns > s.last_ns ? arrival_ns - s.last_ns : 0;
    s.gaps_ns[s.head] = gap;
    s.head = (s.head + 1) % kHistory;
    const std::int64_t gaps = s.arrivals;  // including this one
    if (gaps <= kHistory) {
      s.period_ns += (static_cast<double>(gap) - s.period_ns) / static_cast<double>(gaps);
    } else {
      const double clipped = clamp_value(static_cast<double>(gap), p.period_clip_low * s.period_ns,
                                         p.period_clip_high * s.period_ns);
      s.period_ns += p.period_alpha * (clipped - s.period_ns);
    }
    if (s.period_ns < 1.0) s.period_ns = 1.0;  // simultaneous arrivals must not divide by zero
  }
  s.last_ns = arrival_ns;
  ++s.arrivals;
}

// The network's input before standardisation: the last kHistory gaps over the period (newest
// first, 1 where there is no history yet), log(period / 1 ms), time since the last arrival
// over the period, and the share of recent gaps that look like a burst.
AIRAN_HD inline void compute_features(const FlowState& s, const FeatureParams& p, std::int64_t now_ns,
                                      float* features) {
  const double period = s.period_ns;
  const std::int64_t gaps = gap_count(s);
  const int available = gaps < kHistory ? static_cast<int>(gaps) : kHistory;
  int short_gaps = 0;
  for (int k = 0; k < kHistory; ++k) {
    double value = 1.0;
    if (k < available) {
      const int index = (s.head - 1 - k + 2 * kHistory) % kHistory;
      value = clamp_value(static_cast<double>(s.gaps_ns[index]) / period, 0.0, p.gap_clip);
      if (value < p.burst_gap) ++short_gaps;
    }
    features[k] = static_cast<float>(value);
  }
  const double elapsed = now_ns > s.last_ns ? static_cast<double>(now_ns - s.last_ns) : 0.0;
  features[kHistory] = static_cast<float>(log(period / kNsPerMs));
  features[kHistory + 1] = static_cast<float>(clamp_value(elapsed / period, 0.0, p.elapsed_clip));
  features[kHistory + 2] = static_cast<float>(available > 0 ? static_cast<double>(short_gaps) / available : 0.0);
}

AIRAN_HD inline float activate(float x, int kind) {
  if (kind == ActivationKind::tanh) return tanhf(x);
  if (kind == ActivationKind::relu) return x > 0.0f ? x : 0.0f;
  return x;
}

// One dense layer: out[o] = act(bias[o] + sum_i w[o][i] * in[i]).
AIRAN_HD inline void dense_layer(const float* weights, const float* bias, int inputs, int outputs, int activation,
                                 const float* in, float* out) {
  for (int o = 0; o < outputs; ++o) {
    float sum = bias[o];
    const float* row = weights + o * inputs;
    for (int i = 0; i < inputs; ++i) sum += row[i] * in[i];
    out[o] = activate(sum, activation);
  }
}

// The network on raw features (standardised here): outputs[0] = next gap / period,
// outputs[1] = log of the Laplace scale of that gap, in periods.
AIRAN_HD inline void run_network(const NetworkView& net, const float* parameters, const float* features,
                                 float* outputs) {
  float a[kMaxWidth];
  float b[kMaxWidth];
  for (int i = 0; i < kFeatureCount; ++i) a[i] = (features[i] - net.input_mean[i]) * net.input_inv_std[i];
  float* in = a;
  float* out = b;
  for (int l = 0; l < net.layer_count; ++l) {
    dense_layer(parameters + net.weight_offset[l], parameters + net.bias_offset[l], net.inputs[l], net.outputs[l],
                net.activation[l], in, out);
    float* t = in;
    in = out;
    out = t;
  }
  for (int o = 0; o < kOutputCount; ++o) outputs[o] = in[o];
}

// The forecast of one flow at now_ns. The window is next +- window_z x scale x period; when
// now_ns is already past it (a late or lost packet), it moves on by whole periods.
AIRAN_HD inline ForecastValue forecast_flow(const FlowState& s, const FeatureParams& p, const NetworkView& net,
                                            const float* parameters, std::int64_t now_ns) {
  ForecastValue f;
  if (gap_count(s) < p.min_gaps) return f;
  float features[kFeatureCount];
  compute_features(s, p, now_ns, features);
  float outputs[kOutputCount];
  run_network(net, parameters, features, outputs);
  const double period = s.period_ns;
  const double gap = static_cast<double>(outputs[0]) * period;
  double spread = net.window_z * exp(static_cast<double>(outputs[1])) * period;
  if (spread < net.min_spread_fraction * period) spread = net.min_spread_fraction * period;
  double next = static_cast<double>(s.last_ns) + (gap > 0.0 ? gap : 0.0);
  const double now = static_cast<double>(now_ns);
  if (next + spread < now) next += ceil((now - (next + spread)) / period) * period;
  f.known = 1;
  f.next_ns = static_cast<std::int64_t>(llround(next));
  f.spread_ns = static_cast<std::int64_t>(llround(spread));
  return f;
}

}  // namespace airan::ai::detail
