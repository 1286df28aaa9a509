// CRC of TS 38.212 5.1 computed in parallel: the CRC (register initialised to zero, as
// crc_compute) is linear in the bits, so the CRC of n bits is the XOR, over the bits that are 1,
// of the CRC of a single 1 at that place: x^(n - 1 - i + L) mod g(x) for bit i. With a table of
// those values each thread adds up its own bits and the threads' values are XORed together.
#pragma once

#include <cstdint>

#include "airan/phy/detail/ldpc_min_sum_math.hpp"  // AIRAN_HD

namespace airan::phy::crc_math {

// table[j] = x^(j + L) mod g(x), j = 0 .. n_max - 1; the CRC of bit i of an n-bit message.
AIRAN_HD std::uint32_t bit_contribution(const std::uint32_t* table, int n, int i) { return table[n - 1 - i]; }

// x * value mod g(x), for an L-bit value and g(x) = x^L + generator (generator without x^L).
AIRAN_HD std::uint32_t times_x(std::uint32_t value, std::uint32_t generator, int length) {
  const std::uint32_t shifted = value << 1;
  const std::uint32_t top = 1U << length;
  return (shifted & top) != 0 ? (shifted ^ top ^ generator) : shifted;
}

}  // namespace airan::phy::crc_math
