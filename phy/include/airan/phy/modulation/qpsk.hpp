// QPSK of TS 38.211 5.1.3: d = ((1 - 2 b0) + j (1 - 2 b1)) / sqrt(2), unit energy.
#pragma once

#include <complex>
#include <cstdint>
#include <span>

namespace airan::phy {

// symbols.size() == bits.size() / 2.
void qpsk_modulate(std::span<const std::uint8_t> bits, std::span<std::complex<float>> symbols);

// Exact LLRs log(P(b=0)/P(b=1)) for complex AWGN of variance noise_variance
// (noise_variance / 2 per real dimension): llr = 2 sqrt(2) y / noise_variance.
void qpsk_demodulate_soft(std::span<const std::complex<float>> symbols, float noise_variance,
                          std::span<float> llrs);

}  // namespace airan::phy
