// The Gold sequence c(n) of TS 38.211 5.2.1 at any position, without running the LFSRs from
// n = 0: GPU threads each start at their own word. x(n) of an LFSR with characteristic
// polynomial p satisfies x(n) = sum_i a_i x(i) where x^n = sum_i a_i x^i (mod p), so the state
// at n follows from x^n mod p by square-and-multiply (about 2 x 31 steps of 31 shifts).
#pragma once

#include <cstdint>

#include "airan/phy/detail/hd.hpp"

namespace airan::phy::detail {

inline constexpr std::uint32_t kGoldMask31 = 0x7FFFFFFFU;
// x^31 = x^3 + 1 (x1) and x^31 = x^3 + x^2 + x + 1 (x2), as the low 31 coefficients.
inline constexpr std::uint32_t kGoldX1Feedback = 0x9U;
inline constexpr std::uint32_t kGoldX2Feedback = 0xFU;
inline constexpr int kGoldNc = 1600;

// a * x mod p.
AIRAN_HD std::uint32_t gf2_times_x(std::uint32_t a, std::uint32_t feedback) {
  const std::uint32_t carry = (a >> 30) & 1U;
  a = (a << 1) & kGoldMask31;
  return carry ? a ^ feedback : a;
}

// a * b mod p (Horner over b's coefficients, highest first).
AIRAN_HD std::uint32_t gf2_mul_mod(std::uint32_t a, std::uint32_t b, std::uint32_t feedback) {
  std::uint32_t r = 0;
  for (int i = 30; i >= 0; --i) {
    r = gf2_times_x(r, feedback);
    if ((b >> i) & 1U) r ^= a;
  }
  return r;
}

// x^e mod p.
AIRAN_HD std::uint32_t gf2_x_power_mod(std::uint32_t e, std::uint32_t feedback) {
  std::uint32_t result = 1;
  std::uint32_t base = 2;  // x
  while (e != 0) {
    if (e & 1U) result = gf2_mul_mod(result, base, feedback);
    base = gf2_mul_mod(base, base, feedback);
    e >>= 1;
  }
  return result;
}

// c(32 w) .. c(32 w + 31) in bits 0..31, the word GoldSequence::next_word returns as its w-th.
AIRAN_HD std::uint32_t gold_word(std::uint32_t c_init, std::uint32_t w) {
  const std::uint32_t n = static_cast<std::uint32_t>(kGoldNc) + 32U * w;
  std::uint32_t r1 = gf2_x_power_mod(n, kGoldX1Feedback);
  std::uint32_t r2 = gf2_x_power_mod(n, kGoldX2Feedback);
  const std::uint32_t x1_initial = 1U;  // x1(0) = 1, x1(1..30) = 0
  const std::uint32_t x2_initial = c_init & kGoldMask31;
  std::uint32_t word = 0;
  for (int j = 0; j < 32; ++j) {
    const std::uint32_t bit = static_cast<std::uint32_t>(popcount32(r1 & x1_initial) + popcount32(r2 & x2_initial)) & 1U;
    word |= bit << j;
    r1 = gf2_times_x(r1, kGoldX1Feedback);
    r2 = gf2_times_x(r2, kGoldX2Feedback);
  }
  return word;
}

// Descrambling of one soft bit (6.3.1.1 undone): the sign flips where c(i) = 1.
AIRAN_HD float descramble_llr(float llr, std::uint32_t sequence_bit) { return sequence_bit ? -llr : llr; }

}  // namespace airan::phy::detail
