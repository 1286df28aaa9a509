// LDPC encoder of TS 38.212 5.3.2.
#pragma once

#include <cstdint>
#include <span>

#include "airan/phy/coding/ldpc_graph.hpp"

namespace airan::phy {

// Encodes one code block.
//   c: K = info_cols * Z unpacked information bits (filler bits given as 0).
//   d: the first d.size() bits of the codeword d_0.. of 5.3.2, i.e. the codeword
//      without its first 2Z systematic bits; d.size() in [K - 2Z, N]. Only the parity
//      rows needed to fill d are computed, so a high-rate block costs less.
// Allocation-free; uses a fixed scratch on the stack.
void ldpc_encode(const LdpcGraph& graph, std::span<const std::uint8_t> c, std::span<std::uint8_t> d);

}  // namespace airan::phy
