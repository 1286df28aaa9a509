// Host side of the GPU order step (built with and without the CUDA backend): limits, descriptor
// validation and the kernel's emulation.
#include "airan/io/detail/gpu_fronthaul_order_host.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace airan::io {

Status validate(const GpuFronthaulOrderLimits& limits) {
  if (limits.max_sections < 1 || limits.max_sections > 65535) {
    return Error{fmt::format("GPU fronthaul order max_sections={} is outside 1..65535", limits.max_sections)};
  }
  if (limits.max_payload_bytes < 1 || limits.max_payload_bytes > (std::size_t{1} << 31)) {
    return Error{fmt::format("GPU fronthaul order max_payload_bytes={} is outside 1..2^31", limits.max_payload_bytes)};
  }
  if (limits.arena_slots < 1 || limits.arena_slots > 64) {
    return Error{fmt::format("GPU fronthaul order arena_slots={} is outside 1..64", limits.arena_slots)};
  }
  if (static_cast<std::uint64_t>(limits.arena_slots) * limits.max_payload_bytes > (std::uint64_t{1} << 32)) {
    return Error{fmt::format("GPU fronthaul order arena_slots={} x max_payload_bytes={} exceeds 4 GiB of pinned memory",
                             limits.arena_slots, limits.max_payload_bytes)};
  }
  if (limits.ports < 1 || limits.ports > 16) {
    return Error{fmt::format("GPU fronthaul order ports={} is outside 1..16", limits.ports)};
  }
  if (limits.symbols < 1 || limits.symbols > 14) {
    return Error{fmt::format("GPU fronthaul order symbols={} is outside 1..14", limits.symbols)};
  }
  if (limits.prbs < 1 || limits.prbs > 275) {
    return Error{fmt::format("GPU fronthaul order prbs={} is outside 1..275", limits.prbs)};
  }
  // 65536 keeps every grid offset (16 x 14 rows) in the descriptors' 32 bits.
  if (limits.row_stride < 12 * limits.prbs || limits.row_stride > 65536) {
    return Error{fmt::format("GPU fronthaul order row_stride={} is outside 12 * prbs={}..65536", limits.row_stride,
                             12 * limits.prbs)};
  }
  if (!(limits.iq_scale > 0.0F) || !std::isfinite(limits.iq_scale)) {
    return Error{fmt::format("GPU fronthaul order iq_scale={} must be positive and finite", limits.iq_scale)};
  }
  return Status::ok();
}

