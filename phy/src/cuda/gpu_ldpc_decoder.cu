// GpuLdpcDecoder: one thread block per code block; its a-posteriori values (at most 68 columns
// x 384 int16, 52 KB) in shared memory, its check-to-variable messages in global memory, where
// thread r alone reads and writes the messages of check r (coalesced across the block). Thread
// r runs check r of each block row (detail::ldpc_update_check); a barrier separates the rows.
#include <cuda_runtime.h>

#include <algorithm>
#include <string>
#include <vector>

#include "airan/phy/cuda/gpu_ldpc_decoder.hpp"
#include "airan/phy/detail/ldpc_math.hpp"
#include "airan/phy/gpu.hpp"

namespace airan::phy {
namespace {

constexpr int kMaxColumns = 68;
constexpr int kMaxEdges = 316;          // BG1
constexpr int kMaxCodewordBits = 66 * kMaxLiftingSize;  // N of BG1 at Z = 384
constexpr int kMaxInfoBits = 22 * kMaxLiftingSize;
constexpr int kThreads = kMaxLiftingSize;
constexpr int kSharedBytes = kMaxColumns * kMaxLiftingSize * static_cast<int>(sizeof(std::int16_t));
constexpr int kMaxCodeBlocks = 1024;

struct GraphInfo {
  int edge_offset;
  std::uint16_t row_begin[47];
};

struct BlockDescriptor {
  int active;
  int graph;
  int z;
  int rows;
  int columns;
  int info_cols;
  int llr_count;
  int scaling_x16;
};

struct BlockResult {
  int iterations;
  int parity_ok;
};

struct LdpcBuffers {
  const BlockDescriptor* blocks;
  const GraphInfo* graphs;
  const LdpcEdge* edges;
  const std::int8_t* llrs;    // [block][kMaxCodewordBits]
  std::int8_t* messages;      // [block][kMaxEdges][z]
  std::uint8_t* bits;         // [block][kMaxInfoBits]
  BlockResult* results;       // [block]
  int offset;
  int max_iterations;
  int early_stop;
};

__global__ void __launch_bounds__(kThreads) ldpc_layered_min_sum_kernel(LdpcBuffers b) {
  const BlockDescriptor& d = b.blocks[blockIdx.x];
  if (!d.active) return;
  extern __shared__ std::int16_t app[];
  const GraphInfo& graph = b.graphs[d.graph];
  const LdpcEdge* edges = b.edges + graph.edge_offset;
  const int z = d.z;
  const int tid = static_cast<int>(threadIdx.x);
  const std::int8_t* llrs = b.llrs + static_cast<std::size_t>(blockIdx.x) * kMaxCodewordBits;
  std::int8_t* messages = b.messages + static_cast<std::size_t>(blockIdx.x) * kMaxEdges * kMaxLiftingSize;
  for (int i = tid; i < d.columns * z; i += blockDim.x) app[i] = detail::ldpc_initial_app(llrs, d.llr_count, z, i / z, i % z);
  const int edge_count = graph.row_begin[d.rows];
  if (tid < z) {
    for (int e = 0; e < edge_count; ++e) messages[e * z + tid] = 0;
  }
  __syncthreads();

  int iterations = 0;
  bool parity_ok = false;
  for (int iteration = 0; iteration < b.max_iterations; ++iteration) {
    for (int row = 0; row < d.rows; ++row) {
      const int first = graph.row_begin[row];
      if (tid < z) {
        detail::ldpc_update_check(edges + first, graph.row_begin[row + 1] - first, first, z, tid, app, messages, z,
                                  d.scaling_x16, b.offset);
      }
      __syncthreads();
    }
    iterations = iteration + 1;
    if (b.early_stop || iteration + 1 == b.max_iterations) {
      bool violated = false;
      if (tid < z) {
        for (int row = 0; row < d.rows && !violated; ++row) {
          const int first = graph.row_begin[row];
          violated = detail::ldpc_check_violated(edges + first, graph.row_begin[row + 1] - first, z, tid, app);
        }
      }
      parity_ok = __syncthreads_or(violated ? 1 : 0) == 0;  // the same verdict in every thread
      if (parity_ok && b.early_stop) break;
    }
  }
  std::uint8_t* bits = b.bits + static_cast<std::size_t>(blockIdx.x) * kMaxInfoBits;
  for (int i = tid; i < d.info_cols * z; i += blockDim.x) bits[i] = app[i] < 0 ? 1 : 0;
  if (tid == 0) b.results[blockIdx.x] = {iterations, parity_ok ? 1 : 0};
}

Status cuda_status(cudaError_t error, const char* what) {
  if (error == cudaSuccess) return Status::ok();
  return Error{std::string("GPU LDPC decoder: ") + what + ": " + cudaGetErrorString(error)};
}

}  // namespace

struct GpuLdpcDecoder::Impl {
  LdpcDecoderConfig config;
  int max_blocks = 0;
  cudaStream_t stream = nullptr;
  cudaEvent_t descriptors_copied = nullptr;
  bool descriptors_in_flight = false;
  LdpcBuffers buffers{};
  std::vector<void*> device_allocations;
  BlockDescriptor* host_blocks = nullptr;  // pinned
  std::uint8_t* host_bits = nullptr;       // pinned
  BlockResult* host_results = nullptr;     // pinned
  int graph_index_of[2][kMaxLiftingSize + 1] = {};
  int info_bits[kMaxCodeBlocks] = {};
  int blocks = 0;

