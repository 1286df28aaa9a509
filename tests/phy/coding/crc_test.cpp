#include "airan/phy/coding/crc.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string_view>
#include <vector>

#include "airan/phy/coding/bits.hpp"

namespace airan::phy {
namespace {

std::vector<std::uint8_t> ascii_bits(std::string_view text) {
  std::vector<std::uint8_t> bits(8 * text.size());
  unpack_bits({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, bits);
  return bits;
}

std::vector<std::uint8_t> random_bits(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::vector<std::uint8_t> bits(n);
  for (auto& b : bits) b = static_cast<std::uint8_t>(engine() & 1U);
  return bits;
}

// Check values of "123456789" from the CRC catalogue of Greg Cook (reveng): CRC-24/LTE-A,
// CRC-24/LTE-B and CRC-16/XMODEM have TS 38.212's polynomials, zero init, no reflection.
TEST(Crc, CatalogueCheckValues) {
  const auto bits = ascii_bits("123456789");
  EXPECT_EQ(crc_compute(CrcType::crc24a, bits), 0xCDE703U);
  EXPECT_EQ(crc_compute(CrcType::crc24b, bits), 0x23EF52U);
  EXPECT_EQ(crc_compute(CrcType::crc16, bits), 0x31C3U);
}

// A bit-serial long division written from the polynomial definitions of 38.212 5.1,
// independent of the table-driven implementation.
std::uint32_t crc_bitwise(CrcType type, const std::vector<std::uint8_t>& bits) {
  struct Poly { int length; std::vector<int> exponents; };
  static const Poly kPolys[] = {
      {24, {24, 23, 18, 17, 14, 11, 10, 7, 6, 5, 4, 3, 1, 0}},
      {24, {24, 23, 6, 5, 1, 0}},
      {24, {24, 23, 21, 20, 17, 15, 13, 12, 8, 4, 2, 1, 0}},
      {16, {16, 12, 5, 0}},
      {11, {11, 10, 9, 5, 0}},
      {6, {6, 5, 0}},
  };
  const Poly& p = kPolys[static_cast<int>(type)];
  std::vector<std::uint8_t> reg(bits);
  reg.resize(bits.size() + p.length, 0);
  for (std::size_t i = 0; i < bits.size(); ++i) {
    if (!reg[i]) continue;
    for (int e : p.exponents) reg[i + p.length - e] ^= 1;
  }
  std::uint32_t crc = 0;
  for (int k = 0; k < p.length; ++k) crc = (crc << 1) | reg[bits.size() + k];
  return crc;
}

class CrcAllTypes : public ::testing::TestWithParam<CrcType> {};

TEST_P(CrcAllTypes, MatchesBitSerialDivision) {
  for (std::size_t n : {1U, 7U, 8U, 9U, 40U, 163U, 1000U}) {
    const auto bits = random_bits(n, n);
    EXPECT_EQ(crc_compute(GetParam(), bits), crc_bitwise(GetParam(), bits)) << to_string(GetParam()) << " n=" << n;
  }
}

TEST_P(CrcAllTypes, AttachedParityChecks) {
  auto bits = random_bits(500, 3);
  const int length = crc_length(GetParam());
  bits.resize(500 + length);
  crc_compute_bits(GetParam(), std::span(bits).first(500), std::span(bits).subspan(500));
  EXPECT_TRUE(crc_check(GetParam(), bits));
}

TEST_P(CrcAllTypes, DetectsEverySingleBitError) {
  auto bits = random_bits(300, 11);
  const int length = crc_length(GetParam());
  bits.resize(300 + length);
  crc_compute_bits(GetParam(), std::span(bits).first(300), std::span(bits).subspan(300));
  for (std::size_t i = 0; i < bits.size(); ++i) {
    bits[i] ^= 1;
    EXPECT_FALSE(crc_check(GetParam(), bits)) << to_string(GetParam()) << " missed an error at bit " << i;
    bits[i] ^= 1;
  }
}

INSTANTIATE_TEST_SUITE_P(Crc, CrcAllTypes,
                         ::testing::Values(CrcType::crc24a, CrcType::crc24b, CrcType::crc24c, CrcType::crc16,
                                           CrcType::crc11, CrcType::crc6),
                         [](const auto& param_info) { return std::string(to_string(param_info.param)); });

TEST(Crc, TooShortInputFailsCheck) {
  std::vector<std::uint8_t> bits(10, 0);
  EXPECT_FALSE(crc_check(CrcType::crc24a, bits));
}

TEST(Bits, PackUnpackRoundTrip) {
  const auto bits = random_bits(64, 5);
  std::vector<std::uint8_t> bytes(8), back(64);
  pack_bits(bits, bytes);
  unpack_bits(bytes, back);
  EXPECT_EQ(bits, back);
  EXPECT_EQ(pack_8_bits(std::vector<std::uint8_t>{1, 0, 0, 0, 0, 0, 0, 1}.data()), 0x81);
}

}  // namespace
}  // namespace airan::phy
