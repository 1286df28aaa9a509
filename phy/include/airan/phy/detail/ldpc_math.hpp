// The layered min-sum LDPC decoder of ldpc_decoder_kernel.hpp, one check at a time: check r
// (the "lane") of a block row, with the CPU kernel's integer arithmetic (int8 messages and
// variable-to-check values, int16 a-posteriori values, the same saturation, argmin tie rule
// and sign handling), so the GPU decoder's hard decisions equal the CPU decoder's bit for bit.
// The Z checks of a block row touch distinct a-posteriori values (each base-graph column
// appears once per row and a cyclic shift is a permutation), so they run in parallel; block
// rows run in order (layered schedule).
//
// a-posteriori values: app[col * z + i], the Z values of each column once (the CPU doubles
// them to make shifted windows contiguous; here the index wraps instead).
// messages: messages[edge * message_stride + r] for edge = first edge of the row + j.
#pragma once

#include <cstdint>

#include "airan/phy/coding/ldpc_graph.hpp"
#include "airan/phy/detail/hd.hpp"

namespace airan::phy::detail {

inline constexpr int kLdpcLlrMax = 127;

AIRAN_HD int ldpc_saturate8(int v) { return v < -128 ? -128 : (v > 127 ? 127 : v); }

// Check-node magnitude: max(0, round(m * scaling_x16 / 16) - offset), at most 127.
AIRAN_HD int ldpc_scale_offset(int magnitude, int scaling_x16, int offset) {
  const int v = (magnitude * scaling_x16 + 8 - 16 * offset) >> 4;
  return v < 0 ? 0 : (v > 127 ? 127 : v);
}

// The channel value of column col, row i: d[(col - 2) Z + i] clipped at -127; columns 0 and 1
// (never transmitted) and bits beyond the received ones are 0.
AIRAN_HD std::int16_t ldpc_initial_app(const std::int8_t* llrs, int available, int z, int col, int i) {
  const int index = (col - 2) * z + i;
  if (col < 2 || index >= available) return 0;
  const int v = llrs[index];
  return static_cast<std::int16_t>(v < -kLdpcLlrMax ? -kLdpcLlrMax : v);
}

AIRAN_HD int ldpc_wrap(int i, int z) { return i >= z ? i - z : i; }

// One layered min-sum update of check r of a block row (edges[0..degree), their messages from
// first_edge on).
AIRAN_HD void ldpc_update_check(const LdpcEdge* edges, int degree, int first_edge, int z, int r, std::int16_t* app,
                                std::int8_t* messages, int message_stride, int scaling_x16, int offset) {
  int min1 = kLdpcLlrMax;
  int min2 = kLdpcLlrMax;
  int argmin = 0;
  int sign = 0;
  for (int j = 0; j < degree; ++j) {
    const int a = app[edges[j].col * z + ldpc_wrap(r + edges[j].shift, z)];
    const int m = messages[static_cast<std::size_t>(first_edge + j) * message_stride + r];
    int t = ldpc_saturate8(a - m);
    t = t < -kLdpcLlrMax ? -kLdpcLlrMax : t;
    const int magnitude = t < 0 ? -t : t;
    if (min1 > magnitude) argmin = j;
    const int larger = min1 > magnitude ? min1 : magnitude;
    min2 = min2 < larger ? min2 : larger;
    min1 = min1 < magnitude ? min1 : magnitude;
    sign ^= t;
  }
  const int magnitude1 = ldpc_scale_offset(min1, scaling_x16, offset);
  const int magnitude2 = ldpc_scale_offset(min2, scaling_x16, offset);
  for (int j = 0; j < degree; ++j) {
    std::int16_t& a = app[edges[j].col * z + ldpc_wrap(r + edges[j].shift, z)];
    std::int8_t& m = messages[static_cast<std::size_t>(first_edge + j) * message_stride + r];
    const int t_wide = a - m;
    int t = ldpc_saturate8(t_wide);
    t = t < -kLdpcLlrMax ? -kLdpcLlrMax : t;
    const int magnitude = argmin == j ? magnitude2 : magnitude1;
    // The message's sign is the product of the other edges' signs.
    const int others_sign = (sign ^ t) | 1;
    const int message = others_sign < 0 ? -magnitude : magnitude;
    m = static_cast<std::int8_t>(message);
    a = static_cast<std::int16_t>(t_wide + message);
  }
}

// True when check r of the block row is violated by the hard decisions.
AIRAN_HD bool ldpc_check_violated(const LdpcEdge* edges, int degree, int z, int r, const std::int16_t* app) {
  int parity = 0;
  for (int j = 0; j < degree; ++j) parity ^= app[edges[j].col * z + ldpc_wrap(r + edges[j].shift, z)] < 0 ? 1 : 0;
  return parity != 0;
}

}  // namespace airan::phy::detail