  ~Impl() {
    for (void* p : device_allocations) cudaFree(p);
    if (host_blocks) cudaFreeHost(host_blocks);
    if (host_bits) cudaFreeHost(host_bits);
    if (host_results) cudaFreeHost(host_results);
    if (descriptors_copied) cudaEventDestroy(descriptors_copied);
    if (stream) cudaStreamDestroy(stream);
  }

  template <typename T>
  Status allocate(T*& out, std::size_t count, const char* what) {
    void* p = nullptr;
    if (Status s = cuda_status(cudaMalloc(&p, std::max<std::size_t>(count, 1) * sizeof(T)), what); !s) return s;
    device_allocations.push_back(p);
    out = static_cast<T*>(p);
    return Status::ok();
  }
};

GpuLdpcDecoder::GpuLdpcDecoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpuLdpcDecoder::~GpuLdpcDecoder() = default;

Expected<std::unique_ptr<GpuLdpcDecoder>> GpuLdpcDecoder::create(const LdpcDecoderConfig& config, int max_code_blocks) {
  const GpuInfo& gpu = detect_gpu();
  if (!gpu.available) return Error{"GPU LDPC decoder: no GPU: " + gpu.reason};
  if (Status s = validate(config); !s) return s.error();
  if (max_code_blocks < 1 || max_code_blocks > kMaxCodeBlocks) {
    return Error{"GPU LDPC decoder: max_code_blocks=" + std::to_string(max_code_blocks) + " is outside 1..1024"};
  }
  auto impl = std::make_unique<Impl>();
  Impl& m = *impl;
  m.config = config;
  m.max_blocks = max_code_blocks;

  // Every lifted graph of both base graphs, concatenated.
  std::vector<LdpcEdge> edges;
  std::vector<GraphInfo> graphs;
  for (BaseGraph bg : {BaseGraph::bg1, BaseGraph::bg2}) {
    for (std::uint16_t z : kLiftingSizes) {
      auto graph = ldpc_graph(bg, z);
      if (!graph) return graph.error();
      GraphInfo info{};
      info.edge_offset = static_cast<int>(edges.size());
      std::copy((*graph)->row_begin.begin(), (*graph)->row_begin.end(), info.row_begin);
      edges.insert(edges.end(), (*graph)->edges.begin(), (*graph)->edges.end());
      m.graph_index_of[bg == BaseGraph::bg1 ? 0 : 1][z] = static_cast<int>(graphs.size());
      graphs.push_back(info);
    }
  }

  const auto blocks = static_cast<std::size_t>(max_code_blocks);
  BlockDescriptor* device_blocks = nullptr;
  GraphInfo* device_graphs = nullptr;
  LdpcEdge* device_edges = nullptr;
  std::int8_t* device_llrs = nullptr;
  const Status steps[] = {
      cuda_status(cudaStreamCreateWithFlags(&m.stream, cudaStreamNonBlocking), "stream"),
      cuda_status(cudaEventCreateWithFlags(&m.descriptors_copied, cudaEventDisableTiming), "event"),
      m.allocate(device_blocks, blocks, "descriptors"),
      m.allocate(device_graphs, graphs.size(), "graphs"),
      m.allocate(device_edges, edges.size(), "edges"),
      m.allocate(device_llrs, blocks * kMaxCodewordBits, "LLRs"),
      m.allocate(m.buffers.messages, blocks * kMaxEdges * kMaxLiftingSize, "messages"),
      m.allocate(m.buffers.bits, blocks * kMaxInfoBits, "bits"),
      m.allocate(m.buffers.results, blocks, "results"),
      cuda_status(cudaMallocHost(reinterpret_cast<void**>(&m.host_blocks), blocks * sizeof(BlockDescriptor)),
                  "pinned descriptors"),
      cuda_status(cudaMallocHost(reinterpret_cast<void**>(&m.host_bits), blocks * kMaxInfoBits), "pinned bits"),
      cuda_status(cudaMallocHost(reinterpret_cast<void**>(&m.host_results), blocks * sizeof(BlockResult)),
                  "pinned results"),
  };
  for (const Status& step : steps) {
    if (!step) return step.error();
  }
  if (Status s = cuda_status(cudaMemcpy(device_graphs, graphs.data(), graphs.size() * sizeof(GraphInfo),
                                        cudaMemcpyHostToDevice),
                             "graph copy");
      !s) {
    return s.error();
  }
  if (Status s = cuda_status(cudaMemcpy(device_edges, edges.data(), edges.size() * sizeof(LdpcEdge),
                                        cudaMemcpyHostToDevice),
                             "edge copy");
      !s) {
    return s.error();
  }
  if (Status s = cuda_status(cudaMemset(device_blocks, 0, blocks * sizeof(BlockDescriptor)), "descriptors"); !s) {
    return s.error();
  }
  if (Status s = cuda_status(cudaFuncSetAttribute(ldpc_layered_min_sum_kernel,
                                                  cudaFuncAttributeMaxDynamicSharedMemorySize, kSharedBytes),
                             "shared memory size");
      !s) {
    return s.error();
  }
  m.buffers.blocks = device_blocks;
  m.buffers.graphs = device_graphs;
  m.buffers.edges = device_edges;
  m.buffers.llrs = device_llrs;
  m.buffers.offset = config.offset;
  m.buffers.max_iterations = config.max_iterations;
  m.buffers.early_stop = config.early_stop ? 1 : 0;
  return std::unique_ptr<GpuLdpcDecoder>(new GpuLdpcDecoder(std::move(impl)));
}

Status GpuLdpcDecoder::setup(std::span<const GpuLdpcCodeBlock> blocks) {
  Impl& m = *impl_;
  if (static_cast<int>(blocks.size()) > m.max_blocks) {
    return Error{"GPU LDPC decoder: " + std::to_string(blocks.size()) + " code blocks, created for at most " +
                 std::to_string(m.max_blocks)};
  }
  if (m.descriptors_in_flight) {
    if (Status s = cuda_status(cudaEventSynchronize(m.descriptors_copied), "previous descriptor copy"); !s) return s;
    m.descriptors_in_flight = false;
  }
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const GpuLdpcCodeBlock& block = blocks[i];
    const std::string name = "GPU LDPC decoder: code block " + std::to_string(i) + ": ";
    if (!is_lifting_size(block.z)) return Error{name + "Z=" + std::to_string(block.z) + " is no lifting size"};
    auto graph = ldpc_graph(block.base_graph, block.z);
    if (!graph) return Error{name + graph.error().message};
    const LdpcGraph& g = **graph;
    const int shortest = g.info_bits() - 2 * g.z;
    if (block.llr_count < shortest || block.llr_count > g.codeword_bits()) {
      return Error{name + std::to_string(block.llr_count) + " soft bits, outside K - 2Z .. N = " +
                   std::to_string(shortest) + " .. " + std::to_string(g.codeword_bits())};
    }
    BlockDescriptor& d = m.host_blocks[i];
    d.active = 1;
    d.graph = m.graph_index_of[block.base_graph == BaseGraph::bg1 ? 0 : 1][block.z];
    d.z = block.z;
    d.rows = g.rows_covering(block.llr_count);
    d.info_cols = g.shape.info_cols;
    d.columns = g.shape.info_cols + d.rows;
    d.llr_count = block.llr_count;
    d.scaling_x16 = m.config.scaling_x16 != 0                   ? m.config.scaling_x16
                    : block.base_graph == BaseGraph::bg1 ? kTunedScalingX16Bg1
                                                         : kTunedScalingX16Bg2;
  }
  for (int i = static_cast<int>(blocks.size()); i < m.max_blocks; ++i) m.host_blocks[i].active = 0;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    m.info_bits[i] = m.host_blocks[i].info_cols * m.host_blocks[i].z;
  }
  m.blocks = static_cast<int>(blocks.size());
  if (Status s = cuda_status(cudaMemcpyAsync(const_cast<BlockDescriptor*>(m.buffers.blocks), m.host_blocks,
                                             static_cast<std::size_t>(m.max_blocks) * sizeof(BlockDescriptor),
                                             cudaMemcpyHostToDevice, m.stream),
                             "descriptor copy");
      !s) {
    return s;
  }
  m.descriptors_in_flight = true;
  return cuda_status(cudaEventRecord(m.descriptors_copied, m.stream), "descriptor copy event");
}

