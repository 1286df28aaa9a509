// GpuLdpcDecoder on CUDA: buffers and the graph table made once at create, one kernel launch
// per run decoding every code block of the launch (kernel body: detail/gpu_ldpc_kernel.hpp).
#include <cuda_runtime.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "cuda_support.cuh"
#include "airan/phy/cuda/gpu_ldpc_decoder.hpp"
#include "airan/phy/detail/gpu_ldpc_host.hpp"
#include "airan/phy/gpu.hpp"

namespace airan::phy {
namespace {

// A thread block as decode_code_block sees it: the lane is threadIdx.x, the phase boundaries
// are block barriers. __host__ __device__ only so that the shared template compiles for both
// sides; it is instantiated from the kernel alone.
struct BlockThreads {
  template <typename F>
  __host__ __device__ void for_each_lane(F&& f) {
#if defined(__CUDA_ARCH__)
    f(static_cast<int>(threadIdx.x));
    __syncthreads();
#endif
  }
  template <typename F>
  __host__ __device__ bool any_lane(F&& f) {
#if defined(__CUDA_ARCH__)
    return __syncthreads_or(f(static_cast<int>(threadIdx.x)) ? 1 : 0) != 0;
#else
    return false;
#endif
  }
  // Within each warp by shuffles, then across the (at most 12) warps through shared memory.
  template <typename F>
  __host__ __device__ std::uint32_t xor_lanes(F&& f) {
#if defined(__CUDA_ARCH__)
    __shared__ std::uint32_t warp_values[gpu_ldpc::kMaxThreadsPerBlock / 32];
    std::uint32_t value = f(static_cast<int>(threadIdx.x));
    for (int offset = 16; offset > 0; offset /= 2) value ^= __shfl_xor_sync(0xFFFFFFFFU, value, offset);
    if (threadIdx.x % 32 == 0) warp_values[threadIdx.x / 32] = value;
    __syncthreads();
    std::uint32_t total = 0;
    for (unsigned w = 0; w < blockDim.x / 32; ++w) total ^= warp_values[w];
    __syncthreads();  // warp_values may be written again by a later call
    return total;
#else
    return 0;
#endif
  }
};

__global__ void __launch_bounds__(gpu_ldpc::kMaxThreadsPerBlock) decode_code_blocks(gpu_ldpc::KernelParams params) {
  extern __shared__ __align__(16) std::int16_t app[];
  BlockThreads threads;
  gpu_ldpc::decode_code_block(params, static_cast<int>(blockIdx.x), threads, app);
}

Error cuda_error(const char* what, cudaError_t status) {
  return Error{std::string("GPU LDPC decoder: ") + what + ": " + cudaGetErrorString(status)};
}

}  // namespace

struct GpuLdpcDecoder::Impl {
  GpuLdpcDecoderConfig config;
  cudaStream_t stream = nullptr;
  bool owns_stream = false;
  cudaEvent_t descriptors_copied = nullptr;  // the pinned descriptors may be rewritten after it
  gpu_ldpc::LiftedGraph* device_graphs = nullptr;
  LdpcEdge* device_edges = nullptr;
  std::uint32_t* device_crc_tables = nullptr;
  gpu_ldpc::BlockDescriptor* device_descriptors = nullptr;
  gpu_ldpc::BlockDescriptor* host_descriptors = nullptr;  // pinned
  std::int8_t* device_llrs = nullptr;
  std::int8_t* host_llrs = nullptr;  // pinned
  std::int8_t* device_messages = nullptr;
  std::uint8_t* device_bits = nullptr;
  std::uint8_t* host_bits = nullptr;  // pinned
  gpu_ldpc::BlockOutcome* device_outcomes = nullptr;
  gpu_ldpc::BlockOutcome* host_outcomes = nullptr;  // pinned
  std::vector<gpu_ldpc::BlockDescriptor> staged;    // setup validates into this first
  std::vector<int> info_bits;                       // K per set-up block
  gpu_ldpc::LaunchShape shape;
  bool descriptors_pending = false;  // setup ran since the last run
  cuda_support::Allocations memory{"GPU LDPC decoder"};  // freed after the destructor's body

