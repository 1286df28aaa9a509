#include "airan/phy/coding/bits.hpp"

#include <cassert>

namespace airan::phy {

void pack_bits(std::span<const std::uint8_t> bits, std::span<std::uint8_t> bytes) {
  assert(bits.size() == 8 * bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = pack_8_bits(bits.data() + 8 * i);
}

void unpack_bits(std::span<const std::uint8_t> bytes, std::span<std::uint8_t> bits) {
  assert(bits.size() == 8 * bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int j = 0; j < 8; ++j) bits[8 * i + j] = static_cast<std::uint8_t>((bytes[i] >> (7 - j)) & 1U);
  }
}

}  // namespace airan::phy
