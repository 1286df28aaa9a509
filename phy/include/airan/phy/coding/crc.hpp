// Cyclic redundancy checks of TS 38.212 5.1.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace airan::phy {

enum class CrcType : std::uint8_t { crc24a, crc24b, crc24c, crc16, crc11, crc6 };

std::string_view to_string(CrcType type);
int crc_length(CrcType type);

// CRC of unpacked bits (one bit per byte), register initialised to zero, no reflection:
// the parity bits p_0..p_{L-1} of 5.1 are the returned value read MSB first.
std::uint32_t crc_compute(CrcType type, std::span<const std::uint8_t> bits);

// Writes the L parity bits of `bits` into parity (size L).
void crc_compute_bits(CrcType type, std::span<const std::uint8_t> bits, std::span<std::uint8_t> parity);

// True when `bits_with_crc` (payload followed by its L parity bits) checks.
bool crc_check(CrcType type, std::span<const std::uint8_t> bits_with_crc);

}  // namespace airan::phy