namespace gpu_fronthaul_order {

LaunchShape launch_shape(const GpuFronthaulOrderLimits& limits) {
  return {(12 * limits.prbs + kThreadsPerBlock - 1) / kThreadsPerBlock, limits.max_sections};
}

std::size_t written_words(const GpuFronthaulOrderLimits& limits) {
  return static_cast<std::size_t>(limits.ports) * static_cast<std::size_t>(limits.symbols) *
         static_cast<std::size_t>((limits.prbs + 63) / 64);
}

Status fill_descriptors(const GpuFronthaulOrderLimits& limits, std::span<const SectionDescriptor> sections,
                        std::span<const std::uint8_t> payload, std::span<const std::uint8_t> arena,
                        std::span<std::uint64_t> written, SlotHeader& header, std::span<Descriptor> descriptors) {
  if (sections.size() > static_cast<std::size_t>(limits.max_sections) || sections.size() > descriptors.size()) {
    return Error{fmt::format("GPU fronthaul order setup: {} sections, created for at most {}", sections.size(),
                             limits.max_sections)};
  }
  if (written.size() < written_words(limits)) {
    return Error{fmt::format("GPU fronthaul order setup: PRB bitmap of {} words, {} needed", written.size(),
                             written_words(limits))};
  }
  // Addresses compared as integers: payload and arena may be unrelated objects.
  const auto arena_begin = reinterpret_cast<std::uintptr_t>(arena.data());
  const auto payload_begin = reinterpret_cast<std::uintptr_t>(payload.data());
  std::uint64_t payload_offset = 0;
  if (!sections.empty()) {
    if (payload_begin < arena_begin || payload_begin - arena_begin > arena.size() ||
        arena.size() - (payload_begin - arena_begin) < payload.size()) {
      return Error{fmt::format("GPU fronthaul order setup: the payload ({} bytes) does not lie inside this "
                               "component's host arena ({} bytes): create the assembler's SectionOutput on "
                               "host_arena()",
                               payload.size(), arena.size())};
    }
    payload_offset = payload_begin - arena_begin;
  }
  const std::size_t words_per_row = static_cast<std::size_t>((limits.prbs + 63) / 64);
  std::fill_n(written.begin(), written_words(limits), std::uint64_t{0});
  for (std::size_t i = 0; i < sections.size(); ++i) {
    const SectionDescriptor& s = sections[i];
    auto fail = [i](const std::string& what) { return Error{fmt::format("GPU fronthaul order section {}: {}", i, what)}; };
    if (s.port >= limits.ports) return fail(fmt::format("port {} is outside 0..{}", s.port, limits.ports - 1));
    if (s.symbol >= limits.symbols) {
      return fail(fmt::format("symbol {} is outside 0..{}", s.symbol, limits.symbols - 1));
    }
    if (s.method != CompressionMethod::none && s.method != CompressionMethod::block_floating_point) {
      return fail(fmt::format("compression method {} is not decoded on the GPU (none 0 and block floating point 1 are)",
                              static_cast<int>(s.method)));
    }
    if (s.iq_width < 1 || s.iq_width > 16) return fail(fmt::format("iq_width {} is outside 1..16", s.iq_width));
    if (s.num_prb < 1 || s.start_prb + s.num_prb > limits.prbs) {
      return fail(fmt::format("PRBs {}..{} (start_prb {}, num_prb {}) are not within the carrier's 0..{}", s.start_prb,
                              s.start_prb + s.num_prb - 1, s.start_prb, s.num_prb, limits.prbs - 1));
    }
    const int method = static_cast<int>(s.method);
    const auto prb_bytes = static_cast<std::size_t>(bfp_math::prb_bytes(method, s.iq_width));
    const std::size_t bytes = prb_bytes * s.num_prb;
    if (s.payload_offset > payload.size() || payload.size() - s.payload_offset < bytes) {
      return fail(fmt::format("payload_offset {} + {} PRBs x {} bytes exceeds the slot's payload of {} bytes",
                              s.payload_offset, s.num_prb, prb_bytes, payload.size()));
    }
    std::uint64_t* row = written.data() + (static_cast<std::size_t>(s.port) * limits.symbols + s.symbol) * words_per_row;
    for (int prb = s.start_prb; prb < s.start_prb + s.num_prb; ++prb) {
      const std::uint64_t bit = 1ULL << (prb % 64);
      if (row[prb / 64] & bit) {
        return fail(fmt::format("PRB {} of port {} symbol {} is already covered by an earlier section", prb, s.port,
                                s.symbol));
      }
      row[prb / 64] |= bit;
    }
    const std::size_t grid_offset =
        (static_cast<std::size_t>(s.port) * limits.symbols + s.symbol) * static_cast<std::size_t>(limits.row_stride) +
        12 * static_cast<std::size_t>(s.start_prb);
    descriptors[i] = Descriptor{s.payload_offset,
                                static_cast<std::uint32_t>(grid_offset),
                                s.num_prb,
                                static_cast<std::uint8_t>(method),
                                s.iq_width,
                                static_cast<std::uint32_t>(prb_bytes)};
  }
  header = SlotHeader{static_cast<std::uint32_t>(sections.size()), 0, payload_offset};
  return Status::ok();
}

void emulate_run(const GpuFronthaulOrderLimits& limits, const KernelParams& params) {
  const std::size_t elements = static_cast<std::size_t>(limits.ports) * static_cast<std::size_t>(limits.symbols) *
                               static_cast<std::size_t>(limits.row_stride);
  std::fill_n(params.grid, elements, phy::detail::ComplexF{0.0F, 0.0F});  // run()'s cudaMemsetAsync
  const LaunchShape shape = launch_shape(limits);
  for (int y = 0; y < shape.blocks_y; ++y) {
    for (int x = 0; x < shape.blocks_x * kThreadsPerBlock; ++x) order_re(params, y, x);
  }
}

}  // namespace gpu_fronthaul_order
}  // namespace airan::io
