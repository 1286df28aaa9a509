// Layered min-sum LDPC decoding of many code blocks at once on a CUDA GPU, BG1 and BG2, all 51
// lifting sizes: one thread block per code block, one thread per check of a block row, the
// block rows in order. Its hard decisions, iteration counts and parity verdicts equal the CPU
// decoder's (the same integer arithmetic, detail/ldpc_math.hpp).
//
// Lifecycle as GpuPuschFrontEnd: create allocates everything (device LLRs, messages, bits, the
// lifted graphs of both base graphs for every Z), setup describes the slot's code blocks,
// upload_llrs/run/copy_results_to_host enqueue, synchronize waits, bits/result read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "airan/phy/coding/bits.hpp"
#include "airan/phy/coding/ldpc_decoder.hpp"
#include "airan/phy/coding/ldpc_graph.hpp"
#include "airan/phy/expected.hpp"

namespace airan::phy {

struct GpuLdpcCodeBlock {
  BaseGraph base_graph = BaseGraph::bg1;
  int z = 384;
  int llr_count = 0;  // soft bits of d received, K - 2Z .. N (as LdpcDecoder::decode's llrs.size())
};

class GpuLdpcDecoder {
 public:
  // max_code_blocks: per run, 1..1024.
  static Expected<std::unique_ptr<GpuLdpcDecoder>> create(const LdpcDecoderConfig& config, int max_code_blocks);
  ~GpuLdpcDecoder();
  GpuLdpcDecoder(const GpuLdpcDecoder&) = delete;
  GpuLdpcDecoder& operator=(const GpuLdpcDecoder&) = delete;

  // The slot's code blocks; errors name the block and what is wrong.
  Status setup(std::span<const GpuLdpcCodeBlock> blocks);
  // Code block b's soft bits (llr_count of them) into device memory, enqueued.
  Status upload_llrs(int block, std::span<const Llr> llrs);
  // Or in place: int8, code block b at b * 25344 (N of BG1 at Z = 384).
  void* device_llrs();
  Status run();
  Status copy_results_to_host();
  Status synchronize();
  // After synchronize(): K hard decisions of block b, and its iterations / parity verdict.
  std::span<const std::uint8_t> bits(int block) const;
  LdpcDecoderResult result(int block) const;
  void* stream() const;

  struct Impl;

 private:
  explicit GpuLdpcDecoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace airan::phy
