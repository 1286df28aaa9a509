// Host side of the GPU LDPC decoder (built with and without the CUDA backend, so the
// emulation test runs everywhere).
#include "airan/phy/detail/gpu_ldpc_host.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace airan::phy::gpu_ldpc {

int lifted_graph_index(BaseGraph bg, int z) {
  const auto* it = std::find(kLiftingSizes.begin(), kLiftingSizes.end(), z);
  if (it == kLiftingSizes.end() || (bg != BaseGraph::bg1 && bg != BaseGraph::bg2)) return -1;
  const int size_index = static_cast<int>(it - kLiftingSizes.begin());
  return (bg == BaseGraph::bg1 ? 0 : static_cast<int>(kLiftingSizes.size())) + size_index;
}

const LiftedGraphTable& lifted_graph_table() {
  static const LiftedGraphTable table = [] {
    LiftedGraphTable t;
    t.graphs.resize(kNumLiftedGraphs);
    for (BaseGraph bg : {BaseGraph::bg1, BaseGraph::bg2}) {
      for (int z : kLiftingSizes) {
        const LdpcGraph& g = **ldpc_graph(bg, z);
        LiftedGraph& lifted = t.graphs[static_cast<std::size_t>(lifted_graph_index(bg, z))];
        lifted.first_edge = static_cast<std::uint32_t>(t.edges.size());
        lifted.z = static_cast<std::uint16_t>(z);
        lifted.base_graph = static_cast<std::uint8_t>(bg);
        lifted.info_cols = static_cast<std::uint8_t>(g.shape.info_cols);
        std::copy(g.row_begin.begin(), g.row_begin.end(), lifted.row_begin);
        t.edges.insert(t.edges.end(), g.edges.begin(), g.edges.end());
      }
    }
    return t;
  }();
  return table;
}

const std::vector<std::uint32_t>& crc_bit_tables() {
  static const std::vector<std::uint32_t> tables = [] {
    std::vector<std::uint32_t> t(static_cast<std::size_t>(kCrcTypes) * ldpc_math::kMaxInfoBits);
    for (int type = 0; type < kCrcTypes; ++type) {
      const auto crc = static_cast<CrcType>(type);
      const std::uint8_t one = 1;
      const std::uint32_t generator = crc_compute(crc, std::span(&one, 1));  // x^L mod g
      std::uint32_t* table = t.data() + static_cast<std::size_t>(type) * ldpc_math::kMaxInfoBits;
      table[0] = generator;
      for (int j = 1; j < ldpc_math::kMaxInfoBits; ++j) table[j] = crc_math::times_x(table[j - 1], generator, crc_length(crc));
    }
    return t;
  }();
  return tables;
}

