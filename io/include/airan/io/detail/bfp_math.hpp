// Per-PRB U-plane decompression shared by the CPU (the portable path of decompress_prbs in
// io/src/compression.cpp) and the GPU order step (gpu_fronthaul_order_kernel.hpp), so the CPU
// tests run the arithmetic the GPU kernel runs. Covers "no compression" (udCompMeth 0) and block
// floating point (udCompMeth 1) for every iqWidth 1..16; the formats are defined in
// airan/io/compression.hpp.
//
// This header is the one place io includes a phy detail header (hd.hpp: AIRAN_HD and ComplexF),
// because the device code of both folders must share the __host__ __device__ marker and the
// complex layout of the device grid.
//
// Reads are byte-wise and never go past the PRB's last byte (3 * iqWidth mantissa bytes, after
// the udCompParam byte for BFP), so a PRB at the very end of a buffer is safe to decode.
#pragma once

#include <cstdint>

#include "airan/phy/detail/hd.hpp"

namespace airan::io::bfp_math {

inline constexpr int kValuesPerPrb = 24;  // 12 REs x (I, Q)
inline constexpr int kMethodNone = 0;     // udCompMeth values handled here
inline constexpr int kMethodBfp = 1;

// Bytes of one compressed PRB: 3 * iqWidth mantissa bytes, plus the udCompParam byte for BFP.
AIRAN_HD int prb_bytes(int method, int iq_width) { return method == kMethodNone ? 3 * iq_width : 1 + 3 * iq_width; }

// Whether a BFP udCompParam decodes to int16: exponent (low 4 bits; the high 4 are reserved and
// ignored, as O-RAN asks of receivers) at most 16 - iqWidth.
AIRAN_HD bool bfp_param_ok(std::uint8_t param, int iq_width) { return (param & 0x0f) <= 16 - iq_width; }

// The left shift that restores int16 scale: 16 - iqWidth for no compression (the value is the
// int16's top iqWidth bits), the exponent for BFP.
AIRAN_HD int prb_shift(const std::uint8_t* prb, int method, int iq_width) {
  return method == kMethodNone ? 16 - iq_width : (prb[0] & 0x0f);
}

AIRAN_HD const std::uint8_t* prb_mantissas(const std::uint8_t* prb, int method) {
  return method == kMethodNone ? prb : prb + 1;
}

// Value i (0..23) of the 24 iqWidth-bit big-endian two's complement values packed MSB first in
// `mantissas` (3 * iqWidth bytes), sign-extended and shifted left by `shift`, as int16. A value
// spans at most 3 bytes (bit offset within a byte <= 7, width <= 16); bytes past the block are
// not read.
AIRAN_HD std::int16_t unpack_value(const std::uint8_t* mantissas, int iq_width, int i, int shift) {
  if (iq_width == 16) {  // 16-bit IQ, the common uncompressed case: two whole bytes (10x faster on the CPU)
    const std::uint32_t value = (static_cast<std::uint32_t>(mantissas[2 * i]) << 8) | mantissas[2 * i + 1];
    return static_cast<std::int16_t>(value << (shift & 15));  // shift is 0 for every valid PRB
  }
  const int bit = i * iq_width;
  const int byte = bit >> 3;
  const int block_bytes = 3 * iq_width;
  std::uint32_t window = static_cast<std::uint32_t>(mantissas[byte]) << 24;
  if (byte + 1 < block_bytes) window |= static_cast<std::uint32_t>(mantissas[byte + 1]) << 16;
  if (byte + 2 < block_bytes) window |= static_cast<std::uint32_t>(mantissas[byte + 2]) << 8;
  const std::uint32_t top = window << (bit & 7);  // the value's MSB at bit 31
  const std::int32_t value = static_cast<std::int32_t>(top) >> (32 - iq_width);  // arithmetic: sign-extends
  return static_cast<std::int16_t>(static_cast<std::uint32_t>(value) << (shift & 15));
}

// All 24 values of a block (shift as unpack_value), e.g. for block scaling and mu-law, whose
// decompression continues from the raw mantissas.
AIRAN_HD void unpack_block(const std::uint8_t* mantissas, int iq_width, int shift, std::int16_t* out) {
  for (int i = 0; i < kValuesPerPrb; ++i) out[i] = unpack_value(mantissas, iq_width, i, shift);
}

// One PRB of no compression or BFP to 24 int16 values, I then Q per RE. The caller checks
// bfp_param_ok first (decompress_prbs reports the PRB); an exponent beyond it is decoded
// modulo the int16 range rather than read out of bounds.
AIRAN_HD void decompress_prb(const std::uint8_t* prb, int method, int iq_width, std::int16_t* out) {
  unpack_block(prb_mantissas(prb, method), iq_width, prb_shift(prb, method, iq_width), out);
}

// RE `re` (0..11) of one PRB as complex float, int16 value times inv_scale: the same float the
// CPU's iq16_to_float gives (int16 -> float is exact, then one rounded multiply) when inv_scale
// is its 1.0f / iq_scale.
AIRAN_HD phy::detail::ComplexF decompress_re(const std::uint8_t* prb, int method, int iq_width, int re,
                                             float inv_scale) {
  const std::uint8_t* mantissas = prb_mantissas(prb, method);
  const int shift = prb_shift(prb, method, iq_width);
  const std::int16_t i_value = unpack_value(mantissas, iq_width, 2 * re, shift);
  const std::int16_t q_value = unpack_value(mantissas, iq_width, 2 * re + 1, shift);
  return {static_cast<float>(i_value) * inv_scale, static_cast<float>(q_value) * inv_scale};
}

}  // namespace airan::io::bfp_math
