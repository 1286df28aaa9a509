// LDPC base graphs of TS 38.212 5.3.2 lifted to a lifting size Z.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "airan/phy/expected.hpp"

namespace airan::phy {

enum class BaseGraph : std::uint8_t { bg1 = 1, bg2 = 2 };

std::string_view to_string(BaseGraph bg);

// Table 5.3.2-1: the 51 lifting sizes, ascending.
inline constexpr std::array<std::uint16_t, 51> kLiftingSizes = {
    2,   3,   4,   5,   6,   7,   8,   9,   10,  11,  12,  13,  14,  15,  16,  18,  20,
    22,  24,  26,  28,  30,  32,  36,  40,  44,  48,  52,  56,  60,  64,  72,  80,  88,
    96,  104, 112, 120, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384};
inline constexpr int kMaxLiftingSize = 384;

// Set index iLS (0..7) of Table 5.3.2-1, or -1 when z is no lifting size.
int lifting_set_index(int z);
inline bool is_lifting_size(int z) { return lifting_set_index(z) >= 0; }

// Dimensions of a base graph (Tables 5.3.2-2/3).
struct BaseGraphShape {
  int rows;           // parity-check block rows
  int cols;           // variable block columns
  int info_cols;      // systematic columns (K = info_cols * Z)
  int max_row_degree;
};
BaseGraphShape base_graph_shape(BaseGraph bg);

// One non-zero Z x Z block of the lifted parity-check matrix: the identity
// cyclically shifted so that check r of block row `row` sees bit (r + shift) mod Z
// of block column `col`.
struct LdpcEdge {
  std::uint8_t row;
  std::uint8_t col;
  std::uint16_t shift;  // V(row, col) mod Z
};

// The parity-check matrix for one (base graph, Z): edges sorted by row, then column.
struct LdpcGraph {
  BaseGraph base_graph;
  int z;
  BaseGraphShape shape;
  std::span<const LdpcEdge> edges;
  std::array<std::uint16_t, 47> row_begin;  // edges of row i: [row_begin[i], row_begin[i+1])

  std::span<const LdpcEdge> row(int i) const {
    return edges.subspan(row_begin[i], row_begin[i + 1] - row_begin[i]);
  }
  int info_bits() const { return shape.info_cols * z; }            // K
  int codeword_bits() const { return (shape.cols - 2) * z; }       // N (first 2Z punctured)
  // Number of block rows whose parity column is needed so that the first
  // `transmitted_bits` bits of d (TS 38.212 5.3.2) are parity-checked.
  int rows_covering(int transmitted_bits) const;
};

// The lifted graph for (bg, z). The graphs of all 51 lifting sizes are built once,
// on first use, from the generated tables; later calls only look them up.
Expected<const LdpcGraph*> ldpc_graph(BaseGraph bg, int z);

}  // namespace airan::phy
