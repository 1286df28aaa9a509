// OFDM demodulation of time-domain (split-8) slots on a CUDA GPU: the CPU OfdmDemodulator's
// result (ofdm.hpp: CP removal with the longer CP every 0.5 ms, FFT window offset compensation,
// optional upconversion phase, unitary scaling, occupied subcarriers into the grid), for every
// port of a slot at once. Per slot: a gather kernel copies each symbol's FFT window (CP
// stripped) into a [port][symbol][fft_size] buffer, one batched cuFFT C2C (batch = ports x
// symbols, planned at create) transforms it in place, and an extract kernel maps bins to
// subcarriers and scales them into a [port][symbol][row] grid: its own, or any device grid with
// the same layout, e.g. GpuPuschFrontEnd::device_grid() (rows 12 x GpuPuschLimits::grid_prbs
// apart), so the demodulator writes straight into the front end's input.
//
// Per-element arithmetic: detail/ofdm_math.hpp, which the CPU demodulator uses too.
//
// Lifecycle (as GpuPuschFrontEnd): create allocates everything (device buffers, pinned slot
// descriptor, the cuFFT plan and its work area) once; setup(slot, ports) fills the per-slot
// descriptor (window starts and upconversion phases of the 14 symbols, which depend on the slot's
// position in the subframe) and enqueues its copy; upload_input or device_input() give the
// samples; run enqueues gather, FFT and extract on the demodulator's stream with no allocation
// and no host synchronisation (capture_graph / run_graph put them in a CUDA Graph, valid for every
// slot, since kernel arguments and the FFT batch are the create-time ones).
// The header has no CUDA types; builds without the CUDA backend get a create() that says why.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include "airan/phy/expected.hpp"
#include "airan/phy/ofdm/ofdm.hpp"
#include "airan/phy/resource_grid.hpp"

namespace airan::phy {

struct GpuOfdmDemodulatorLimits {
  int max_ports = 4;  // 1..16
  // Distance in subcarriers between the output grid's rows (symbols), at least
  // config.grid_subcarriers; 0 means config.grid_subcarriers. To write into a GpuPuschFrontEnd's
  // grid pass 12 x its grid_prbs.
  int grid_row_subcarriers = 0;
};

class GpuOfdmDemodulator {
 public:
  // config as the CPU OfdmDemodulator's (validated the same way; plan_effort is FFTW's and has no
  // meaning here).
  static Expected<std::unique_ptr<GpuOfdmDemodulator>> create(const OfdmConfig& config,
                                                             const GpuOfdmDemodulatorLimits& limits);
  ~GpuOfdmDemodulator();
  GpuOfdmDemodulator(const GpuOfdmDemodulator&) = delete;
  GpuOfdmDemodulator& operator=(const GpuOfdmDemodulator&) = delete;

  // Per slot: the slot index (its position in the subframe sets the CP lengths and phases) and
  // the ports to demodulate (1..max_ports). Waits (only) for the previous setup's copy.
  Status setup(int slot, int ports);

  // The slot's samples, port after port (ports x slot_samples(slot) of setup()), enqueued.
  Status upload_input(std::span<const Complex> samples);
  // Or written in place: complex float [port][sample], rows input_row_samples() apart.
  void* device_input();
  int input_row_samples() const;  // the longest slot of the subframe

  // Where run() writes: the demodulator's own grid (default) or a caller's device grid of the
  // layout [port][symbol][grid_row_subcarriers] (complex float), e.g. a GpuPuschFrontEnd's.
  // Subcarriers beyond config.grid_subcarriers in a row are left as they are. Call before
  // capture_graph (a captured graph keeps the pointer).
  Status set_output(void* device_grid);
  void* device_grid();  // the own grid

  Status run();
  Status capture_graph();
  Status run_graph();

  // Waits for the stream, then copies the own grid's ports of the last setup() into `grid`
  // (resized to ports x symbols x grid_subcarriers). For tests and tools, not the slot loop.
  Status copy_grid_to_host(ResourceGrid& grid);
  Status synchronize();

  void* stream() const;  // cudaStream_t
  std::size_t device_bytes() const;
  const OfdmConfig& config() const;

  struct Impl;

 private:
  explicit GpuOfdmDemodulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace airan::phy