Status GpuLdpcDecoder::upload_llrs(int block, std::span<const Llr> llrs) {
  Impl& m = *impl_;
  if (block < 0 || block >= m.blocks) {
    return Error{"GPU LDPC decoder: code block " + std::to_string(block) + " is not in the slot (" +
                 std::to_string(m.blocks) + " set up)"};
  }
  if (static_cast<int>(llrs.size()) != m.host_blocks[block].llr_count) {
    return Error{"GPU LDPC decoder: code block " + std::to_string(block) + ": " + std::to_string(llrs.size()) +
                 " soft bits, setup said " + std::to_string(m.host_blocks[block].llr_count)};
  }
  return cuda_status(cudaMemcpyAsync(const_cast<std::int8_t*>(m.buffers.llrs) +
                                         static_cast<std::size_t>(block) * kMaxCodewordBits,
                                     llrs.data(), llrs.size(), cudaMemcpyHostToDevice, m.stream),
                     "LLR copy");
}

void* GpuLdpcDecoder::device_llrs() { return const_cast<std::int8_t*>(impl_->buffers.llrs); }

Status GpuLdpcDecoder::run() {
  Impl& m = *impl_;
  ldpc_layered_min_sum_kernel<<<static_cast<unsigned>(m.max_blocks), kThreads, kSharedBytes, m.stream>>>(m.buffers);
  return cuda_status(cudaGetLastError(), "kernel launch");
}

