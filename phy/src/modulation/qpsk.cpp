#include "airan/phy/modulation/qpsk.hpp"

#include <cassert>
#include <cmath>

namespace airan::phy {

void qpsk_modulate(std::span<const std::uint8_t> bits, std::span<std::complex<float>> symbols) {
  assert(bits.size() == 2 * symbols.size());
  const float a = 1.0F / std::sqrt(2.0F);
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    symbols[i] = {a * (1.0F - 2.0F * bits[2 * i]), a * (1.0F - 2.0F * bits[2 * i + 1])};
  }
}

void qpsk_demodulate_soft(std::span<const std::complex<float>> symbols, float noise_variance,
                          std::span<float> llrs) {
  assert(llrs.size() == 2 * symbols.size());
  const float gain = 2.0F * std::sqrt(2.0F) / noise_variance;
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    llrs[2 * i] = gain * symbols[i].real();
    llrs[2 * i + 1] = gain * symbols[i].imag();
  }
}

}  // namespace airan::phy
