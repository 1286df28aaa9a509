// The gNB's uplink for one slot of one cell: every PUSCH of the slot, from the cell's received
// grid to decoded transport blocks, behind one interface with a CPU and a CUDA implementation
// (`--backend cpu|cuda`). The CPU backend runs PuschReceiver per UE; the CUDA backend
// (cuda/gpu_pusch_receiver.hpp) runs the whole chain on the GPU, batched over the slot's UEs.
// Both keep the HARQ soft buffers themselves, one per HARQ process index the caller assigns.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "airan/phy/cuda/gpu_pusch_front_end.hpp"
#include "airan/phy/expected.hpp"
#include "airan/phy/pusch/pusch_config.hpp"
#include "airan/phy/pusch/pusch_receiver.hpp"
#include "airan/phy/resource_grid.hpp"

namespace airan::phy {

enum class PhyBackend { cpu, cuda };

std::string_view to_string(PhyBackend backend);
// "cpu" or "cuda" ("auto" is the caller's choice: detect_gpu() decides it).
Expected<PhyBackend> parse_phy_backend(std::string_view name);

struct PuschSlotReceiverConfig {
  // Estimator, equaliser, LDPC decoder and LLR gain, the same for both backends.
  PuschReceiverConfig receiver;
  // The GPU backend's device memory is sized for these (the CPU backend checks them too, so a
  // slot that one backend takes the other takes as well).
  GpuPuschLimits limits;
  int harq_processes = 16;  // soft buffers, 1..4096: PuschSlotUe::harq_process indexes them
  // GPU: device code-block soft buffers (25,344 bytes each) the HARQ processes share: a new
  // transmission returns its process's buffers and takes one per code block of its TB. 0: enough
  // for every process to hold the largest TB at once (never runs out; the most memory).
  int gpu_soft_buffers = 0;
  bool cuda_graph = true;   // GPU: replay the slot's launches as a CUDA graph per slot shape
  // GPU: time each stage with events (plain launches only: a graph is one unit); costs a little
  // launch overhead, so it is for benchmarks, not for the slot loop.
  bool stage_timing = false;
  // GPU: keep the DFT-s-OFDM stage (its FFTs run every slot); without it transform-precoded
  // UEs are refused (GpuPuschFrontEndConfig::transform_precoding).
  bool transform_precoding = true;
};

Status validate(const PuschSlotReceiverConfig& config);

// One PUSCH of the slot.
struct PuschSlotUe {
  const PuschPlan* plan = nullptr;
  int bwp_start_prb = 0;         // the UE's BWP within the cell grid
  bool new_data = true;          // false: combine with the HARQ process's soft bits
  int harq_process = 0;          // 0 .. harq_processes - 1, distinct within a slot
  std::span<std::uint8_t> tb_bits;  // plan->tbs bits out
  // GpuPuschReceiver of a cell group (limits.max_cells > 1): whose grid. receive() takes one
  // cell's grid, so 0 there.
  int cell = 0;
};

struct PuschSlotUeResult {
  bool tb_crc_ok = false;
  int code_blocks = 0;
  int code_blocks_ok = 0;
  int max_iterations = 0;
  double sinr_db = 0.0;         // mean post-equalisation SINR over the data REs
  double noise_variance = 0.0;  // per RE and receive port, from the DMRS
  // DMRS SNR (CPU backend); NaN where not estimated (CUDA backend).
  double dmrs_snr_db = std::numeric_limits<double>::quiet_NaN();
  PuschStageTimes times;        // CPU backend: per stage; CUDA backend: zeros (see slot times)
};

struct PuschSlotTimes {
  double host_us = 0.0;    // wall time of receive() on the calling thread
  double device_us = -1.0;  // CUDA backend: GPU time from the first to the last launch; CPU: -1
  // CUDA backend with stage_timing (else -1): device time of each stage.
  struct Stages {
    double front_end_us = -1.0;      // estimation .. descrambled LLRs
    double quantize_us = -1.0;       // gain and int8
    double rate_recovery_us = -1.0;
    double ldpc_us = -1.0;           // decoding and CB CRC
    double assemble_us = -1.0;       // TB bits and TB CRC
    double results_us = -1.0;        // copies to the host
  } stages;
};

class PuschSlotReceiver {
 public:
  virtual ~PuschSlotReceiver() = default;
  virtual PhyBackend backend() const = 0;
  // cell_grid: [receive port][14 symbols][cell subcarriers]. results.size() == ues.size().
  // Errors name the UE and what is wrong; a failed slot leaves the HARQ buffers untouched
  // where the error was found before decoding.
  virtual Status receive(const ResourceGrid& cell_grid, std::span<const PuschSlotUe> ues,
                         std::span<PuschSlotUeResult> results) = 0;
  virtual const PuschSlotTimes& last_times() const = 0;
  // Cell start, untimed: sizes the soft buffers of these UEs' HARQ processes for their TBs, so
  // that the first slot of each process pays no allocation. The processes then hold nothing
  // (a retransmission combines with zeros). Decodes nothing.
  virtual Status prepare(std::span<const PuschSlotUe> ues) = 0;
};

// The CUDA backend fails to create, saying why, where no GPU is usable or CUDA was not built.
Expected<std::unique_ptr<PuschSlotReceiver>> create_pusch_slot_receiver(PhyBackend backend,
                                                                      const PuschSlotReceiverConfig& config);
// By the tools' --backend name: "cpu", "cuda" (an error naming why where it cannot run) or
// "auto" (cuda where a GPU is usable and the CUDA backend can be made, else cpu, with why in
// *cpu_reason when given).
Expected<std::unique_ptr<PuschSlotReceiver>> create_pusch_slot_receiver(std::string_view backend,
                                                                      const PuschSlotReceiverConfig& config,
                                                                      std::string* cpu_reason = nullptr);

namespace detail {
// The checks both backends make of a slot before touching any state.
Status check_slot(const PuschSlotReceiverConfig& config, const ResourceGrid& cell_grid,
                  std::span<const PuschSlotUe> ues, std::size_t results);
}  // namespace detail

}  // namespace airan::phy
