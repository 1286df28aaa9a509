#include "airan/phy/coding/ldpc_graph.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace airan::phy {
namespace {

struct BaseGraphCsvEntry {
  int row;
  int col;
  std::array<int, 8> shift_by_set;
};

#include "airan/phy/ldpc_base_graph_tables.inc"

constexpr int kNumBaseGraphs = 2;

struct GraphStore {
  std::vector<LdpcEdge> edges[kNumBaseGraphs][kLiftingSizes.size()];
  LdpcGraph graphs[kNumBaseGraphs][kLiftingSizes.size()];
};

template <std::size_t N>
void lift(std::span<const BaseGraphCsvEntry, N> entries, BaseGraph bg, int z, std::vector<LdpcEdge>& edges,
          LdpcGraph& graph) {
  const int set = lifting_set_index(z);
  edges.clear();
  edges.reserve(entries.size());
  for (const auto& e : entries) {
    edges.push_back({static_cast<std::uint8_t>(e.row), static_cast<std::uint8_t>(e.col),
                     static_cast<std::uint16_t>(e.shift_by_set[set] % z)});
  }
  std::sort(edges.begin(), edges.end(), [](const LdpcEdge& a, const LdpcEdge& b) {
    return a.row != b.row ? a.row < b.row : a.col < b.col;
  });
  graph.base_graph = bg;
  graph.z = z;
  graph.shape = base_graph_shape(bg);
  graph.edges = edges;
  for (int r = 0; r < static_cast<int>(graph.row_begin.size()); ++r) {
    const auto first = std::lower_bound(edges.begin(), edges.end(), r,
                                        [](const LdpcEdge& e, int row) { return e.row < row; });
    graph.row_begin[r] = static_cast<std::uint16_t>(first - edges.begin());
  }
}

const GraphStore& graph_store() {
  static const GraphStore* store = [] {
    auto* s = new GraphStore;  // lives for the whole process: graphs are referenced by span
    for (std::size_t i = 0; i < kLiftingSizes.size(); ++i) {
      lift(std::span{kBg1CsvEntries}, BaseGraph::bg1, kLiftingSizes[i], s->edges[0][i], s->graphs[0][i]);
      lift(std::span{kBg2CsvEntries}, BaseGraph::bg2, kLiftingSizes[i], s->edges[1][i], s->graphs[1][i]);
    }
    return s;
  }();
  return *store;
}

}  // namespace

std::string_view to_string(BaseGraph bg) { return bg == BaseGraph::bg1 ? "BG1" : "BG2"; }

int lifting_set_index(int z) {
  if (z < 2 || z > kMaxLiftingSize) return -1;
  static constexpr int kSetBase[8] = {2, 3, 5, 7, 9, 11, 13, 15};
  for (int set = 0; set < 8; ++set) {
    for (int value = kSetBase[set]; value <= kMaxLiftingSize; value *= 2) {
      if (value == z) return set;
    }
  }
  return -1;
}

BaseGraphShape base_graph_shape(BaseGraph bg) {
  return bg == BaseGraph::bg1 ? BaseGraphShape{46, 68, 22, 19} : BaseGraphShape{42, 52, 10, 10};
}

int LdpcGraph::rows_covering(int transmitted_bits) const {
  const int last_col = (transmitted_bits + 2 * z + z - 1) / z;  // columns 0 .. last_col-1 carry bits
  return std::clamp(last_col - shape.info_cols, 4, shape.rows);
}

Expected<const LdpcGraph*> ldpc_graph(BaseGraph bg, int z) {
  if (bg != BaseGraph::bg1 && bg != BaseGraph::bg2) {
    return Error{fmt::format("base graph {} is neither BG1 nor BG2", static_cast<int>(bg))};
  }
  const auto* it = std::find(kLiftingSizes.begin(), kLiftingSizes.end(), z);
  if (z < 0 || it == kLiftingSizes.end()) {
    return Error{fmt::format("lifting size Z={} is not one of the 51 sizes of TS 38.212 Table 5.3.2-1", z)};
  }
  const auto index = static_cast<std::size_t>(it - kLiftingSizes.begin());
  return &graph_store().graphs[bg == BaseGraph::bg1 ? 0 : 1][index];
}

}  // namespace airan::phy
