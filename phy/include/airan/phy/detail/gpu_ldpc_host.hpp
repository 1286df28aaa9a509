// Host side of the GPU LDPC decoder, shared by the CUDA implementation and the CPU emulation
// test: the lifted-graph table uploaded at creation, descriptor filling at setup, and the
// emulation of the kernel on the host.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "airan/phy/cuda/gpu_ldpc_decoder.hpp"
#include "airan/phy/detail/gpu_ldpc_kernel.hpp"
#include "airan/phy/expected.hpp"

namespace airan::phy::gpu_ldpc {

// Every (base graph, Z): graphs[lifted_graph_index(bg, z)], edges concatenated by graph.
struct LiftedGraphTable {
  std::vector<LiftedGraph> graphs;
  std::vector<LdpcEdge> edges;
};
// Built once per process from ldpc_graph(), so the shifts are the CPU decoder's.
const LiftedGraphTable& lifted_graph_table();

// KernelParams::crc_tables for every CrcType, derived from crc_compute() (so the generator
// polynomials are the CPU's): kCrcTypes * kMaxInfoBits values, built once per process.
const std::vector<std::uint32_t>& crc_bit_tables();

// What one launch needs besides the descriptors.
struct LaunchShape {
  int block_count = 0;
  int threads_per_block = 0;    // the largest Z rounded up to a warp
  std::size_t shared_bytes = 0;  // the largest a-posteriori area (columns in use * Z * 2)
  std::size_t llr_extent = 0;    // soft bits read: max(llr_offset + llr_count)
};

// Validates `blocks` against the decoder's limits and fills descriptors[0 .. blocks.size()).
// Errors name the block index and the field. Allocates nothing.
Status fill_descriptors(const GpuLdpcDecoderConfig& config, std::span<const GpuLdpcCodeBlock> blocks,
                        std::span<BlockDescriptor> descriptors, LaunchShape& shape);

// Runs the kernel body on the host: for each block, every phase over every thread of the
// launch shape (lanes in reverse order when `reversed`), a-posteriori values in host memory
// standing in for shared memory.
void emulate_kernel(const KernelParams& params, const LaunchShape& shape, bool reversed = false);

}  // namespace airan::phy::gpu_ldpc
