// PUSCH channel estimation from the DMRS (TS 38.211 6.4.1.1): least squares per DMRS pair with
// OCC despreading, interpolation in frequency (linear, or DFT-based denoising first) and, at
// equalisation, in time between DMRS symbols; noise variance and timing offset estimates.
#pragma once

#include <complex>
#include <memory>
#include <vector>

#include "airan/phy/pusch/pusch_config.hpp"
#include "airan/phy/resource_grid.hpp"

namespace airan::phy {

enum class FrequencyInterpolation {
  linear,  // straight lines between the per-pair LS estimates
  dft,     // DFT-based denoising of the LS estimates (taps beyond the cyclic prefix dropped), then linear
};

struct ChannelEstimatorConfig {
  FrequencyInterpolation interpolation = FrequencyInterpolation::dft;
  // Delay spread kept by the DFT denoiser around the mean delay, as a fraction of the OFDM
  // symbol (the normal cyclic prefix is about 0.07 of it): dft_delay_window - dft_early_window.
  double dft_delay_window = 0.09;
  double dft_early_window = 0.02;
  // Also estimate the noise-plus-interference covariance across receive ports (MMSE-IRC).
  bool noise_covariance = false;
};

// The estimate of one slot: for each DMRS time group (one DMRS symbol, or the two symbols of a
// double-symbol DMRS), H[rx][layer][subcarrier of the allocation], plus the statistics.
struct PuschChannelEstimate {
  int rx_ports = 0;
  int layers = 0;
  int subcarriers = 0;
  int num_groups = 0;
  std::array<double, kMaxDmrsSymbols> group_symbol{};  // centre symbol of each group (l or l + 0.5)
  std::vector<Complex> h;                              // [group][rx][layer][subcarrier]
  float noise_variance = 0.0F;                         // per RE, per rx port
  double timing_offset_s = 0.0;                        // positive: the signal arrives late
  double snr_db = 0.0;                                 // channel power over noise on the DMRS
  // Noise-plus-interference covariance across receive ports, rx x rx row-major, from the DMRS
  // residuals, scaled so that its mean diagonal equals noise_variance (for MMSE-IRC); empty
  // unless ChannelEstimatorConfig::noise_covariance is set.
  std::vector<Complex> noise_covariance;

  Complex* at(int group, int rx, int layer) {
    return h.data() + ((static_cast<std::size_t>(group) * rx_ports + rx) * layers + layer) * subcarriers;
  }
  const Complex* at(int group, int rx, int layer) const {
    return h.data() + ((static_cast<std::size_t>(group) * rx_ports + rx) * layers + layer) * subcarriers;
  }
};

class PuschChannelEstimator {
 public:
  static Expected<std::unique_ptr<PuschChannelEstimator>> create(const ChannelEstimatorConfig& config);
  virtual ~PuschChannelEstimator() = default;

  // rx_grid: [rx port][symbol][BWP subcarrier]. Reuses `estimate`'s memory when large enough.
  virtual Status estimate(const PuschPlan& plan, const ResourceGrid& rx_grid, PuschChannelEstimate& estimate) = 0;
};

}  // namespace airan::phy
