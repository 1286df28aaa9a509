// Random received signals for the PUSCH tests: circularly symmetric complex Gaussian samples,
// and a transmission added to a received grid through a random flat-in-time MIMO channel (per
// receive port and layer a complex gain and a delay, a linear phase over the subcarriers).
// Header-only; the draws depend only on the engine.
#pragma once

#include <cmath>
#include <numbers>
#include <random>

#include "airan/phy/resource_grid.hpp"

namespace airan::phy::test {

// CN(0, 1).
inline Complex random_cn(std::mt19937_64& e) {
  std::normal_distribution<float> normal(0.0F, std::sqrt(0.5F));
  return {normal(e), normal(e)};
}

// Layers 0..layers-1 of `tx` added to every port of `rx` from subcarrier `rx_offset`, each
// (port, layer) with gain CN(0, gain_scale^2) and a delay uniform in [0, max_delay) of the
// symbol (drawn in that order).
inline void add_through_random_channel(const ResourceGrid& tx, int layers, ResourceGrid& rx, int rx_offset,
                                       std::mt19937_64& e, double max_delay = 0.03, float gain_scale = 1.0F) {
  for (int r = 0; r < rx.ports(); ++r) {
    for (int t = 0; t < layers; ++t) {
      const Complex gain = random_cn(e) * gain_scale;
      const double delay = std::uniform_real_distribution<double>(0.0, max_delay)(e);
      for (int l = 0; l < tx.symbols(); ++l) {
        for (int k = 0; k < tx.subcarriers(); ++k) {
          const auto phase = static_cast<float>(-2.0 * std::numbers::pi * delay * k);
          rx.at(r, l, rx_offset + k) += gain * std::polar(1.0F, phase) * tx.at(t, l, k);
        }
      }
    }
  }
}

// AWGN of variance 10^(-snr_db / 10) per RE on every element of `grid`.
inline void add_awgn(ResourceGrid& grid, double snr_db, std::mt19937_64& e) {
  const auto sigma = static_cast<float>(std::pow(10.0, -snr_db / 20.0));
  for (auto& v : grid.data()) v += sigma * random_cn(e);
}

}  // namespace airan::phy::test
