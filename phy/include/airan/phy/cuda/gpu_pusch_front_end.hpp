// The front half of the PUSCH receiver on a CUDA GPU: DMRS channel estimation (LS with OCC
// despreading, DFT denoising or not, linear interpolation), noise estimation, ZF/MMSE
// equalisation for 1..4 layers, inverse transform precoding for DFT-s-OFDM UEs, max-log soft
// demapping and descrambling, for every UE of a
// slot in one kernel launch per stage. Its LLRs are those of PuschReceiver::soft_bits (same
// per-element arithmetic, detail/*_math.hpp), up to float rounding.
//
// Lifecycle (as cuPHY's components):
//   create    allocates every device and pinned host buffer, once, for the stated limits;
//   setup     per slot: fills the UE descriptors and copies them to the device (asynchronously);
//   run       launches the stages on the front end's stream; no allocation, no host sync, so it
//             can be captured in a CUDA Graph (capture_graph / run_graph do so);
//   copy_llrs_to_host, synchronize, llrs: the results on the host;
//   destruction frees everything.
// The header has no CUDA types: the class compiles (and create() says why it cannot work)
// in builds without the CUDA backend.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include "airan/phy/expected.hpp"
#include "airan/phy/mimo/equalizer.hpp"
#include "airan/phy/pusch/channel_estimator.hpp"
#include "airan/phy/pusch/pusch_config.hpp"
#include "airan/phy/resource_grid.hpp"

namespace airan::phy {

// What create() sizes the device memory for. Kernels are launched for these maxima, so a
// captured graph stays valid for any slot within them.
struct GpuPuschLimits {
  int max_prbs = 273;            // PRBs of one UE's allocation, 1..275
  int grid_prbs = 273;           // width of the cell grid the UEs' BWPs lie in, max_prbs..275
  int max_layers = 4;            // 1..4
  int max_rx_ports = 4;          // 1..16
  int max_ues = 16;              // UEs per slot, 1..64
  int max_modulation_order = 8;  // 2, 4, 6, 8 or 10 (bits per symbol)
  // Cells whose UEs one launch per stage serves (a cell group: same carrier width and receive
  // ports), 1..64; each has its own grid, [rx][14][12 x grid_prbs], back to back.
  int max_cells = 1;
};

struct GpuPuschFrontEndConfig {
  EqualizerType equalizer = EqualizerType::mmse;
  // As the CPU estimator's; noise_covariance (MMSE-IRC) is not supported on the GPU yet.
  ChannelEstimatorConfig estimator;
  // DFT-s-OFDM UEs (38.211 6.3.1.4): low-PAPR DMRS, and the inverse transform precoding between
  // equalisation and demapping (Bluestein over two cuFFT plans of one size made at create, see
  // detail/transform_precoding_math.hpp). Costs device memory (max_ues x 14 x 8192 complex at
  // 273 PRBs) and two FFT launches per slot even when no UE uses it; false leaves both out and
  // setup() refuses transform-precoded UEs, naming this setting.
  bool transform_precoding = true;
};

// One UE of a slot. The plan is read during setup() only.
struct GpuPuschUe {
  const PuschPlan* plan = nullptr;
  int bwp_grid_offset = 0;  // cell-grid subcarrier of the UE's BWP subcarrier 0
  int cell = 0;             // whose grid: 0 .. limits.max_cells - 1
};

class GpuPuschFrontEnd {
 public:
  static Expected<std::unique_ptr<GpuPuschFrontEnd>> create(const GpuPuschLimits& limits,
                                                           const GpuPuschFrontEndConfig& config);
  ~GpuPuschFrontEnd();
  GpuPuschFrontEnd(const GpuPuschFrontEnd&) = delete;
  GpuPuschFrontEnd& operator=(const GpuPuschFrontEnd&) = delete;

  // Per slot: the UEs (at most max_ues) and the cell grid's shape, [rx_ports][14][grid
  // subcarriers]. Validates every UE against the limits (errors name the UE and the field),
  // fills the descriptors and enqueues their copy to the device. Waits (only) for the previous
  // setup's copy to have run, whose pinned source it overwrites.
  Status setup(std::span<const GpuPuschUe> ues, int rx_ports, int grid_subcarriers);

  // The cell grid into device memory (one copy, enqueued). Its shape must be setup()'s.
  Status upload_grid(const ResourceGrid& cell_grid);
  Status upload_grid(int cell, const ResourceGrid& cell_grid);
  // Or write it in place: complex float, [rx][symbol][subcarrier], subcarrier fastest, rows
  // 12 * limits.grid_prbs subcarriers apart (the create-time width, whatever setup() said), one
  // such grid of max_rx_ports rows-of-14 per cell. nullptr for a cell outside the limits.
  void* device_grid(int cell = 0);

  // The stages, enqueued on the front end's stream.
  Status run();
  // run() captured once into a CUDA Graph, then launched as one unit.
  Status capture_graph();
  Status run_graph();

  // Enqueues the LLRs of every UE of the slot to pinned host memory; valid after synchronize().
  Status copy_llrs_to_host();
  Status synchronize();
  // UE u's LLRs (plan.g of them, descrambled, natural units), as of the last synchronised copy.
  std::span<const float> llrs(int ue) const;
  // UE u's noise variance per RE and receive port, estimated on the DMRS (as
  // PuschChannelEstimate::noise_variance), as of the last synchronised copy.
  float noise_variance(int ue) const;

  // The stages' device results, for a consumer that runs on the GPU after run() (the
  // GpuPuschReceiver): UE u's natural-unit descrambled LLRs at llrs + u * llr_stride, its
  // equalised symbols' noise variances (codeword order) at symbol_noise + u * symbol_stride,
  // its DMRS noise variance at noise_variances[u].
  struct DeviceOutputs {
    const float* llrs = nullptr;
    std::size_t llr_stride = 0;
    const float* symbol_noise = nullptr;
    std::size_t symbol_stride = 0;
    const float* noise_variances = nullptr;
  };
  DeviceOutputs device_outputs() const;

  // The front end's cudaStream_t, for callers that order their own work with it.
  void* stream() const;
  std::size_t device_bytes() const;

  struct Impl;

 private:
  explicit GpuPuschFrontEnd(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace airan::phy
