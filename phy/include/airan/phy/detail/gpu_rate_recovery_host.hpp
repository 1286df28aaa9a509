// Host side of the GPU rate recovery, shared by the CUDA implementation and the emulation test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "airan/phy/cuda/gpu_rate_recovery.hpp"
#include "airan/phy/detail/gpu_rate_recovery_kernel.hpp"
#include "airan/phy/expected.hpp"

namespace airan::phy::gpu_rate_recovery {

struct LaunchShape {
  int block_count = 0;
  int max_n = 0;                    // grid x covers positions 0 .. max_n - 1
  std::size_t received_extent = 0;  // max(f_offset + e)
  std::size_t output_extent = 0;    // max(output_offset + output_count)
};

// Validates `blocks` (errors name block and field) and fills descriptors. `harq_stamps` (one
// per HARQ buffer, kept between calls) and `launch_stamp` (new per call) find two blocks of one
// launch that share a buffer without allocating.
Status fill_descriptors(const GpuRateRecoveryConfig& config, std::span<const GpuRateRecoveryBlock> blocks,
                        std::span<BlockDescriptor> descriptors, std::span<std::uint32_t> harq_stamps,
                        std::uint32_t launch_stamp, LaunchShape& shape);

// The kernel on the host: every (block, position) of the launch shape.
void emulate_kernel(const KernelParams& params, const LaunchShape& shape);

}  // namespace airan::phy::gpu_rate_recovery
