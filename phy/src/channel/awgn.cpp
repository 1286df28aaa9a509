#include "airan/phy/channel/awgn.hpp"

#include <cmath>

namespace airan::phy {

void AwgnChannel::add_noise(std::span<std::complex<float>> samples, float noise_variance) {
  const float sigma = std::sqrt(noise_variance / 2.0F);
  for (auto& s : samples) s += std::complex<float>(sigma * normal_(engine_), sigma * normal_(engine_));
}

float noise_variance_from_snr_db(double snr_db) { return static_cast<float>(std::pow(10.0, -snr_db / 10.0)); }

}  // namespace airan::phy
