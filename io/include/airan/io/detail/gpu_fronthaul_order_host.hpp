// Host side of the GPU order step, shared by the CUDA implementation and the CPU emulation test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "airan/io/cuda/gpu_fronthaul_order.hpp"
#include "airan/io/detail/gpu_fronthaul_order_kernel.hpp"
#include "airan/phy/expected.hpp"

namespace airan::io::gpu_fronthaul_order {

// Launch shape, fixed by the limits: x covers the REs of a full-carrier section, y every
// possible section (blocks past header->section_count return at once).
struct LaunchShape {
  int blocks_x = 0;
  int blocks_y = 0;
};
LaunchShape launch_shape(const GpuFronthaulOrderLimits& limits);

// 64-bit words of the PRB bitmap fill_descriptors needs: ports * symbols * ceil(prbs / 64).
std::size_t written_words(const GpuFronthaulOrderLimits& limits);

// Validates one slot: `payload` must lie inside `arena`, every section must name a port,
// symbol and PRB range of the grid, a method the kernel decodes (none, BFP) with iqWidth 1..16,
// bytes inside `payload`, and PRBs no earlier section of the slot covers. Errors name the section
// and field. On success fills header and descriptors[0 .. sections.size()). `written` (size
// written_words) is scratch; no allocation.
Status fill_descriptors(const GpuFronthaulOrderLimits& limits, std::span<const SectionDescriptor> sections,
                        std::span<const std::uint8_t> payload, std::span<const std::uint8_t> arena,
                        std::span<std::uint64_t> written, SlotHeader& header, std::span<Descriptor> descriptors);

// run() on the host: zeroes grid (grid_elements of the limits) and runs order_re for every
// (section, RE) of the launch shape.
void emulate_run(const GpuFronthaulOrderLimits& limits, const KernelParams& params);

}  // namespace airan::io::gpu_fronthaul_order
