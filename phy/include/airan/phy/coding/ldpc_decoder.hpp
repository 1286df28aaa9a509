// Soft-input LDPC decoder: layered (row-by-row) scaled/offset min-sum on int8 LLRs,
// processing the Z rows of a block row in parallel (32 at a time; AVX2 where available).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "airan/phy/coding/bits.hpp"
#include "airan/phy/coding/ldpc_graph.hpp"
#include "airan/phy/cpu_features.hpp"
#include "airan/phy/expected.hpp"

namespace airan::phy {

struct LdpcDecoderConfig {
  int max_iterations = 10;
  // Check-node magnitudes become max(0, round(min * scaling_x16 / 16) - offset):
  // scaling_x16 = 16, offset > 0 is offset min-sum; offset = 0 is normalized min-sum.
  // 0 picks the factor tuned per base graph (kTunedScalingX16*), measured with `airan sim ldpc`
  // at the published operating points (docs/performance.md).
  int scaling_x16 = 0;
  int offset = 0;
  // Stop as soon as the hard decisions satisfy every parity check in use.
  bool early_stop = true;
};

inline constexpr int kTunedScalingX16Bg1 = 12;  // 0.75
inline constexpr int kTunedScalingX16Bg2 = 14;  // 0.875: BG2's lower row degrees want less damping

Status validate(const LdpcDecoderConfig& config);

struct LdpcDecoderResult {
  int iterations = 0;      // iterations run
  bool parity_ok = false;  // hard decisions satisfy every parity check in use
};

class LdpcDecoder {
 public:
  virtual ~LdpcDecoder() = default;

  // Decodes one code block.
  //   llrs: soft bits indexed like d of TS 38.212 5.3.2 (the codeword without its first 2Z
  //         systematic bits), at most N = graph.codeword_bits(); missing tail bits count as 0
  //         (punctured), and only the parity rows they touch are decoded. Values in [-127, 127].
  //   c:    K = graph.info_bits() hard decisions (unpacked bits), filler bits included.
  // Allocation-free: the workspace was sized for the largest graph at creation.
  virtual LdpcDecoderResult decode(const LdpcGraph& graph, std::span<const Llr> llrs,
                                   std::span<std::uint8_t> c) = 0;

  virtual CpuIsa isa() const = 0;
};

// A decoder for `isa` (default: the best this machine runs). Errors name the bad setting.
Expected<std::unique_ptr<LdpcDecoder>> create_ldpc_decoder(const LdpcDecoderConfig& config,
                                                           CpuIsa isa = best_cpu_isa());

}  // namespace airan::phy
