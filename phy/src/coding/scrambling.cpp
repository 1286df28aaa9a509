#include "airan/phy/coding/scrambling.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "airan/phy/detail/gold_math.hpp"

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

// Byte b -> 8 bytes, byte j = 0xFF when bit j of b is set (j = 0 first in memory).
constexpr std::array<std::uint64_t, 256> make_byte_masks() {
  std::array<std::uint64_t, 256> table{};
  for (int b = 0; b < 256; ++b) {
    for (int j = 0; j < 8; ++j) {
      if ((b >> j) & 1) table[b] |= std::uint64_t{0xFF} << (8 * j);
    }
  }
  return table;
}
constexpr std::array<std::uint64_t, 256> kByteMasks = make_byte_masks();

// Expands 32 sequence bits into 32 byte masks (0x00 or 0xFF), c(n) first.
inline void expand_word(std::uint32_t word, std::uint8_t* masks) {
  for (int i = 0; i < 4; ++i) {
    const std::uint64_t m = kByteMasks[(word >> (8 * i)) & 0xFFU];
    std::memcpy(masks + 8 * i, &m, sizeof m);
  }
}

// Calls apply(first, masks, count) for each block of up to 32 elements, masks being the
// expanded sequence: whole blocks run as fixed-length loops the compiler vectorizes.
template <typename Apply>
void for_each_gold_block(std::uint32_t c_init, std::size_t length, Apply apply) {
  GoldSequence sequence(c_init);
  alignas(32) std::uint8_t masks[32];
  for (std::size_t first = 0; first < length; first += 32) {
    expand_word(sequence.next_word(), masks);
    apply(first, masks, std::min<std::size_t>(32, length - first));
  }
}

}  // namespace

void gold_sequence(std::uint32_t c_init, std::span<std::uint8_t> bits) {
  for_each_gold_block(c_init, bits.size(), [&](std::size_t first, const std::uint8_t* masks, std::size_t count) {
    for (std::size_t j = 0; j < count; ++j) bits[first + j] = masks[j] & 1U;
  });
}

void scramble_bits(std::uint32_t c_init, std::span<std::uint8_t> bits) {
  for_each_gold_block(c_init, bits.size(), [&](std::size_t first, const std::uint8_t* masks, std::size_t count) {
    std::uint8_t* out = bits.data() + first;
    if (count == 32) {
      for (int j = 0; j < 32; ++j) out[j] ^= masks[j] & 1U;
    } else {
      for (std::size_t j = 0; j < count; ++j) out[j] ^= masks[j] & 1U;
    }
  });
}

void descramble_llrs(std::uint32_t c_init, std::span<Llr> llrs) {
  // Conditional negation without branches: (x ^ m) - m with m = 0 or -1 (the sequence is
  // random, a branch would mispredict half the time). LLRs stay within +-127: no overflow.
  auto negate_where = [](Llr* out, const std::uint8_t* masks, std::size_t count) {
    for (std::size_t j = 0; j < count; ++j) {
      const auto m = static_cast<std::int8_t>(masks[j]);
      out[j] = static_cast<Llr>((out[j] ^ m) - m);
    }
  };
  for_each_gold_block(c_init, llrs.size(), [&](std::size_t first, const std::uint8_t* masks, std::size_t count) {
    if (count == 32) {
      negate_where(llrs.data() + first, masks, 32);
    } else {
      negate_where(llrs.data() + first, masks, count);
    }
  });
}

void descramble_llrs(std::uint32_t c_init, std::span<float> llrs) {
  GoldSequence sequence(c_init);
  for (std::size_t first = 0; first < llrs.size(); first += 32) {
    const std::uint32_t word = sequence.next_word();
    const std::size_t count = std::min<std::size_t>(32, llrs.size() - first);
    for (std::size_t j = 0; j < count; ++j) llrs[first + j] = detail::descramble_llr(llrs[first + j], (word >> j) & 1U);
  }
}

}  // namespace airan::phy