  ~Impl() {
    if (stream != nullptr) cudaStreamSynchronize(stream);
    if (descriptors_copied != nullptr) cudaEventDestroy(descriptors_copied);
    if (owns_stream && stream != nullptr) cudaStreamDestroy(stream);
  }
};

GpuLdpcDecoder::GpuLdpcDecoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpuLdpcDecoder::GpuLdpcDecoder(GpuLdpcDecoder&&) noexcept = default;
GpuLdpcDecoder& GpuLdpcDecoder::operator=(GpuLdpcDecoder&&) noexcept = default;
GpuLdpcDecoder::~GpuLdpcDecoder() = default;

Expected<GpuLdpcDecoder> GpuLdpcDecoder::create(const GpuLdpcDecoderConfig& config, void* stream) {
  if (Status s = validate(config); !s) return s.error();
  const GpuInfo& gpu = detect_gpu();
  if (!gpu.available) return Error{"GPU LDPC decoder: no usable GPU: " + gpu.reason};

  auto impl = std::make_unique<Impl>();
  impl->config = config;
  const auto blocks = static_cast<std::size_t>(config.max_code_blocks);
  const std::size_t llrs = blocks * static_cast<std::size_t>(config.max_llrs_per_block);
  const gpu_ldpc::LiftedGraphTable& table = gpu_ldpc::lifted_graph_table();
  const std::size_t graph_bytes = table.graphs.size() * sizeof(gpu_ldpc::LiftedGraph);
  const std::size_t edge_bytes = table.edges.size() * sizeof(LdpcEdge);
  const std::vector<std::uint32_t>& crc_tables = gpu_ldpc::crc_bit_tables();
  const std::size_t crc_bytes = crc_tables.size() * sizeof(std::uint32_t);

  cudaError_t status = cudaSuccess;
  auto step = [&status](cudaError_t s) {
    if (status == cudaSuccess) status = s;
  };
  if (stream != nullptr) {
    impl->stream = static_cast<cudaStream_t>(stream);
  } else {
    step(cudaStreamCreateWithFlags(&impl->stream, cudaStreamNonBlocking));
    impl->owns_stream = status == cudaSuccess;
  }
  step(cudaEventCreateWithFlags(&impl->descriptors_copied, cudaEventDisableTiming));
  if (status != cudaSuccess) return cuda_error("creating the stream and event", status);
  cuda_support::Allocations& memory = impl->memory;
  const Status allocations[] = {
      memory.device(impl->device_graphs, table.graphs.size(), "lifted graphs"),
      memory.device(impl->device_edges, table.edges.size(), "edges"),
      memory.device(impl->device_crc_tables, crc_tables.size(), "CRC tables"),
      memory.device(impl->device_descriptors, blocks, "descriptors"),
      memory.device(impl->device_llrs, llrs, "soft bits"),
      memory.device(impl->device_messages, blocks * gpu_ldpc::kMessageBytesPerBlock, "messages"),
      memory.device(impl->device_bits, blocks * gpu_ldpc::kBitsPerBlockSlot, "hard decisions"),
      memory.device(impl->device_outcomes, blocks, "outcomes"),
      memory.pinned(impl->host_descriptors, blocks, "pinned descriptors"),
      memory.pinned(impl->host_llrs, llrs, "pinned soft bits"),
      memory.pinned(impl->host_bits, blocks * gpu_ldpc::kBitsPerBlockSlot, "pinned hard decisions"),
      memory.pinned(impl->host_outcomes, blocks, "pinned outcomes"),
  };
  for (const Status& s : allocations) {
    if (!s) return s.error();
  }
  // The largest a-posteriori area (BG1, Z = 384: 52 KB) is above the default 48 KB of
  // dynamic shared memory per block.
  step(cudaFuncSetAttribute(decode_code_blocks, cudaFuncAttributeMaxDynamicSharedMemorySize,
                            static_cast<int>(gpu_ldpc::kMaxAppBytes)));
  if (status != cudaSuccess) return cuda_error("allowing 52 KB of shared memory per block", status);
  step(cudaMemcpy(impl->device_graphs, table.graphs.data(), graph_bytes, cudaMemcpyHostToDevice));
  step(cudaMemcpy(impl->device_edges, table.edges.data(), edge_bytes, cudaMemcpyHostToDevice));
  step(cudaMemcpy(impl->device_crc_tables, crc_tables.data(), crc_bytes, cudaMemcpyHostToDevice));
  if (status != cudaSuccess) return cuda_error("uploading the lifted graphs and CRC tables", status);
  std::memset(impl->host_llrs, 0, llrs);
  impl->staged.resize(blocks);
  impl->info_bits.resize(blocks);
  return GpuLdpcDecoder(std::move(impl));
}

std::span<Llr> GpuLdpcDecoder::host_llrs() {
  return {impl_->host_llrs, static_cast<std::size_t>(impl_->config.max_code_blocks) *
                                static_cast<std::size_t>(impl_->config.max_llrs_per_block)};
}
void* GpuLdpcDecoder::device_llrs() { return impl_->device_llrs; }
void* GpuLdpcDecoder::stream() const { return impl_->stream; }
std::optional<bool> GpuLdpcDecoder::crc_ok(int block) const {
  if (block < 0 || block >= impl_->shape.block_count) return std::nullopt;
  const gpu_ldpc::BlockOutcome& o = impl_->host_outcomes[block];
  if (o.crc_checked == 0) return std::nullopt;
  return o.crc_remainder == 0;
}
int GpuLdpcDecoder::block_count() const { return impl_->shape.block_count; }

Status GpuLdpcDecoder::setup(std::span<const GpuLdpcCodeBlock> blocks) {
  Impl& d = *impl_;
  gpu_ldpc::LaunchShape shape;
  if (Status s = gpu_ldpc::fill_descriptors(d.config, blocks, d.staged, shape); !s) return s;
  // The previous run's descriptor copy reads the pinned array asynchronously.
  if (cudaError_t s = cudaEventSynchronize(d.descriptors_copied); s != cudaSuccess) {
    return cuda_error("waiting for the previous descriptor copy", s);
  }
  std::copy_n(d.staged.begin(), blocks.size(), d.host_descriptors);
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    d.info_bits[i] = base_graph_shape(blocks[i].base_graph).info_cols * blocks[i].z;
  }
  d.shape = shape;
  d.descriptors_pending = true;
  return Status::ok();
}

