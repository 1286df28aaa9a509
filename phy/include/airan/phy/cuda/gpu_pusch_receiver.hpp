// The whole PUSCH uplink of a cell on a CUDA GPU, as one chain on one stream:
//   front end (estimation .. descrambled LLRs, GpuPuschFrontEnd) -> quantize (per-UE gain,
//   int8) -> rate recovery with HARQ soft buffers in device memory (GpuRateRecovery) ->
//   layered LDPC with code-block CRC (GpuLdpcDecoder) -> TB assembly and TB CRC -> results to
//   pinned host memory.
// Batched over the slot's UEs: one launch per stage. Its decoded bits equal the CPU backend's
// wherever both decode (the int8 soft bits may differ in rare roundings, as the front end's
// floats differ from the CPU's within float rounding).
//
// Lifecycle (as cuPHY's components):
//   create   allocates everything for the limits, once (all stages' buffers, the HARQ soft
//            buffers, the CRC tables);
//   setup    per slot, on the host: validates the UEs, fills every stage's descriptors;
//   upload_grid (or write device_grid()), enqueue: the launches on stream(); with cuda_graph
//            the launches after the front end's descriptor copy are captured once per slot
//            shape (UE count and code blocks per UE) and replayed thereafter;
//   finish   waits, copies the TBs out, fills the results.
// Several receivers (cells) run concurrently on their own streams: set each up and enqueue it,
// then finish each. This header has no CUDA types; without the CUDA build create() fails and
// says so.
#pragma once

#include <memory>
#include <span>

#include "airan/phy/expected.hpp"
#include "airan/phy/pusch/pusch_slot_receiver.hpp"

namespace airan::phy {

class GpuPuschReceiver final : public PuschSlotReceiver {
 public:
  static Expected<std::unique_ptr<GpuPuschReceiver>> create(const PuschSlotReceiverConfig& config);
  ~GpuPuschReceiver() override;
  GpuPuschReceiver(const GpuPuschReceiver&) = delete;
  GpuPuschReceiver& operator=(const GpuPuschReceiver&) = delete;

  PhyBackend backend() const override { return PhyBackend::cuda; }
  // setup + upload_grid + enqueue + finish.
  Status receive(const ResourceGrid& cell_grid, std::span<const PuschSlotUe> ues,
                 std::span<PuschSlotUeResult> results) override;
  const PuschSlotTimes& last_times() const override;
  // Lends the processes their device soft buffers (cleared) as new data would, so that a
  // retransmission that comes first combines with zeros (as on the CPU backend).
  Status prepare(std::span<const PuschSlotUe> ues) override;

  // The steps of receive(), for callers that overlap cells or write the grid on the device.
  // With limits.max_cells > 1 one receiver serves a cell group (same carrier width and ports):
  // each UE names its cell, each cell's grid is uploaded (or written in place) on its own, and
  // every stage is still one launch for all UEs of all cells.
  Status setup(std::span<const PuschSlotUe> ues, int rx_ports, int grid_subcarriers);
  Status upload_grid(const ResourceGrid& cell_grid, int cell = 0);
  void* device_grid(int cell = 0);  // as GpuPuschFrontEnd::device_grid(cell)
  Status enqueue();
  // The UEs must be those given to setup (their tb_bits receive the TBs).
  Status finish(std::span<const PuschSlotUe> ues, std::span<PuschSlotUeResult> results);

  void* stream() const;  // cudaStream_t
  std::size_t device_bytes() const;
  int cached_graphs() const;

  struct Impl;

 private:
  explicit GpuPuschReceiver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace airan::phy
