#include "airan/phy/coding/llr.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace airan::phy {

void quantize_llrs(std::span<const float> llrs, float scale, std::span<Llr> out) {
  assert(llrs.size() == out.size());
  // Round to nearest (ties to even) with the float magic-number trick: std::nearbyint is a
  // library call on baseline x86-64 and dominated this loop.
  constexpr float kRoundMagic = 12582912.0F;  // 1.5 * 2^23
  for (std::size_t i = 0; i < llrs.size(); ++i) {
    const float clamped = std::clamp(llrs[i] * scale, -127.0F, 127.0F);
    out[i] = static_cast<Llr>((clamped + kRoundMagic) - kRoundMagic);
  }
}

void bits_to_llrs(std::span<const std::uint8_t> bits, Llr magnitude, std::span<Llr> out) {
  assert(bits.size() == out.size());
  for (std::size_t i = 0; i < bits.size(); ++i) out[i] = static_cast<Llr>(bits[i] ? -magnitude : magnitude);
}

}  // namespace airan::phy
