// The body of the GPU order kernel as a per-thread function over explicit (section, RE)
// indices: the CUDA kernel calls it with blockIdx.y and blockIdx.x * blockDim.x + threadIdx.x,
// the host emulation for every pair in turn. One thread per RE of a section (its I and Q); no
// two descriptors of a slot cover the same RE (setup checks it), so threads never write the
// same element and need no barriers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "airan/io/detail/bfp_math.hpp"
#include "airan/phy/detail/hd.hpp"

namespace airan::io::gpu_fronthaul_order {

inline constexpr int kThreadsPerBlock = 256;

// Written by setup into the staging buffer ahead of the descriptors and copied with them, so the
// per-slot values reach the kernel through memory and its arguments never change (graphs).
struct SlotHeader {
  std::uint32_t section_count;
  std::uint32_t reserved;
  std::uint64_t payload_offset;  // the slot's payload, bytes from the start of the arena
};
static_assert(sizeof(SlotHeader) == 16);

// A validated section: plain integers, 16 bytes.
struct Descriptor {
  std::uint32_t payload_offset;  // first PRB's bytes, from the slot's payload
  std::uint32_t grid_offset;     // element of (port, symbol, 12 * start_prb) in the grid
  std::uint16_t num_prb;
  std::uint8_t method;           // bfp_math::kMethodNone or kMethodBfp
  std::uint8_t iq_width;
  std::uint32_t prb_bytes;
};
static_assert(sizeof(Descriptor) == 16);

struct KernelParams {
  const SlotHeader* header;
  const Descriptor* sections;  // header->section_count used
  const std::uint8_t* arena;   // the host arena as the device sees it (mapped), or the host pointer
  phy::detail::ComplexF* grid;
  float inv_scale;             // 1.0f / iq_scale, computed on the host as iq16_to_float does
};

AIRAN_HD void order_re(const KernelParams& p, int section, int re_index) {
  if (section >= static_cast<int>(p.header->section_count)) return;
  const Descriptor& d = p.sections[section];
  if (re_index >= 12 * static_cast<int>(d.num_prb)) return;
  const int prb = re_index / 12;
  const int re = re_index - 12 * prb;
  const std::uint8_t* bytes = p.arena + p.header->payload_offset + d.payload_offset +
                              static_cast<std::size_t>(prb) * d.prb_bytes;
  p.grid[static_cast<std::size_t>(d.grid_offset) + static_cast<std::size_t>(re_index)] =
      bfp_math::decompress_re(bytes, d.method, d.iq_width, re, p.inv_scale);
}

}  // namespace airan::io::gpu_fronthaul_order
