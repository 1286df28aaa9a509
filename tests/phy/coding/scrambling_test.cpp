#include "airan/phy/coding/scrambling.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace airan::phy {
namespace {

// TS 38.211 5.2.1 evaluated bit by bit, as written there.
std::vector<std::uint8_t> gold_reference(std::uint32_t c_init, std::size_t length) {
  constexpr std::size_t kNc = 1600;
  std::vector<std::uint8_t> x1(kNc + length + 31, 0), x2(kNc + length + 31, 0);
  x1[0] = 1;
  for (int i = 0; i < 31; ++i) x2[i] = static_cast<std::uint8_t>((c_init >> i) & 1U);
  for (std::size_t n = 0; n + 31 < x1.size(); ++n) {
    x1[n + 31] = x1[n + 3] ^ x1[n];
    x2[n + 31] = x2[n + 3] ^ x2[n + 2] ^ x2[n + 1] ^ x2[n];
  }
  std::vector<std::uint8_t> c(length);
  for (std::size_t n = 0; n < length; ++n) c[n] = x1[n + kNc] ^ x2[n + kNc];
  return c;
}

TEST(Scrambling, GoldSequenceMatchesTheBitSerialDefinition) {
  for (std::uint32_t c_init : {0U, 1U, 0x12345U, pusch_scrambling_init(1337, 13), 0x7FFFFFFFU}) {
    for (std::size_t length : {1U, 31U, 32U, 33U, 1000U}) {
      std::vector<std::uint8_t> c(length);
      gold_sequence(c_init, c);
      EXPECT_EQ(c, gold_reference(c_init, length)) << "c_init " << c_init << " length " << length;
    }
  }
}

TEST(Scrambling, InitValues) {
  EXPECT_EQ(pusch_scrambling_init(1, 42), (1U << 15) + 42U);
  EXPECT_EQ(pdsch_scrambling_init(0x4601, 1, 500), (0x4601U << 15) + (1U << 14) + 500U);
}

TEST(Scrambling, ScramblingTwiceIsIdentityAndLlrsFollow) {
  const std::uint32_t c_init = pusch_scrambling_init(0x4601, 77);
  std::vector<std::uint8_t> bits(777);
  for (std::size_t i = 0; i < bits.size(); ++i) bits[i] = static_cast<std::uint8_t>((i * 7) % 3 == 0);
  auto scrambled = bits;
  scramble_bits(c_init, scrambled);
  EXPECT_NE(scrambled, bits);
  std::vector<Llr> llrs(bits.size());
  for (std::size_t i = 0; i < bits.size(); ++i) llrs[i] = static_cast<Llr>(scrambled[i] ? -50 : 50);
  descramble_llrs(c_init, llrs);
  for (std::size_t i = 0; i < bits.size(); ++i) EXPECT_EQ(llrs[i] < 0, bits[i] != 0) << i;
  scramble_bits(c_init, scrambled);
  EXPECT_EQ(scrambled, bits);
}

}  // namespace
}  // namespace airan::phy
