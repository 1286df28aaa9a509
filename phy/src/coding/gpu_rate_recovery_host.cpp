// Host side of the GPU rate recovery (built with and without the CUDA backend).
#include "airan/phy/detail/gpu_rate_recovery_host.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace airan::phy {

Status validate(const GpuRateRecoveryConfig& config) {
  if (config.max_code_blocks < 1 || config.max_code_blocks > 4096) {
    return Error{fmt::format("GPU rate recovery max_code_blocks={} is outside 1..4096", config.max_code_blocks)};
  }
  if (config.max_e_per_block < 1 || config.max_e_per_block > 1'000'000) {
    return Error{fmt::format("GPU rate recovery max_e_per_block={} is outside 1..1000000", config.max_e_per_block)};
  }
  // Descriptor offsets are 32-bit.
  if (config.max_received_soft_bits > (std::size_t{1} << 31) ||
      (config.max_received_soft_bits == 0 &&
       static_cast<long long>(config.max_code_blocks) * config.max_e_per_block > (1LL << 31))) {
    return Error{fmt::format("GPU rate recovery: {} received soft bits exceed 2^31", config.received_capacity())};
  }
  if (config.harq_buffers < 1 || config.harq_buffers > 65536) {
    return Error{fmt::format("GPU rate recovery harq_buffers={} is outside 1..65536", config.harq_buffers)};
  }
  return Status::ok();
}

GpuRateRecoveryBlock rate_recovery_block(const RateMatchPlan& plan, int block, std::size_t f_offset, int harq_buffer,
                                         bool combine, std::size_t output_offset, int output_count) {
  GpuRateRecoveryBlock b;
  b.f_offset = f_offset;
  b.e = plan.e(block);
  b.modulation_order = plan.modulation_order;
  b.k0 = plan.k0;
  b.ncb = plan.ncb;
  b.n = plan.n;
  b.filler_begin = plan.filler_begin;
  b.filler_end = plan.filler_end;
  b.harq_buffer = harq_buffer;
  b.combine = combine;
  b.output_offset = output_offset;
  b.output_count = output_count;
  return b;
}

namespace gpu_rate_recovery {

Status fill_descriptors(const GpuRateRecoveryConfig& config, std::span<const GpuRateRecoveryBlock> blocks,
                        std::span<BlockDescriptor> descriptors, std::span<std::uint32_t> harq_stamps,
                        std::uint32_t launch_stamp, LaunchShape& shape) {
  if (blocks.empty()) return Error{"GPU rate recovery setup: no code blocks"};
  if (blocks.size() > static_cast<std::size_t>(config.max_code_blocks) || blocks.size() > descriptors.size()) {
    return Error{fmt::format("GPU rate recovery setup: {} code blocks, created for at most {}", blocks.size(),
                             config.max_code_blocks)};
  }
  const std::size_t received_capacity = config.received_capacity();
  LaunchShape next;
  next.block_count = static_cast<int>(blocks.size());
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const GpuRateRecoveryBlock& b = blocks[i];
    auto fail = [i](const std::string& what) { return Error{fmt::format("GPU rate recovery code block {}: {}", i, what)}; };
    const int qm = b.modulation_order;
    if (qm != 1 && qm != 2 && qm != 4 && qm != 6 && qm != 8 && qm != 10) {
      return fail(fmt::format("modulation_order={} is not one of 1, 2, 4, 6, 8, 10", qm));
    }
    if (b.e < qm || b.e > config.max_e_per_block || b.e % qm != 0) {
      return fail(fmt::format("e={} is not a multiple of Qm={} in {}..max_e_per_block={}", b.e, qm, qm,
                              config.max_e_per_block));
    }
    if (b.f_offset > received_capacity || received_capacity - b.f_offset < static_cast<std::size_t>(b.e)) {
      return fail(fmt::format("f_offset={} + e={} exceeds the received buffer ({} soft bits)", b.f_offset, b.e,
                              received_capacity));
    }
    if (b.n < 1 || b.n > static_cast<int>(kHarqBufferBytes)) {
      return fail(fmt::format("n={} is outside 1..{}", b.n, kHarqBufferBytes));
    }
    if (b.filler_begin < 0 || b.filler_end < b.filler_begin || b.ncb <= b.filler_end || b.ncb > b.n) {
      return fail(fmt::format("fillers [{}, {}) and ncb={} do not satisfy 0 <= begin <= end < ncb <= n={}",
                              b.filler_begin, b.filler_end, b.ncb, b.n));
    }
    if (b.k0 < 0 || b.k0 >= b.ncb) return fail(fmt::format("k0={} is outside 0..ncb-1={}", b.k0, b.ncb - 1));
    if (b.harq_buffer < 0 || b.harq_buffer >= config.harq_buffers) {
      return fail(fmt::format("harq_buffer={} is outside 0..{}", b.harq_buffer, config.harq_buffers - 1));
    }
    std::uint32_t& stamp = harq_stamps[static_cast<std::size_t>(b.harq_buffer)];
    if (stamp == launch_stamp) {
      return fail(fmt::format("harq_buffer={} is used by an earlier block of the same launch", b.harq_buffer));
    }
    stamp = launch_stamp;
    if (b.output_count < 0 || b.output_count > b.n) {
      return fail(fmt::format("output_count={} is outside 0..n={}", b.output_count, b.n));
    }
    if (b.output_offset > 0xFFFFFFFFU - static_cast<std::size_t>(b.output_count)) {
      return fail(fmt::format("output_offset={} does not fit the 32-bit descriptor", b.output_offset));
    }
    descriptors[i] = BlockDescriptor{static_cast<std::uint32_t>(b.f_offset),
                                     static_cast<std::uint32_t>(b.e),
                                     static_cast<std::uint32_t>(b.k0),
                                     static_cast<std::uint32_t>(b.ncb),
                                     static_cast<std::uint32_t>(b.n),
                                     static_cast<std::uint32_t>(b.filler_begin),
                                     static_cast<std::uint32_t>(b.filler_end),
                                     static_cast<std::uint32_t>(b.harq_buffer),
                                     static_cast<std::uint32_t>(b.output_offset),
                                     static_cast<std::uint32_t>(b.output_count),
                                     static_cast<std::uint8_t>(qm),
                                     static_cast<std::uint8_t>(b.combine ? 1 : 0),
                                     {0, 0}};
    next.max_n = std::max(next.max_n, b.n);
    next.received_extent = std::max(next.received_extent, b.f_offset + static_cast<std::size_t>(b.e));
    if (b.output_count > 0) {
      next.output_extent = std::max(next.output_extent, b.output_offset + static_cast<std::size_t>(b.output_count));
    }
  }
  shape = next;
  return Status::ok();
}

void emulate_kernel(const KernelParams& params, const LaunchShape& shape) {
  for (int block = 0; block < shape.block_count; ++block) {
    for (int position = 0; position < shape.max_n; ++position) recover_position(params, block, position);
  }
}

}  // namespace gpu_rate_recovery
}  // namespace airan::phy
