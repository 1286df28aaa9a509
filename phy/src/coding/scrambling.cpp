#include "airan/phy/coding/scrambling.hpp"

#include <algorithm>

namespace airan::phy {
namespace {

constexpr int kNc = 1600;

// The LFSR states hold x(n)..x(n+30) in bits 0..30. The feedback taps are at most 3 apart,
// so the next 16 bits x(n+31)..x(n+46) all follow from the current state at once.
inline std::uint32_t advance16_x1(std::uint32_t s) {
  const std::uint32_t next = (s ^ (s >> 3)) & 0xFFFFU;  // x1(n+31) = x1(n+3) + x1(n)
  return (s >> 16) | (next << 15);
}

inline std::uint32_t advance16_x2(std::uint32_t s) {
  // x2(n+31) = x2(n+3) + x2(n+2) + x2(n+1) + x2(n)
  const std::uint32_t next = (s ^ (s >> 1) ^ (s >> 2) ^ (s >> 3)) & 0xFFFFU;
  return (s >> 16) | (next << 15);
}

}  // namespace

std::uint32_t pusch_scrambling_init(std::uint16_t rnti, std::uint16_t n_id) {
  return (static_cast<std::uint32_t>(rnti) << 15) + n_id;
}

std::uint32_t pdsch_scrambling_init(std::uint16_t rnti, int codeword, std::uint16_t n_id) {
  return (static_cast<std::uint32_t>(rnti) << 15) + (static_cast<std::uint32_t>(codeword & 1) << 14) + n_id;
}

GoldSequence::GoldSequence(std::uint32_t c_init) : x1_(1), x2_(c_init & 0x7FFFFFFFU) {
  static_assert(kNc % 16 == 0);
  for (int n = 0; n < kNc; n += 16) {
    x1_ = advance16_x1(x1_);
    x2_ = advance16_x2(x2_);
  }
}

std::uint32_t GoldSequence::next_word() {
  std::uint32_t word = (x1_ ^ x2_) & 0xFFFFU;
  x1_ = advance16_x1(x1_);
  x2_ = advance16_x2(x2_);
  word |= ((x1_ ^ x2_) & 0xFFFFU) << 16;
  x1_ = advance16_x1(x1_);
  x2_ = advance16_x2(x2_);
  return word;
}

namespace {

// Calls apply(index, word) for each 32-bit block of c(n) that covers 0..length-1.
template <typename Apply>
void for_each_gold_word(std::uint32_t c_init, std::size_t length, Apply apply) {
  GoldSequence sequence(c_init);
  for (std::size_t i = 0; i < length; i += 32) apply(i, sequence.next_word());
}

}  // namespace

void gold_sequence(std::uint32_t c_init, std::span<std::uint8_t> bits) {
  for_each_gold_word(c_init, bits.size(), [&](std::size_t first, std::uint32_t word) {
    const std::size_t count = std::min<std::size_t>(32, bits.size() - first);
    for (std::size_t j = 0; j < count; ++j) bits[first + j] = static_cast<std::uint8_t>((word >> j) & 1U);
  });
}

void scramble_bits(std::uint32_t c_init, std::span<std::uint8_t> bits) {
  for_each_gold_word(c_init, bits.size(), [&](std::size_t first, std::uint32_t word) {
    const std::size_t count = std::min<std::size_t>(32, bits.size() - first);
    for (std::size_t j = 0; j < count; ++j) bits[first + j] ^= static_cast<std::uint8_t>((word >> j) & 1U);
  });
}

void descramble_llrs(std::uint32_t c_init, std::span<Llr> llrs) {
  for_each_gold_word(c_init, llrs.size(), [&](std::size_t first, std::uint32_t word) {
    const std::size_t count = std::min<std::size_t>(32, llrs.size() - first);
    for (std::size_t j = 0; j < count; ++j) {
      // LLRs stay within +-127, so negation never overflows.
      const int flip = static_cast<int>((word >> j) & 1U);
      llrs[first + j] = static_cast<Llr>(flip ? -llrs[first + j] : llrs[first + j]);
    }
  });
}

}  // namespace airan::phy
