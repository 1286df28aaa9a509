// The body of the GPU LDPC decoding kernel, written as per-thread functions that the CUDA
// kernel (phy/src/cuda/gpu_ldpc_decoder.cu) calls with threadIdx.x and that a host loop calls
// for every thread in turn (emulate_gpu_ldpc_kernel), so that the GPU's indexing and arithmetic
// are tested on machines without a GPU.
//
// Kernel layout: one thread block per code block; thread `lane` owns check `lane` of every
// block row (lanes >= Z idle but take part in every barrier). Block rows are processed in order
// (layered schedule) with a barrier between rows: within a row the Z checks touch distinct
// a-posteriori values (a column appears once per row and a cyclic shift is a permutation), but
// the next row reads values other threads just wrote.
//
// Memory of one code block:
//   app      int16 [column][Z] for the columns in use, in shared memory (<= 68 * 384 * 2 bytes);
//   messages int8  [edge][Z] for the edges in use, in global memory (<= 316 * 384 bytes per
//            block; too large for shared memory next to app), each thread touching only its lane;
//   the graph comes from the table of every (base graph, Z) uploaded at creation.
#pragma once

#include <cstddef>
#include <cstdint>

#include "airan/phy/coding/ldpc_graph.hpp"
#include "airan/phy/detail/crc_math.hpp"
#include "airan/phy/detail/ldpc_min_sum_math.hpp"

