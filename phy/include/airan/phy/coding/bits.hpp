// Bit containers of the coding chain.
//
// The transport-channel chain works on unpacked bits: one bit per byte, value 0 or 1,
// which is the layout of the reference vectors and lets every stage index bits directly.
// Soft bits are int8 log-likelihood ratios, log(P(b=0)/P(b=1)): positive means 0.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>

namespace airan::phy {

using Llr = std::int8_t;
inline constexpr Llr kLlrMax = 127;

// Packs 8 unpacked bits (first bit most significant) into one byte.
inline std::uint8_t pack_8_bits(const std::uint8_t* bits) {
  std::uint64_t lanes;
  std::memcpy(&lanes, bits, sizeof lanes);
  // Each byte lane holds 0 or 1; the multiply gathers lane i into bit 63-i.
  return static_cast<std::uint8_t>((lanes * 0x8040201008040201ULL) >> 56);
}

// Packs unpacked bits MSB first; bits.size() must equal 8 * bytes.size().
void pack_bits(std::span<const std::uint8_t> bits, std::span<std::uint8_t> bytes);
// Unpacks bytes MSB first into 8 * bytes.size() bits.
void unpack_bits(std::span<const std::uint8_t> bytes, std::span<std::uint8_t> bits);

}  // namespace airan::phy