Status GpuLdpcDecoder::upload_llrs() {
  Impl& d = *impl_;
  if (d.shape.block_count == 0) return Error{"GPU LDPC upload_llrs: setup has not run"};
  const cudaError_t s =
      cudaMemcpyAsync(d.device_llrs, d.host_llrs, d.shape.llr_extent, cudaMemcpyHostToDevice, d.stream);
  return s == cudaSuccess ? Status::ok() : Status(cuda_error("copying soft bits to the device", s));
}

Status GpuLdpcDecoder::run() {
  Impl& d = *impl_;
  if (d.shape.block_count == 0) return Error{"GPU LDPC run: setup has not run"};
  cudaError_t s = cudaMemcpyAsync(d.device_descriptors, d.host_descriptors,
                                  static_cast<std::size_t>(d.shape.block_count) * sizeof(gpu_ldpc::BlockDescriptor),
                                  cudaMemcpyHostToDevice, d.stream);
  // An event recorded while the stream is captured cannot be waited on afterwards
  // (cudaErrorCapturedEvent): a caller replaying a graph orders setup after the previous
  // replay itself (it must wait for the results anyway).
  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  if (s == cudaSuccess) s = cudaStreamIsCapturing(d.stream, &capture);
  if (s == cudaSuccess && capture == cudaStreamCaptureStatusNone) s = cudaEventRecord(d.descriptors_copied, d.stream);
  if (s != cudaSuccess) return cuda_error("copying descriptors", s);
  const gpu_ldpc::KernelParams params{d.device_graphs, d.device_edges,   d.device_descriptors, d.device_llrs,
                                      d.device_messages, d.device_bits, d.device_outcomes, d.device_crc_tables};
  decode_code_blocks<<<d.shape.block_count, d.shape.threads_per_block, d.shape.shared_bytes, d.stream>>>(params);
  if (s = cudaGetLastError(); s != cudaSuccess) return cuda_error("launching the decoding kernel", s);
  d.descriptors_pending = false;
  return Status::ok();
}

Status GpuLdpcDecoder::download_results() {
  Impl& d = *impl_;
  if (d.shape.block_count == 0) return Error{"GPU LDPC download_results: setup has not run"};
  const auto blocks = static_cast<std::size_t>(d.shape.block_count);
  cudaError_t s = cudaMemcpyAsync(d.host_bits, d.device_bits, blocks * gpu_ldpc::kBitsPerBlockSlot,
                                  cudaMemcpyDeviceToHost, d.stream);
  if (s == cudaSuccess) {
    s = cudaMemcpyAsync(d.host_outcomes, d.device_outcomes, blocks * sizeof(gpu_ldpc::BlockOutcome),
                        cudaMemcpyDeviceToHost, d.stream);
  }
  return s == cudaSuccess ? Status::ok() : Status(cuda_error("copying results to the host", s));
}

Status GpuLdpcDecoder::download_outcomes() {
  Impl& d = *impl_;
  if (d.shape.block_count == 0) return Error{"GPU LDPC download_outcomes: setup has not run"};
  const cudaError_t s =
      cudaMemcpyAsync(d.host_outcomes, d.device_outcomes,
                      static_cast<std::size_t>(d.shape.block_count) * sizeof(gpu_ldpc::BlockOutcome),
                      cudaMemcpyDeviceToHost, d.stream);
  return s == cudaSuccess ? Status::ok() : Status(cuda_error("copying outcomes to the host", s));
}

const void* GpuLdpcDecoder::device_hard_bits() const { return impl_->device_bits; }
std::size_t GpuLdpcDecoder::hard_bits_stride() { return gpu_ldpc::kBitsPerBlockSlot; }

Status GpuLdpcDecoder::synchronize() {
  const cudaError_t s = cudaStreamSynchronize(impl_->stream);
  return s == cudaSuccess ? Status::ok() : Status(cuda_error("decoding", s));
}

std::span<const std::uint8_t> GpuLdpcDecoder::hard_bits(int block) const {
  if (block < 0 || block >= impl_->shape.block_count) return {};
  return {impl_->host_bits + static_cast<std::size_t>(block) * gpu_ldpc::kBitsPerBlockSlot,
          static_cast<std::size_t>(impl_->info_bits[static_cast<std::size_t>(block)])};
}

LdpcDecoderResult GpuLdpcDecoder::result(int block) const {
  if (block < 0 || block >= impl_->shape.block_count) return {};
  const gpu_ldpc::BlockOutcome& o = impl_->host_outcomes[block];
  return {o.iterations, o.parity_ok != 0};
}

}  // namespace airan::phy
