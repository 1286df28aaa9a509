#include "airan/phy/coding/crc.hpp"

#include <array>
#include <cassert>

#include "airan/phy/coding/bits.hpp"

namespace airan::phy {
namespace {

struct CrcSpec {
  int length;
  std::uint32_t polynomial;  // generator without the leading D^L term
};

// TS 38.212 5.1, generator polynomials.
constexpr std::array<CrcSpec, 6> kCrcSpecs = {{
    {24, 0x864CFB},  // CRC24A: D24+D23+D18+D17+D14+D11+D10+D7+D6+D5+D4+D3+D+1
    {24, 0x800063},  // CRC24B: D24+D23+D6+D5+D+1
    {24, 0xB2B117},  // CRC24C: D24+D23+D21+D20+D17+D15+D13+D12+D8+D4+D2+D+1
    {16, 0x1021},    // CRC16:  D16+D12+D5+1
    {11, 0x621},     // CRC11:  D11+D10+D9+D5+1
    {6, 0x21},       // CRC6:   D6+D5+1
}};

// The register is kept left-aligned in 32 bits so that one set of tables serves every length.
// Slicing-by-8: table[k][b] is the register after byte b followed by k zero bytes, so eight
// input bytes fold into the register with eight independent lookups instead of a chain of eight.
using SliceTables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr SliceTables make_tables(const CrcSpec& spec) {
  SliceTables t{};
  const std::uint32_t poly = spec.polynomial << (32 - spec.length);
  for (std::uint32_t byte = 0; byte < 256; ++byte) {
    std::uint32_t reg = byte << 24;
    for (int bit = 0; bit < 8; ++bit) reg = (reg & 0x80000000U) ? (reg << 1) ^ poly : reg << 1;
    t[0][byte] = reg;
  }
  for (int k = 1; k < 8; ++k) {
    for (std::uint32_t byte = 0; byte < 256; ++byte) {
      t[k][byte] = (t[k - 1][byte] << 8) ^ t[0][t[k - 1][byte] >> 24];
    }
  }
  return t;
}

constexpr std::array<SliceTables, 6> kTables = {make_tables(kCrcSpecs[0]), make_tables(kCrcSpecs[1]),
                                                make_tables(kCrcSpecs[2]), make_tables(kCrcSpecs[3]),
                                                make_tables(kCrcSpecs[4]), make_tables(kCrcSpecs[5])};

// Four input bytes (8 unpacked bits each, first bit most significant), big-endian in a word.
inline std::uint32_t pack_32_bits(const std::uint8_t* bits) {
  return (std::uint32_t{pack_8_bits(bits)} << 24) | (std::uint32_t{pack_8_bits(bits + 8)} << 16) |
         (std::uint32_t{pack_8_bits(bits + 16)} << 8) | std::uint32_t{pack_8_bits(bits + 24)};
}

}  // namespace

std::string_view to_string(CrcType type) {
  static constexpr std::array<std::string_view, 6> kNames = {"CRC24A", "CRC24B", "CRC24C",
                                                             "CRC16",  "CRC11",  "CRC6"};
  return kNames[static_cast<int>(type)];
}

int crc_length(CrcType type) { return kCrcSpecs[static_cast<int>(type)].length; }

std::uint32_t crc_compute(CrcType type, std::span<const std::uint8_t> bits) {
  const CrcSpec& spec = kCrcSpecs[static_cast<int>(type)];
  const SliceTables& t = kTables[static_cast<int>(type)];
  const std::uint32_t poly = spec.polynomial << (32 - spec.length);
  std::uint32_t reg = 0;
  std::size_t i = 0;
  for (; i + 64 <= bits.size(); i += 64) {
    const std::uint32_t x1 = reg ^ pack_32_bits(bits.data() + i);
    const std::uint32_t x2 = pack_32_bits(bits.data() + i + 32);
    reg = t[7][x1 >> 24] ^ t[6][(x1 >> 16) & 0xFF] ^ t[5][(x1 >> 8) & 0xFF] ^ t[4][x1 & 0xFF] ^
          t[3][x2 >> 24] ^ t[2][(x2 >> 16) & 0xFF] ^ t[1][(x2 >> 8) & 0xFF] ^ t[0][x2 & 0xFF];
  }
  for (; i + 8 <= bits.size(); i += 8) {
    reg = (reg << 8) ^ t[0][(reg >> 24) ^ pack_8_bits(bits.data() + i)];
  }
  for (; i < bits.size(); ++i) {
    reg ^= static_cast<std::uint32_t>(bits[i] & 1U) << 31;
    reg = (reg & 0x80000000U) ? (reg << 1) ^ poly : reg << 1;
  }
  return reg >> (32 - spec.length);
}

void crc_compute_bits(CrcType type, std::span<const std::uint8_t> bits, std::span<std::uint8_t> parity) {
  const int length = crc_length(type);
  assert(static_cast<int>(parity.size()) == length);
  const std::uint32_t crc = crc_compute(type, bits);
  for (int k = 0; k < length; ++k) parity[k] = static_cast<std::uint8_t>((crc >> (length - 1 - k)) & 1U);
}

bool crc_check(CrcType type, std::span<const std::uint8_t> bits_with_crc) {
  // Dividing the payload with its parity appended leaves a zero remainder.
  if (static_cast<int>(bits_with_crc.size()) < crc_length(type)) return false;
  return crc_compute(type, bits_with_crc) == 0;
}

}  // namespace airan::phy
