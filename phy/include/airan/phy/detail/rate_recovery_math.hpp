// Rate recovery (TS 38.212 5.4.2, inverse) one soft-buffer position at a time, for the GPU:
// the CPU's rate_recover walks the E received soft bits in order and adds each to its position
// of d; here one thread owns one position p of d and gathers the soft bits that land on it.
//
// The selection visits the non-filler positions of [0, N_cb) circularly from k0, so bit k lands
// on the same position as bit k + L, L = N_cb - fillers. Position p first receives bit k_p (its
// distance from k0 along that circle) and then k_p + L, k_p + 2L, ... < E: adding them in that
// order with the same saturation gives exactly the CPU's value (each position's additions are
// independent of the others', and the CPU makes them in increasing k too).
#pragma once

#include <cstdint>

#include "airan/phy/detail/ldpc_min_sum_math.hpp"  // AIRAN_HD

namespace airan::phy::rate_recovery_math {

// What the selection of one code block looks like (RateMatchPlan's fields for that block).
struct SelectionGeometry {
  int e;             // soft bits received for the block
  int modulation_order;
  int k0;
  int ncb;
  int filler_begin;  // filler bits occupy d[filler_begin, filler_end)
  int filler_end;
};

AIRAN_HD bool is_filler(const SelectionGeometry& g, int p) { return p >= g.filler_begin && p < g.filler_end; }

// Rank of a non-filler position among the non-filler positions of [0, N_cb).
AIRAN_HD int circle_rank(const SelectionGeometry& g, int p) {
  return p < g.filler_begin ? p : p - (g.filler_end - g.filler_begin);
}

// The first selection index k that reads position p, or -1 when no bit ever does (p a filler
// position or beyond N_cb). A k0 inside the filler run starts at the run's end.
AIRAN_HD int first_selection_index(const SelectionGeometry& g, int p) {
  if (p >= g.ncb || is_filler(g, p)) return -1;
  const int circle = g.ncb - (g.filler_end - g.filler_begin);
  int start = g.k0;
  if (is_filler(g, start)) start = g.filler_end >= g.ncb ? 0 : g.filler_end;
  const int k = circle_rank(g, p) - circle_rank(g, start);
  return k < 0 ? k + circle : k;
}

AIRAN_HD int selection_period(const SelectionGeometry& g) { return g.ncb - (g.filler_end - g.filler_begin); }

// Bit interleaving of 5.4.2.2: selection index k sits at f[(k mod E/Qm) Qm + k div (E/Qm)].
AIRAN_HD int interleaved_index(int k, int e, int modulation_order) {
  const int per_row = e / modulation_order;
  return (k % per_row) * modulation_order + k / per_row;
}

AIRAN_HD std::int8_t saturating_llr_add(int a, int b) {
  const int sum = a + b;
  return static_cast<std::int8_t>(sum < -ldpc_math::kLlrLimit ? -ldpc_math::kLlrLimit
                                                              : (sum > ldpc_math::kLlrLimit ? ldpc_math::kLlrLimit : sum));
}

// The soft-buffer value of position p after receiving f: filler positions hold the known 0
// (+127); with `combine` the previous value (earlier redundancy versions) is the start, else 0.
AIRAN_HD std::int8_t recovered_llr(const SelectionGeometry& g, const std::int8_t* f, int p, std::int8_t previous,
                                  bool combine) {
  if (is_filler(g, p)) return static_cast<std::int8_t>(ldpc_math::kLlrLimit);
  int value = combine ? previous : 0;
  const int first = first_selection_index(g, p);
  if (first < 0) return static_cast<std::int8_t>(value);
  const int period = selection_period(g);
  for (int k = first; k < g.e; k += period) value = saturating_llr_add(value, f[interleaved_index(k, g.e, g.modulation_order)]);
  return static_cast<std::int8_t>(value);
}

}  // namespace airan::phy::rate_recovery_math