Status fill_descriptors(const GpuLdpcDecoderConfig& config, std::span<const GpuLdpcCodeBlock> blocks,
                        std::span<BlockDescriptor> descriptors, LaunchShape& shape) {
  if (blocks.empty()) return Error{"GPU LDPC setup: no code blocks"};
  if (blocks.size() > static_cast<std::size_t>(config.max_code_blocks) || blocks.size() > descriptors.size()) {
    return Error{fmt::format("GPU LDPC setup: {} code blocks, the decoder was created for at most {}", blocks.size(),
                             config.max_code_blocks)};
  }
  const std::size_t llr_capacity =
      static_cast<std::size_t>(config.max_code_blocks) * static_cast<std::size_t>(config.max_llrs_per_block);
  LaunchShape next;
  next.block_count = static_cast<int>(blocks.size());
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const GpuLdpcCodeBlock& b = blocks[i];
    const int index = lifted_graph_index(b.base_graph, b.z);
    if (index < 0) {
      return Error{fmt::format("GPU LDPC code block {}: base graph {} with Z={} is not a lifted graph of TS 38.212 "
                               "(BG1/BG2, Z one of the 51 lifting sizes)",
                               i, static_cast<int>(b.base_graph), b.z)};
    }
    const LdpcGraph& g = **ldpc_graph(b.base_graph, b.z);
    const int min_llrs = g.info_bits() - 2 * g.z;
    if (b.llr_count < min_llrs || b.llr_count > g.codeword_bits() || b.llr_count > config.max_llrs_per_block) {
      return Error{fmt::format("GPU LDPC code block {}: llr_count={} is outside {}..{} ({} Z={}: K-2Z..N, at most "
                               "max_llrs_per_block={})",
                               i, b.llr_count, min_llrs, g.codeword_bits(), to_string(b.base_graph), b.z,
                               config.max_llrs_per_block)};
    }
    if (b.llr_offset > llr_capacity || llr_capacity - b.llr_offset < static_cast<std::size_t>(b.llr_count)) {
      return Error{fmt::format("GPU LDPC code block {}: llr_offset={} + llr_count={} exceeds the LLR buffer ({} soft "
                               "bits)",
                               i, b.llr_offset, b.llr_count, llr_capacity)};
    }
    if (b.max_iterations < 1 || b.max_iterations > 100) {
      return Error{fmt::format("GPU LDPC code block {}: max_iterations={} is outside 1..100", i, b.max_iterations)};
    }
    const int crc_type = static_cast<int>(b.crc_type);
    if (crc_type < 0 || crc_type >= kCrcTypes) {
      return Error{fmt::format("GPU LDPC code block {}: crc_type={} is not a CRC of TS 38.212 5.1", i, crc_type)};
    }
    if (b.crc_bits != 0 && (b.crc_bits <= crc_length(b.crc_type) || b.crc_bits > g.info_bits())) {
      return Error{fmt::format("GPU LDPC code block {}: crc_bits={} is outside {}..K={} ({} parity bits of {}), or 0",
                               i, b.crc_bits, crc_length(b.crc_type) + 1, g.info_bits(), crc_length(b.crc_type),
                               to_string(b.crc_type))};
    }
    const int rows = g.rows_covering(b.llr_count);
    descriptors[i] = BlockDescriptor{
        .llr_offset = static_cast<std::uint32_t>(b.llr_offset),
        .llr_count = static_cast<std::uint32_t>(b.llr_count),
        .graph_index = static_cast<std::uint16_t>(index),
        .rows = static_cast<std::uint8_t>(rows),
        .max_iterations = static_cast<std::uint8_t>(b.max_iterations),
        .early_stop = static_cast<std::uint8_t>(b.early_stop ? 1 : 0),
        .scaling_x16 = static_cast<std::uint8_t>(ldpc_math::resolve_scaling_x16(config.scaling_x16, b.base_graph)),
        .offset = static_cast<std::uint8_t>(config.offset),
        .crc_type = static_cast<std::uint8_t>(crc_type),
        .crc_bits = static_cast<std::uint16_t>(b.crc_bits),
    };
    next.threads_per_block = std::max(next.threads_per_block, (b.z + 31) / 32 * 32);
    next.shared_bytes = std::max(next.shared_bytes, static_cast<std::size_t>(g.shape.info_cols + rows) *
                                                        static_cast<std::size_t>(b.z) * sizeof(std::int16_t));
    next.llr_extent = std::max(next.llr_extent, b.llr_offset + static_cast<std::size_t>(b.llr_count));
  }
  shape = next;
  return Status::ok();
}

void emulate_kernel(const KernelParams& params, const LaunchShape& shape, bool reversed) {
  // Test-only path: the stand-in for shared memory may allocate.
  std::vector<std::int16_t> app(kMaxAppBytes / sizeof(std::int16_t));
  for (int block = 0; block < shape.block_count; ++block) {
    // Shared memory is not initialised on the GPU: fill it with garbage so that a read
    // before the load phase would show.
    std::fill(app.begin(), app.end(), std::int16_t{0x5A5A});
    SequentialThreads threads{shape.threads_per_block, reversed};
    decode_code_block(params, block, threads, app.data());
  }
}

}  // namespace airan::phy::gpu_ldpc

namespace airan::phy {

Status validate(const GpuLdpcDecoderConfig& config) {
  if (config.max_code_blocks < 1 || config.max_code_blocks > 4096) {
    return Error{fmt::format("GPU LDPC max_code_blocks={} is outside 1..4096", config.max_code_blocks)};
  }
  if (config.max_llrs_per_block < 1 || config.max_llrs_per_block > ldpc_math::kMaxCodewordBits) {
    return Error{fmt::format("GPU LDPC max_llrs_per_block={} is outside 1..{} (N of BG1 at Z=384)",
                             config.max_llrs_per_block, ldpc_math::kMaxCodewordBits)};
  }
  if (config.scaling_x16 < 0 || config.scaling_x16 > 16) {
    return Error{fmt::format("GPU LDPC scaling_x16={} is outside 0..16 (0 = tuned per base graph, else factor/16)",
                             config.scaling_x16)};
  }
  if (config.offset < 0 || config.offset > 32) {
    return Error{fmt::format("GPU LDPC offset={} is outside 0..32", config.offset)};
  }
  return Status::ok();
}

}  // namespace airan::phy