namespace airan::phy::gpu_ldpc {

inline constexpr int kNumLiftedGraphs = 2 * static_cast<int>(kLiftingSizes.size());  // 102
inline constexpr int kMaxThreadsPerBlock = kMaxLiftingSize;                           // 384
// Per code block: the message area and the hard-decision slot are fixed-size, so a block's
// place in the device buffers depends only on its index in the launch.
inline constexpr std::size_t kMessageBytesPerBlock =
    static_cast<std::size_t>(ldpc_math::kMaxBaseGraphEdges) * kMaxLiftingSize;
inline constexpr std::size_t kBitsPerBlockSlot = ldpc_math::kMaxInfoBits;
inline constexpr std::size_t kMaxAppBytes =
    static_cast<std::size_t>(ldpc_math::kMaxBaseGraphColumns) * kMaxLiftingSize * sizeof(std::int16_t);

// One lifted graph (base graph, Z) of the device table; its edges are
// edges[first_edge + row_begin[row] .. first_edge + row_begin[row + 1]).
struct LiftedGraph {
  std::uint32_t first_edge;
  std::uint16_t z;
  std::uint8_t base_graph;  // 1 or 2
  std::uint8_t info_cols;
  std::uint16_t row_begin[47];
};

// Index of (bg, z) in the table: BG1's 51 lifting sizes, then BG2's. -1 for no lifting size.
int lifted_graph_index(BaseGraph bg, int z);

// What the kernel needs of one code block, filled by setup on the host and copied to the
// device before every launch. Plain integers only: the layout is the same on both sides.
struct BlockDescriptor {
  std::uint32_t llr_offset;      // first soft bit of d in the LLR buffer
  std::uint32_t llr_count;       // soft bits of d received; the rest count as punctured (0)
  std::uint16_t graph_index;     // into the lifted-graph table
  std::uint8_t rows;             // block rows decoded: graph.rows_covering(llr_count)
  std::uint8_t max_iterations;   // 1..100
  std::uint8_t early_stop;       // 0 or 1
  std::uint8_t scaling_x16;      // resolved (never 0)
  std::uint8_t offset;
  std::uint8_t crc_type;         // CrcType of the block's CRC when crc_bits > 0
  std::uint16_t crc_bits;        // K': the leading bits of c the CRC covers, its parity last; 0 = no check
  std::uint16_t reserved = 0;
};
static_assert(sizeof(BlockDescriptor) == 20);

// What the kernel reports per code block (the hard decisions go to their own buffer).
struct BlockOutcome {
  std::int32_t iterations;
  std::int32_t parity_ok;
  std::uint32_t crc_remainder;  // crc_compute() of the K' decided bits: 0 when the CRC checks
  std::int32_t crc_checked;
};

// crc_tables[type * kMaxInfoBits + j] = x^(j + L) mod g(x) of CRC `type`: the CRC of a single
// 1 followed by j zeros (see detail/crc_math.hpp).
inline constexpr int kCrcTypes = 6;

struct KernelParams {
  const LiftedGraph* graphs;
  const LdpcEdge* edges;
  const BlockDescriptor* blocks;
  const std::int8_t* llrs;
  std::int8_t* messages;  // kMessageBytesPerBlock per code block
  std::uint8_t* bits;     // kBitsPerBlockSlot per code block: K hard decisions
  BlockOutcome* outcomes;
  const std::uint32_t* crc_tables;  // kCrcTypes * kMaxInfoBits
};

// Values every thread of a code block derives from its descriptor and graph.
struct BlockView {
  const BlockDescriptor* block;
  const LiftedGraph* graph;
  const LdpcEdge* edges;   // this graph's edges, by row
  std::int8_t* messages;   // this block's messages, [edge][z]
  int z;
  int columns;             // info columns + decoded rows: the columns with a-posteriori values
};

AIRAN_HD BlockView block_view(const KernelParams& p, int block_index) {
  BlockView v;
  v.block = p.blocks + block_index;
  v.graph = p.graphs + v.block->graph_index;
  v.edges = p.edges + v.graph->first_edge;
  v.messages = p.messages + static_cast<std::size_t>(block_index) * kMessageBytesPerBlock;
  v.z = v.graph->z;
  v.columns = v.graph->info_cols + v.block->rows;
  return v;
}

// Phase "load": the channel values of check lane's bit in every column in use, and zero
// messages. Columns 0 and 1 are never transmitted; column j >= 2 starts at d[(j - 2) Z].
AIRAN_HD void load_lane(const KernelParams& p, const BlockView& v, int lane, std::int16_t* app) {
  const std::int8_t* llrs = p.llrs + v.block->llr_offset;
  const int available = static_cast<int>(v.block->llr_count);
  for (int col = 0; col < v.columns; ++col) {
    const int index = (col - 2) * v.z + lane;
    app[col * v.z + lane] = col >= 2 && index < available ? ldpc_math::initial_app(llrs[index]) : std::int16_t{0};
  }
  const int edge_count = v.graph->row_begin[v.block->rows];
  for (int e = 0; e < edge_count; ++e) v.messages[static_cast<std::size_t>(e) * v.z + lane] = 0;
}

// Phase "row": one layered min-sum update of check `lane` of block row `row`.
AIRAN_HD void update_check(const BlockView& v, int row, int lane, std::int16_t* app) {
  const int first_edge = v.graph->row_begin[row];
  const int degree = v.graph->row_begin[row + 1] - first_edge;
  const LdpcEdge* edges = v.edges + first_edge;
  std::int8_t* messages = v.messages + static_cast<std::size_t>(first_edge) * v.z + lane;
  ldpc_math::MinSumAccumulator acc;
  for (int j = 0; j < degree; ++j) {
    const int a = app[edges[j].col * v.z + ldpc_math::cyclic_index(lane, edges[j].shift, v.z)];
    ldpc_math::accumulate(acc, ldpc_math::variable_to_check(a, messages[j * v.z]).narrow, j);
  }
  const int magnitude1 = ldpc_math::scale_offset_magnitude(acc.min1, v.block->scaling_x16, v.block->offset);
  const int magnitude2 = ldpc_math::scale_offset_magnitude(acc.min2, v.block->scaling_x16, v.block->offset);
  // The a-posteriori values this thread read are its own within the row (no other thread
  // writes them before the barrier), so the variable-to-check values are recomputed rather
  // than kept in a per-thread array of up to 19 entries.
  for (int j = 0; j < degree; ++j) {
    std::int16_t& a = app[edges[j].col * v.z + ldpc_math::cyclic_index(lane, edges[j].shift, v.z)];
    std::int8_t& m = messages[j * v.z];
    const ldpc_math::VariableToCheck t = ldpc_math::variable_to_check(a, m);
    const int message = ldpc_math::check_to_variable(acc, magnitude1, magnitude2, t.narrow, j);
    m = static_cast<std::int8_t>(message);
    a = ldpc_math::updated_app(t.wide, message);
  }
}

// Phase "parity": true when the hard decisions violate check `lane` of any decoded row.
AIRAN_HD bool lane_violates_parity(const BlockView& v, int lane, const std::int16_t* app) {
  for (int row = 0; row < v.block->rows; ++row) {
    int parity = 0;
    for (int e = v.graph->row_begin[row]; e < v.graph->row_begin[row + 1]; ++e) {
      parity ^= ldpc_math::hard_decision(app[v.edges[e].col * v.z + ldpc_math::cyclic_index(lane, v.edges[e].shift, v.z)]);
    }
    if (parity != 0) return true;
  }
  return false;
}

// Phase "store": the K hard decisions of bit lane of every information column.
AIRAN_HD void store_lane_decisions(const KernelParams& p, const BlockView& v, int block_index, int lane,
                                   const std::int16_t* app) {
  std::uint8_t* bits = p.bits + static_cast<std::size_t>(block_index) * kBitsPerBlockSlot;
  for (int col = 0; col < v.graph->info_cols; ++col) bits[col * v.z + lane] = ldpc_math::hard_decision(app[col * v.z + lane]);
}

// Phase "crc": the XOR of the CRC contributions of lane's decided bits among the first K'.
AIRAN_HD std::uint32_t lane_crc_contribution(const KernelParams& p, const BlockView& v, int lane,
                                             const std::int16_t* app) {
  const int covered = v.block->crc_bits;
  const std::uint32_t* table = p.crc_tables + static_cast<std::size_t>(v.block->crc_type) * ldpc_math::kMaxInfoBits;
  std::uint32_t crc = 0;
  for (int col = 0; col < v.graph->info_cols; ++col) {
    const int bit = col * v.z + lane;
    if (bit >= covered) break;
    if (ldpc_math::hard_decision(app[bit]) != 0) crc ^= crc_math::bit_contribution(table, covered, bit);
  }
  return crc;
}

// The whole decoding of one code block, as the sequence of phases between barriers.
// `Threads` runs a per-lane function on every thread and then waits at a barrier:
//   for_each_lane(f): f(lane) on every lane, then the barrier (__syncthreads);
//   any_lane(f): the OR of f(lane) over the lanes, known to all after the barrier (__syncthreads_or);
//   xor_lanes(f): the XOR of f(lane) (uint32) over the lanes, known to all after a barrier.
// Every branch below depends only on values that are the same for all threads of the block,
// so every thread reaches every barrier.
template <typename Threads>
AIRAN_HD void decode_code_block(const KernelParams& p, int block_index, Threads& threads, std::int16_t* app) {
  const BlockView v = block_view(p, block_index);
  threads.for_each_lane([&](int lane) {
    if (lane < v.z) load_lane(p, v, lane, app);
  });
  const int max_iterations = v.block->max_iterations;
  const bool early_stop = v.block->early_stop != 0;
  int iterations = 0;
  bool parity_ok = false;
  for (int iteration = 0; iteration < max_iterations; ++iteration) {
    for (int row = 0; row < v.block->rows; ++row) {
      threads.for_each_lane([&](int lane) {
        if (lane < v.z) update_check(v, row, lane, app);
      });
    }
    iterations = iteration + 1;
    if (early_stop || iterations == max_iterations) {
      parity_ok = !threads.any_lane([&](int lane) { return lane < v.z && lane_violates_parity(v, lane, app); });
      if (parity_ok && early_stop) break;
    }
  }
  const bool check_crc = v.block->crc_bits > 0;
  std::uint32_t crc = 0;
  if (check_crc) {
    crc = threads.xor_lanes([&](int lane) { return lane < v.z ? lane_crc_contribution(p, v, lane, app) : 0U; });
  }
  threads.for_each_lane([&](int lane) {
    if (lane < v.z) store_lane_decisions(p, v, block_index, lane, app);
    if (lane == 0) p.outcomes[block_index] = BlockOutcome{iterations, parity_ok ? 1 : 0, crc, check_crc ? 1 : 0};
  });
}

// The host's stand-in for a thread block: runs each phase for every lane, one after the other.
// The GPU runs the lanes of a phase in no defined order; running them forwards and backwards
// here and getting the same result shows that no lane of a phase depends on another's writes.
struct SequentialThreads {
  int threads;
  bool reversed = false;
  template <typename F>
  void for_each_lane(F&& f) {
    for (int i = 0; i < threads; ++i) f(reversed ? threads - 1 - i : i);
  }
  template <typename F>
  bool any_lane(F&& f) {
    bool any = false;
    for (int i = 0; i < threads; ++i) any = f(reversed ? threads - 1 - i : i) || any;
    return any;
  }
  template <typename F>
  std::uint32_t xor_lanes(F&& f) {
    std::uint32_t x = 0;
    for (int i = 0; i < threads; ++i) x ^= f(reversed ? threads - 1 - i : i);
    return x;
  }
};

}  // namespace airan::phy::gpu_ldpc
