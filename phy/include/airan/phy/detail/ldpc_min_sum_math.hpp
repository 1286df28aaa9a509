// Per-lane arithmetic of the layered scaled min-sum LDPC decoder (ldpc_decoder_kernel.hpp),
// written once for the CPU and the GPU: one check r (a "lane") of one block row at a time.
//
// The CPU kernel runs 32 lanes per vector; the GPU kernel runs one lane per thread. Both must
// give the same hard decisions and iteration counts, so every rounding, saturation and tie rule
// of the vector code is spelled out here as scalar integer arithmetic:
//   - a-posteriori values (app) are int16, messages and variable-to-check values int8;
//   - t = saturate8(app - message), floored at -127 so that |t| never overflows;
//   - the first strict minimum wins the argmin (a later equal magnitude does not replace it);
//   - the sign product is the XOR of the int8 values, t = 0 counting as positive;
//   - check magnitudes are clamp((m * scaling_x16 + 8 - 16 * offset) >> 4, 0, 127).
#pragma once

#include <cstdint>

#include "airan/phy/coding/ldpc_graph.hpp"
#include "airan/phy/detail/hd.hpp"  // AIRAN_HD

namespace airan::phy::ldpc_math {

inline constexpr int kLlrLimit = 127;  // soft bits and messages stay within +-127
inline constexpr int kTunedScalingX16Bg1Value = 12;
inline constexpr int kTunedScalingX16Bg2Value = 14;

// Largest graph dimensions over BG1 and BG2 (sizes of per-block workspaces).
inline constexpr int kMaxBaseGraphColumns = 68;
inline constexpr int kMaxBaseGraphRows = 46;
inline constexpr int kMaxBaseGraphEdges = 316;   // BG1; BG2 has 197
inline constexpr int kMaxInfoBits = 22 * 384;    // K of BG1 at Z = 384
inline constexpr int kMaxCodewordBits = 66 * 384;  // N of BG1 at Z = 384

AIRAN_HD int saturate_int8(int v) { return v < -128 ? -128 : (v > 127 ? 127 : v); }

// The a-posteriori value a received soft bit starts from: -128 is raised to -127.
AIRAN_HD std::int16_t initial_app(std::int8_t llr) {
  return static_cast<std::int16_t>(llr < -kLlrLimit ? -kLlrLimit : llr);
}

// Scaling factor x16 in use: 0 in the configuration means the value tuned per base graph.
AIRAN_HD int resolve_scaling_x16(int configured, BaseGraph bg) {
  if (configured != 0) return configured;
  return bg == BaseGraph::bg1 ? kTunedScalingX16Bg1Value : kTunedScalingX16Bg2Value;
}

// Check-node magnitude: max(0, round(m * scaling_x16 / 16) - offset), at most 127.
AIRAN_HD int scale_offset_magnitude(int magnitude, int scaling_x16, int offset) {
  const int v = (magnitude * scaling_x16 + 8 - 16 * offset) >> 4;
  return v < 0 ? 0 : (v > 127 ? 127 : v);
}

// Variable-to-check value of one edge: the wide difference (kept to update the a-posteriori
// value exactly) and its int8 form floored at -127 (used for the minimum and sign).
struct VariableToCheck {
  int wide;
  int narrow;
};
AIRAN_HD VariableToCheck variable_to_check(int app, int old_message) {
  const int wide = app - old_message;
  const int narrow = saturate_int8(wide);
  return {wide, narrow < -kLlrLimit ? -kLlrLimit : narrow};
}

// The running two smallest magnitudes, the edge of the smallest and the sign product.
struct MinSumAccumulator {
  int min1 = kLlrLimit;
  int min2 = kLlrLimit;
  int argmin = 0;
  int sign = 0;  // XOR of the int8 values: negative when an odd number of them is negative
};
AIRAN_HD void accumulate(MinSumAccumulator& acc, int t, int edge) {
  const int magnitude = t < 0 ? -t : t;
  if (acc.min1 > magnitude) acc.argmin = edge;
  const int larger = acc.min1 > magnitude ? acc.min1 : magnitude;
  acc.min2 = acc.min2 < larger ? acc.min2 : larger;
  acc.min1 = acc.min1 < magnitude ? acc.min1 : magnitude;
  acc.sign ^= t;
}

// New check-to-variable message of `edge`: the other edges' smallest (scaled) magnitude with
// the product of the other edges' signs. `magnitude1/2` are min1/min2 after scaling.
AIRAN_HD int check_to_variable(const MinSumAccumulator& acc, int magnitude1, int magnitude2, int t, int edge) {
  const int magnitude = acc.argmin == edge ? magnitude2 : magnitude1;
  const int others_sign = (acc.sign ^ t) | 1;  // | 1: a zero product counts as positive
  return others_sign < 0 ? -magnitude : magnitude;
}

// a-posteriori value after the row: variable-to-check value plus the new message. No clipping:
// |app| <= 127 * (1 + max column degree) fits int16 with room to spare.
AIRAN_HD std::int16_t updated_app(int t_wide, int new_message) {
  return static_cast<std::int16_t>(t_wide + new_message);
}

AIRAN_HD std::uint8_t hard_decision(int app) { return static_cast<std::uint8_t>(app < 0 ? 1 : 0); }

// Bit (r + shift) mod Z of a column, for 0 <= r, shift < Z, without a division.
AIRAN_HD int cyclic_index(int r, int shift, int z) {
  const int i = r + shift;
  return i >= z ? i - z : i;
}

}  // namespace airan::phy::ldpc_math
