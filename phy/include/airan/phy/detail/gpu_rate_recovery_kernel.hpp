// The body of the GPU rate-recovery kernel as a per-thread function over explicit
// (code block, position) indices: the CUDA kernel calls it with blockIdx.y and
// blockIdx.x * blockDim.x + threadIdx.x, the host emulation for every pair in turn. One thread
// per position of d; no thread reads what another writes, so there are no barriers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "airan/phy/detail/rate_recovery_math.hpp"

namespace airan::phy::gpu_rate_recovery {

inline constexpr std::size_t kHarqBufferBytes = ldpc_math::kMaxCodewordBits;  // one code block's soft buffer
inline constexpr int kThreadsPerBlock = 256;

// Filled by setup on the host, copied to the device before every launch; plain integers.
struct BlockDescriptor {
  std::uint32_t f_offset;
  std::uint32_t e;
  std::uint32_t k0;
  std::uint32_t ncb;
  std::uint32_t n;
  std::uint32_t filler_begin;
  std::uint32_t filler_end;
  std::uint32_t harq_buffer;
  std::uint32_t output_offset;
  std::uint32_t output_count;
  std::uint8_t modulation_order;
  std::uint8_t combine;
  std::uint8_t reserved[2];
};
static_assert(sizeof(BlockDescriptor) == 44);

struct KernelParams {
  const BlockDescriptor* blocks;
  const std::int8_t* received;  // E soft bits per block at f_offset
  std::int8_t* harq;            // kHarqBufferBytes per HARQ buffer
  std::int8_t* output;          // decoder input, or nullptr
};

AIRAN_HD void recover_position(const KernelParams& p, int block_index, int position) {
  const BlockDescriptor& b = p.blocks[block_index];
  if (position >= static_cast<int>(b.n)) return;
  const rate_recovery_math::SelectionGeometry g{static_cast<int>(b.e),   b.modulation_order,
                                                static_cast<int>(b.k0),  static_cast<int>(b.ncb),
                                                static_cast<int>(b.filler_begin), static_cast<int>(b.filler_end)};
  std::int8_t& soft = p.harq[static_cast<std::size_t>(b.harq_buffer) * kHarqBufferBytes + position];
  const std::int8_t value = rate_recovery_math::recovered_llr(g, p.received + b.f_offset, position, soft, b.combine != 0);
  soft = value;
  if (p.output != nullptr && position < static_cast<int>(b.output_count)) p.output[b.output_offset + position] = value;
}

}  // namespace airan::phy::gpu_rate_recovery
