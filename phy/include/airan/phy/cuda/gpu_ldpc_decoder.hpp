// Layered min-sum LDPC decoding of many code blocks in one kernel launch on a CUDA GPU:
// BG1 and BG2, all 51 lifting sizes, mixed freely within a launch. Hard decisions, iteration
// counts and parity verdicts equal the CPU decoder's (LdpcDecoder with the same settings): both
// run the integer arithmetic of detail/ldpc_min_sum_math.hpp.
//
// Lifecycle (as cuPHY's components):
//   create   allocates everything once: device LLR, message, bit and outcome buffers, pinned
//            host staging, the lifted graphs of both base graphs for every Z (uploaded once);
//   setup    per launch, on the host: validates the code-block list and fills the descriptors
//            (no allocation, no device call);
//   upload_llrs / run / download_results   enqueue on the decoder's stream (capturable into a
//            CUDA graph: fixed buffers, no allocation, no synchronisation);
//   synchronize, then hard_bits / result   read the host copies.
// This header has no CUDA types, so code built without nvcc can use it; in builds without the
// CUDA backend create() fails and says so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "airan/phy/coding/bits.hpp"
#include "airan/phy/coding/crc.hpp"
#include "airan/phy/coding/ldpc_decoder.hpp"
#include "airan/phy/coding/ldpc_graph.hpp"
#include "airan/phy/expected.hpp"

namespace airan::phy {

struct GpuLdpcDecoderConfig {
  int max_code_blocks = 64;          // per launch, 1..4096
  int max_llrs_per_block = 66 * 384;  // soft bits of d per block, 1..N of BG1 at Z = 384 (25344)
  // As LdpcDecoderConfig: 0 = the factor tuned per base graph, else factor x16; offset min-sum.
  int scaling_x16 = 0;
  int offset = 0;
};

Status validate(const GpuLdpcDecoderConfig& config);

// One code block of a launch. Its soft bits are d of TS 38.212 5.3.2 (the codeword without its
// first 2Z bits, filler positions already set to the known 0 by rate recovery), as for
// LdpcDecoder::decode, at host_llrs()[llr_offset ..) (or the same place of device_llrs()).
struct GpuLdpcCodeBlock {
  BaseGraph base_graph = BaseGraph::bg1;
  int z = 384;
  std::size_t llr_offset = 0;
  int llr_count = 0;  // K - 2Z .. N; bits of d beyond it count as punctured
  int max_iterations = 10;
  bool early_stop = true;
  // CRC check on the device of the first crc_bits decided bits (K': payload and its parity;
  // CRC24B of a segmented TB's blocks, or the TB CRC of a one-block TB). 0: no check.
  int crc_bits = 0;
  CrcType crc_type = CrcType::crc24b;
};

class GpuLdpcDecoder {
 public:
  // stream: a cudaStream_t to enqueue on (not owned), or nullptr for a stream of its own.
  static Expected<GpuLdpcDecoder> create(const GpuLdpcDecoderConfig& config, void* stream = nullptr);
  GpuLdpcDecoder(GpuLdpcDecoder&&) noexcept;
  GpuLdpcDecoder& operator=(GpuLdpcDecoder&&) noexcept;
  ~GpuLdpcDecoder();

  // Pinned host staging of the soft bits, max_code_blocks * max_llrs_per_block of them; the
  // caller places each block's LLRs at its llr_offset.
  std::span<Llr> host_llrs();
  // The device buffer with the same layout, for a producer that runs on the GPU (rate recovery).
  void* device_llrs();
  // The decoder's CUDA stream (a cudaStream_t), for capture into a graph or event waits.
  void* stream() const;

  // The code blocks of the next launch; errors name the block and what is wrong, and leave
  // the previous setup in place. Waits until the previous run() has copied its descriptors;
  // when replaying a captured graph, call it only after the previous replay finished.
  // A captured graph keeps the block count, launch shape and LLR extent of the setup in force
  // at capture: later setups may change the blocks' contents, not those.
  Status setup(std::span<const GpuLdpcCodeBlock> blocks);
  // Enqueues the copy of the set-up blocks' soft bits (the span of host_llrs() they use).
  Status upload_llrs();
  // Enqueues the descriptor copy and one kernel launch decoding every set-up block.
  Status run();
  // Enqueues the copy of the hard decisions and outcomes to pinned host memory.
  Status download_results();
  // Enqueues the copy of the outcomes only (iterations, parity, CRC), for a consumer of the
  // hard decisions that runs on the GPU (device_hard_bits()).
  Status download_outcomes();
  // The device hard decisions: block b's K bits (one byte each) at b * hard_bits_stride().
  const void* device_hard_bits() const;
  static std::size_t hard_bits_stride();
  // Waits for everything enqueued; reports a kernel or copy error.
  Status synchronize();

  // After download_results() and synchronize(): block b's K hard decisions (filler included)
  // and its iteration count and parity verdict.
  std::span<const std::uint8_t> hard_bits(int block) const;
  LdpcDecoderResult result(int block) const;
  // Whether block b's CRC checked; nullopt when its crc_bits was 0.
  std::optional<bool> crc_ok(int block) const;
  int block_count() const;

  struct Impl;

 private:
  explicit GpuLdpcDecoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace airan::phy