Status GpuLdpcDecoder::copy_results_to_host() {
  Impl& m = *impl_;
  if (m.blocks == 0) return Status::ok();
  if (Status s = cuda_status(cudaMemcpyAsync(m.host_bits, m.buffers.bits, static_cast<std::size_t>(m.blocks) * kMaxInfoBits,
                                             cudaMemcpyDeviceToHost, m.stream),
                             "bit copy");
      !s) {
    return s;
  }
  return cuda_status(cudaMemcpyAsync(m.host_results, m.buffers.results,
                                     static_cast<std::size_t>(m.blocks) * sizeof(BlockResult), cudaMemcpyDeviceToHost,
                                     m.stream),
                     "result copy");
}

Status GpuLdpcDecoder::synchronize() { return cuda_status(cudaStreamSynchronize(impl_->stream), "synchronize"); }

std::span<const std::uint8_t> GpuLdpcDecoder::bits(int block) const {
  const Impl& m = *impl_;
  if (block < 0 || block >= m.blocks) return {};
  return {m.host_bits + static_cast<std::size_t>(block) * kMaxInfoBits, static_cast<std::size_t>(m.info_bits[block])};
}

LdpcDecoderResult GpuLdpcDecoder::result(int block) const {
  const Impl& m = *impl_;
  if (block < 0 || block >= m.blocks) return {};
  return {m.host_results[block].iterations, m.host_results[block].parity_ok != 0};
}

void* GpuLdpcDecoder::stream() const { return impl_->stream; }

}  // namespace airan::phy
