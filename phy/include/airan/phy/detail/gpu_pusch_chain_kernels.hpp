// The two GPU stages that join the PUSCH front end to the decoder and the decoder to the host,
// as per-thread functions (the CUDA kernels call them with their thread indices, the host
// emulation for every index in turn, so CPU tests run the same arithmetic):
//   quantize:  per UE, the gain that brings the mean |LLR| of every 16th equalised symbol to
//              kTargetMeanLlr (as PuschReceiver), then each natural-unit LLR -> int8 soft bit
//              at the UE's place in the rate-recovery input, counting the non-zero ones (a
//              transport block that received no energy must fail, not decode to zeros);
//   assemble:  per UE, the transport block with its CRC, b = [a, p], gathered from the decided
//              payload bits of its code blocks; the TB bits written out (one byte per bit) and
//              the TB CRC remainder accumulated as the XOR of each 1-bit's contribution
//              (crc_math.hpp), 0 when the TB CRC checks.
#pragma once

#include <cstddef>
#include <cstdint>

#include "airan/phy/detail/crc_math.hpp"
#include "airan/phy/detail/hd.hpp"

#if !defined(__CUDA_ARCH__)
#include <cmath>
#endif

namespace airan::phy::gpu_pusch_chain {

inline constexpr int kGainSymbolStride = 16;  // PuschReceiver samples every 16th symbol
inline constexpr float kTargetMeanLlr = 32.0F;
inline constexpr float kMinSymbolNoise = 1e-6F;  // as PuschReceiver's SINR
inline constexpr int kThreadsPerBlock = 256;

struct UeDescriptor {
  // quantize
  std::uint32_t g;          // coded bits (natural-unit LLRs of the front end)
  std::uint32_t qm;         // bits per symbol
  float fixed_gain;         // > 0: this gain; 0: normalise
  std::uint32_t received_offset;  // first soft bit in the rate-recovery input
  // assemble
  std::uint32_t tbs;            // A
  std::uint32_t b;              // B = A + TB CRC bits
  std::uint32_t payload_per_block;  // K' - L of each code block
  std::uint32_t first_block;    // the UE's first code block in the decoder launch
  std::uint32_t tb_crc_table;   // 0: CRC24A, 1: CRC16
  std::uint32_t tb_offset;      // first TB bit in the output
};

struct KernelParams {
  const UeDescriptor* ues;
  // quantize
  const float* llrs;          // front end output, llr_stride per UE
  std::size_t llr_stride;
  const float* symbol_noise;  // front end post-equalisation noise per symbol, symbol_stride per UE
  std::size_t symbol_stride;
  std::int8_t* received;      // rate-recovery input
  float* gains;               // per UE
  float* sinr_sums;           // per UE: sum over symbols of 1 / noise
  std::uint32_t* nonzero;     // per UE: soft bits that are not 0
  // assemble
  const std::uint8_t* block_bits;  // decoder hard decisions, bits_stride per code block
  std::size_t bits_stride;
  const std::uint32_t* crc_tables;  // [2][crc_table_length]: x^(j + L) mod g for CRC24A, CRC16
  std::uint32_t crc_table_length;
  std::uint8_t* tb_bits;            // one byte per bit
  std::uint32_t* tb_remainders;     // per UE
};

// --- quantize ---------------------------------------------------------------------------------

// Sum of |LLR| over thread `t`'s share (of `threads`) of the sampled symbols' LLRs, and of
// 1 / noise over its share of every symbol; the caller adds the threads' values up.
struct GainPartial {
  double magnitude = 0.0;
  double inverse_noise = 0.0;
};

AIRAN_HD int sampled_llr_count(const UeDescriptor& d) {
  const int symbols = static_cast<int>(d.g / d.qm);
  return (symbols + kGainSymbolStride - 1) / kGainSymbolStride * static_cast<int>(d.qm);
}

AIRAN_HD GainPartial gain_partial(const KernelParams& p, int ue, int t, int threads) {
  const UeDescriptor& d = p.ues[ue];
  GainPartial out;
  const float* llrs = p.llrs + static_cast<std::size_t>(ue) * p.llr_stride;
  const int qm = static_cast<int>(d.qm);
  const int sampled = sampled_llr_count(d);
  for (int i = t; i < sampled; i += threads) {
    const int sample = i / qm;
    const float v = llrs[static_cast<std::size_t>(sample) * kGainSymbolStride * qm + i % qm];
    out.magnitude += v < 0.0F ? -v : v;
  }
  const float* noise = p.symbol_noise + static_cast<std::size_t>(ue) * p.symbol_stride;
  const int symbols = static_cast<int>(d.g / d.qm);
  for (int s = t; s < symbols; s += threads) {
    const float nv = noise[s];
    out.inverse_noise += 1.0 / static_cast<double>(nv > kMinSymbolNoise ? nv : kMinSymbolNoise);
  }
  return out;
}

// The gain from the summed magnitudes (as PuschReceiver: kTargetMeanLlr / max(mean, 1e-9)).
AIRAN_HD float gain_from_sum(const UeDescriptor& d, double magnitude) {
  if (d.fixed_gain > 0.0F) return d.fixed_gain;
  const int count = sampled_llr_count(d);
  double mean = magnitude / static_cast<double>(count > 0 ? count : 1);
  if (mean < 1e-9) mean = 1e-9;
  return static_cast<float>(static_cast<double>(kTargetMeanLlr) / mean);
}

// Round to nearest (ties to even, as the CPU's cvtps/nearbyint) after clamping to +-127;
// NaN becomes -127 as in the CPU's max(x, -127).
AIRAN_HD std::int8_t quantize_llr(float v) {
  if (!(v >= -127.0F)) return -127;
  if (v > 127.0F) v = 127.0F;
#if defined(__CUDA_ARCH__)
  return static_cast<std::int8_t>(__float2int_rn(v));
#else
  return static_cast<std::int8_t>(std::nearbyint(v));
#endif
}

// Soft bit i of UE `ue` (i < g); returns whether it is non-zero.
AIRAN_HD bool quantize_element(const KernelParams& p, int ue, int i) {
  const UeDescriptor& d = p.ues[ue];
  const float v = p.llrs[static_cast<std::size_t>(ue) * p.llr_stride + static_cast<std::size_t>(i)] * p.gains[ue];
  const std::int8_t q = quantize_llr(v);
  p.received[d.received_offset + static_cast<std::size_t>(i)] = q;
  return q != 0;
}

// --- assemble ---------------------------------------------------------------------------------

// Bit i of b (i < B) from the decided bits of the UE's code blocks.
AIRAN_HD std::uint8_t tb_bit(const KernelParams& p, const UeDescriptor& d, int i) {
  const int block = i / static_cast<int>(d.payload_per_block);
  const int offset = i - block * static_cast<int>(d.payload_per_block);
  return p.block_bits[(static_cast<std::size_t>(d.first_block) + static_cast<std::size_t>(block)) * p.bits_stride +
                      static_cast<std::size_t>(offset)];
}

// Thread i of UE `ue` (i < B): writes the TB bit (i < A) and returns the bit's CRC contribution.
AIRAN_HD std::uint32_t assemble_element(const KernelParams& p, int ue, int i) {
  const UeDescriptor& d = p.ues[ue];
  const std::uint8_t bit = tb_bit(p, d, i);
  if (i < static_cast<int>(d.tbs)) p.tb_bits[d.tb_offset + static_cast<std::size_t>(i)] = bit;
  if (bit == 0) return 0;
  const std::uint32_t* table = p.crc_tables + static_cast<std::size_t>(d.tb_crc_table) * p.crc_table_length;
  return crc_math::bit_contribution(table, static_cast<int>(d.b), i);
}

}  // namespace airan::phy::gpu_pusch_chain
