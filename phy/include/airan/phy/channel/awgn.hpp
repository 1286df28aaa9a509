// Additive white Gaussian noise, reproducible from a seed.
#pragma once

#include <complex>
#include <cstdint>
#include <random>
#include <span>

namespace airan::phy {

class AwgnChannel {
 public:
  explicit AwgnChannel(std::uint64_t seed) : engine_(seed) {}

  // Adds complex Gaussian noise of total variance noise_variance (half per real dimension).
  void add_noise(std::span<std::complex<float>> samples, float noise_variance);

 private:
  std::mt19937_64 engine_;
  std::normal_distribution<float> normal_{0.0F, 1.0F};
};

// Noise variance of unit-energy symbols at a given SNR in dB: 10^(-snr/10).
float noise_variance_from_snr_db(double snr_db);

}  // namespace airan::phy
