// Conversion of real-valued LLRs to the decoder's int8 soft bits.
#pragma once

#include <span>

#include "airan/phy/coding/bits.hpp"

namespace airan::phy {

// out[i] = clamp(round(llrs[i] * scale), -127, 127).
void quantize_llrs(std::span<const float> llrs, float scale, std::span<Llr> out);

// Hard-decision soft bits: +magnitude for bit 0, -magnitude for bit 1.
void bits_to_llrs(std::span<const std::uint8_t> bits, Llr magnitude, std::span<Llr> out);

}  // namespace airan::phy
