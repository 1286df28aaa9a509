// The fronthaul "order" step on a CUDA GPU: one kernel per slot decompresses every U-plane
// section the slot assembler recorded in descriptor mode (SlotAssembler::create(config,
// SectionOutput), AssembledSlot::sections/payload) straight from pinned, mapped host memory into
// the device resource grid. No per-packet copies: the assembler copies each section's compressed
// bytes once into this component's host_arena(), and the kernel reads them in place (zero-copy
// over the bus); only the small descriptor list is copied per slot.
//
// Methods: no compression and block floating point, iqWidth 1..16 (the per-PRB arithmetic of
// detail/bfp_math.hpp, which the CPU's portable decompression runs too). Block scaling and
// mu-law sections are refused by setup with that reason.
//
// Grid: complex float (two floats, real first), [port][symbol][subcarrier], subcarrier fastest,
// rows row_stride subcarriers apart: the layout of phy::GpuPuschFrontEnd::device_grid() (its row
// stride is 12 * grid_prbs), so the front end reads the result where it lies. PRBs no section
// carries are 0, as in the CPU assembler's grid.
//
// cuPHY's lifecycle: create allocates everything once; setup (host) validates the descriptors
// (errors name the section and the field) and stages them; run enqueues on the stream a memset
// of the grid, one copy of the descriptors and one kernel. run neither allocates nor
// synchronises, its launch shape and arguments are the create-time ones (the section count and
// payload position travel in the device descriptors), so one captured CUDA graph serves every
// slot. No CUDA type appears here; builds without the CUDA backend get a create() that says so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "airan/io/fronthaul.hpp"
#include "airan/phy/expected.hpp"

namespace airan::io {

struct GpuFronthaulOrderLimits {
  int max_sections = 1024;                   // descriptors per slot, 1..65535
  std::size_t max_payload_bytes = 1 << 20;   // compressed bytes per slot, 1..2^31
  int arena_slots = 4;                       // slots the arena holds (>= the assembler's slots_in_flight), 1..64
  int ports = 4;                             // grid ports, 1..16
  int symbols = 14;                          // grid symbols, 1..14
  int prbs = 273;                            // carrier PRBs, 1..275
  int row_stride = 12 * 273;                 // subcarriers between grid rows, >= 12 * prbs
  float iq_scale = 4096.0F;                  // int16 units per float unit (FronthaulConfig::iq_scale)
};

Status validate(const GpuFronthaulOrderLimits& limits);

class GpuFronthaulOrder {
 public:
  // stream: a cudaStream_t to enqueue on (not owned), or nullptr for a stream of its own.
  static Expected<GpuFronthaulOrder> create(const GpuFronthaulOrderLimits& limits, void* stream = nullptr);
  GpuFronthaulOrder(GpuFronthaulOrder&&) noexcept;
  GpuFronthaulOrder& operator=(GpuFronthaulOrder&&) noexcept;
  ~GpuFronthaulOrder();

  // Pinned, mapped host memory of arena_slots * max_payload_bytes bytes: give it to the
  // assembler as SectionOutput::arena.
  std::span<std::uint8_t> host_arena();
  void* stream() const;
  // Complex floats run() writes: ports * symbols * row_stride.
  std::size_t grid_elements() const;

  // Validates one slot's sections against the limits and `payload` (AssembledSlot::payload,
  // which must lie inside host_arena()) and stages them. Errors name the section and field, e.g.
  // "section 3: port 5 is outside 0..3", and leave the previous setup in place. Waits only for
  // the previous run's descriptor copy to have left the staging buffer.
  Status setup(std::span<const SectionDescriptor> sections, std::span<const std::uint8_t> payload);
  // Enqueues: zero the grid (grid_elements() complex floats at device_grid), copy the staged
  // descriptors, one kernel over every section's REs. The payload must stay unchanged until the
  // stream has passed this run: synchronize() before the assembler's on_slot callback returns,
  // since the assembler may reuse the slot's arena part for the packet that closed it.
  Status run(void* device_grid, std::size_t grid_capacity_elements);
  Status synchronize();

  struct Impl;

 private:
  explicit GpuFronthaulOrder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace airan::io
