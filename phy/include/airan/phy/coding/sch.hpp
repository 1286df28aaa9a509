// The UL-SCH / DL-SCH transport-channel coding chain of TS 38.212 6.2 / 7.2:
// transport block -> TB CRC -> segmentation + CB CRC -> LDPC -> rate matching -> codeword,
// and back from codeword LLRs with HARQ soft combining.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "airan/phy/coding/bits.hpp"
#include "airan/phy/coding/ldpc_decoder.hpp"
#include "airan/phy/coding/rate_matching.hpp"
#include "airan/phy/coding/segmentation.hpp"
#include "airan/phy/expected.hpp"

namespace airan::phy {

struct SchConfig {
  int tbs = 0;                          // A
  double target_code_rate = 0.0;        // R of the MCS, selects the base graph (7.2.2)
  RateMatchConfig rate_match;           // G, Qm, layers, rv, LBRM
  std::optional<BaseGraph> base_graph;  // forces a base graph instead of 7.2.2's choice
};

// Everything derived from a SchConfig; cheap to copy, computed once per transport block.
struct SchPlan {
  CodeBlockSegmentation segmentation;
  RateMatchPlan rate_match;
  const LdpcGraph* graph = nullptr;
  int g = 0;

  int tbs() const { return segmentation.tbs; }
};

// Validates the configuration (every error names its parameter) and derives the plan.
Expected<SchPlan> plan_sch(const SchConfig& config);

// Encodes transport blocks. Owns its scratch: no allocation per call.
class SchEncoder {
 public:
  // tb_bits: A unpacked bits; codeword: G bits (before scrambling).
  Status encode(const SchPlan& plan, std::span<const std::uint8_t> tb_bits, std::span<std::uint8_t> codeword);

 private:
  std::vector<std::uint8_t> code_block_;  // K
  std::vector<std::uint8_t> encoded_;     // up to N
};

// The soft bits of one HARQ process: one N-LLR buffer per code block, kept across
// retransmissions, plus which blocks already passed their CRC.
class HarqSoftBuffer {
 public:
  // Sizes the buffer for a transport block; reuses the memory when it is large enough.
  void reset(const SchPlan& plan);
  bool matches(const SchPlan& plan) const;

  std::span<Llr> block(int r) { return {llrs_.data() + static_cast<std::size_t>(r) * n_, static_cast<std::size_t>(n_)}; }
  int coverage() const { return coverage_; }
  void extend_coverage(int bits) { coverage_ = std::max(coverage_, bits); }
  bool block_decoded(int r) const { return decoded_[r] != 0; }
  void set_block_decoded(int r, bool ok) { decoded_[r] = ok ? 1 : 0; }
  // The decoded b = [TB, TB CRC] bits, kept so that blocks decoded in an earlier
  // transmission need not be decoded again.
  std::span<std::uint8_t> tb_with_crc() { return tb_with_crc_; }
  // The natural-LLR -> int8 gain of the process's first transmission (0: none yet). Its
  // retransmissions are quantised with it, so that the soft bits add up in proportion to their
  // reliability: normalised anew, a -10 dB transmission would weigh as much as a 20 dB one.
  float llr_gain() const { return llr_gain_; }
  void set_llr_gain(float gain) { llr_gain_ = gain; }

 private:
  std::vector<Llr> llrs_;
  std::vector<std::uint8_t> tb_with_crc_;
  std::vector<std::uint8_t> decoded_;
  int num_blocks_ = 0;
  int n_ = 0;
  int tbs_ = 0;
  int coverage_ = 0;
  float llr_gain_ = 0.0F;
};

struct SchDecodeResult {
  bool tb_crc_ok = false;
  int num_blocks = 0;
  int blocks_crc_ok = 0;
  int max_iterations = 0;       // largest LDPC iteration count among the blocks decoded now
  double mean_iterations = 0.0;  // over the blocks decoded now
};

class SchDecoder {
 public:
  static Expected<std::unique_ptr<SchDecoder>> create(const LdpcDecoderConfig& config,
                                                      CpuIsa isa = best_cpu_isa());

  // llrs: the G descrambled codeword LLRs of this transmission. With new_data the HARQ
  // buffer starts afresh; otherwise the LLRs combine with what it holds. tb_bits: A bits out.
  Expected<SchDecodeResult> decode(const SchPlan& plan, std::span<const Llr> llrs, bool new_data,
                                   HarqSoftBuffer& harq, std::span<std::uint8_t> tb_bits);

 private:
  explicit SchDecoder(std::unique_ptr<LdpcDecoder> ldpc) : ldpc_(std::move(ldpc)) {}
  std::unique_ptr<LdpcDecoder> ldpc_;
  std::vector<std::uint8_t> code_block_;  // K hard bits
};

}  // namespace airan::phy
