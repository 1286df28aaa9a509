// Rate recovery (de-rate-matching, TS 38.212 5.4.2 inverse) of many code blocks in one kernel
// launch on a CUDA GPU, with the HARQ soft buffers kept in device memory: each block's E
// received soft bits are de-interleaved and added to its soft buffer (cleared first for new
// data), fillers set to the known 0, and the first output_count soft bits of d written where
// the LDPC decoder reads them (GpuLdpcDecoder::device_llrs()). The soft buffers equal the CPU's
// rate_recover() bit for bit (detail/rate_recovery_math.hpp).
//
// Lifecycle as GpuLdpcDecoder: create allocates everything (received soft bits, HARQ buffers,
// descriptors, pinned staging); setup fills descriptors on the host; upload_llrs / run enqueue on
// the stream (give the decoder's stream at create to order the two without events).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "airan/phy/coding/bits.hpp"
#include "airan/phy/coding/rate_matching.hpp"
#include "airan/phy/expected.hpp"

namespace airan::phy {

struct GpuRateRecoveryConfig {
  int max_code_blocks = 64;       // per launch, 1..4096
  int max_e_per_block = 200'000;  // received soft bits per block, 1..10^6
  int harq_buffers = 64;          // device soft buffers of N = 66 * 384 soft bits each, 1..65536
  // Received soft bits of a launch in all; 0: max_code_blocks * max_e_per_block. A receiver
  // whose blocks share one codeword buffer sizes it for the slot, not for every block at its
  // largest E.
  std::size_t max_received_soft_bits = 0;

  std::size_t received_capacity() const {
    return max_received_soft_bits != 0
               ? max_received_soft_bits
               : static_cast<std::size_t>(max_code_blocks) * static_cast<std::size_t>(max_e_per_block);
  }
};

Status validate(const GpuRateRecoveryConfig& config);

struct GpuRateRecoveryBlock {
  std::size_t f_offset = 0;  // first received soft bit of the block in host_llrs()/device_llrs()
  int e = 0;                 // received soft bits (E of the block)
  int modulation_order = 2;
  int k0 = 0;
  int ncb = 0;
  int n = 0;                 // soft-buffer length N of the block's graph
  int filler_begin = 0;
  int filler_end = 0;
  int harq_buffer = 0;       // device soft buffer of this block; distinct within a launch
  bool combine = false;      // false: new data, the buffer starts from 0
  std::size_t output_offset = 0;  // where d's first soft bit goes in the output buffer
  int output_count = 0;           // soft bits of d written there (0: none)
};

// The block's descriptor from the transport block's rate-matching plan.
GpuRateRecoveryBlock rate_recovery_block(const RateMatchPlan& plan, int block, std::size_t f_offset, int harq_buffer,
                                         bool combine, std::size_t output_offset, int output_count);

class GpuRateRecovery {
 public:
  // stream: a cudaStream_t to enqueue on (not owned), or nullptr for a stream of its own.
  static Expected<GpuRateRecovery> create(const GpuRateRecoveryConfig& config, void* stream = nullptr);
  GpuRateRecovery(GpuRateRecovery&&) noexcept;
  GpuRateRecovery& operator=(GpuRateRecovery&&) noexcept;
  ~GpuRateRecovery();

  // Pinned staging of received soft bits (max_code_blocks * max_e_per_block) and its device twin.
  std::span<Llr> host_llrs();
  void* device_llrs();
  void* stream() const;

  // Errors name the block and field and leave the previous setup in place.
  Status setup(std::span<const GpuRateRecoveryBlock> blocks);
  Status upload_llrs();
  // Enqueues descriptors and one kernel for all set-up blocks; soft bits of d go to
  // `device_output` (output_capacity soft bits; nullptr when no block has an output_count).
  Status run(void* device_output, std::size_t output_capacity);
  Status synchronize();
  // Copies one HARQ soft buffer (its first out.size() soft bits) to the host and waits.
  Status copy_harq_buffer_to_host(int harq_buffer, std::span<Llr> out);
  // Enqueues zeroing one HARQ soft buffer (a buffer lent to a process that has received nothing).
  Status clear_harq_buffer(int harq_buffer);

  struct Impl;

 private:
  explicit GpuRateRecovery(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace airan::phy
