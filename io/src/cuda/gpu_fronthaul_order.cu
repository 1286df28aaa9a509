// GpuFronthaulOrder on CUDA: buffers made once at create; per slot a memset of the grid, one
// descriptor copy and one kernel (body: detail/gpu_fronthaul_order_kernel.hpp) that reads the
// compressed payload in place from the pinned, mapped host arena.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "airan/io/cuda/gpu_fronthaul_order.hpp"
#include "airan/io/detail/gpu_fronthaul_order_host.hpp"
#include "airan/phy/gpu.hpp"

namespace airan::io {
namespace {

namespace order = gpu_fronthaul_order;

__global__ void __launch_bounds__(order::kThreadsPerBlock) order_sections(order::KernelParams params) {
  order::order_re(params, static_cast<int>(blockIdx.y), static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x));
}

Error cuda_error(const char* what, cudaError_t status) {
  return Error{std::string("GPU fronthaul order: ") + what + ": " + cudaGetErrorString(status)};
}

// Staging layout (host pinned and device alike): the slot header, then max_sections descriptors.
std::size_t staging_bytes(const GpuFronthaulOrderLimits& limits) {
  return sizeof(order::SlotHeader) + static_cast<std::size_t>(limits.max_sections) * sizeof(order::Descriptor);
}

}  // namespace

struct GpuFronthaulOrder::Impl {
  GpuFronthaulOrderLimits limits;
  cudaStream_t stream = nullptr;
  bool owns_stream = false;
  cudaEvent_t staging_copied = nullptr;
  std::uint8_t* host_staging = nullptr;    // pinned
  std::uint8_t* device_staging = nullptr;
  std::uint8_t* host_arena = nullptr;      // pinned, mapped
  std::uint8_t* device_arena = nullptr;    // the same memory as the device addresses it
  std::size_t arena_bytes = 0;
  std::vector<std::uint64_t> written;      // setup's PRB bitmap
  std::vector<order::Descriptor> staged;   // setup validates into this, then copies to pinned
  bool set_up = false;

  ~Impl() {
    if (stream != nullptr) cudaStreamSynchronize(stream);
    cudaFree(device_staging);
    cudaFreeHost(host_staging);
    cudaFreeHost(host_arena);
    if (staging_copied != nullptr) cudaEventDestroy(staging_copied);
    if (owns_stream && stream != nullptr) cudaStreamDestroy(stream);
  }
};

GpuFronthaulOrder::GpuFronthaulOrder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpuFronthaulOrder::GpuFronthaulOrder(GpuFronthaulOrder&&) noexcept = default;
GpuFronthaulOrder& GpuFronthaulOrder::operator=(GpuFronthaulOrder&&) noexcept = default;
GpuFronthaulOrder::~GpuFronthaulOrder() = default;

Expected<GpuFronthaulOrder> GpuFronthaulOrder::create(const GpuFronthaulOrderLimits& limits, void* stream) {
  if (Status s = validate(limits); !s) return s.error();
  const phy::GpuInfo& gpu = phy::detect_gpu();
  if (!gpu.available) return Error{"GPU fronthaul order: no usable GPU: " + gpu.reason};
  auto impl = std::make_unique<Impl>();
  impl->limits = limits;
  impl->arena_bytes = static_cast<std::size_t>(limits.arena_slots) * limits.max_payload_bytes;
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
  step(cudaEventCreateWithFlags(&impl->staging_copied, cudaEventDisableTiming));
  step(cudaMallocHost(&impl->host_staging, staging_bytes(limits)));
  step(cudaMalloc(&impl->device_staging, staging_bytes(limits)));
  step(cudaHostAlloc(&impl->host_arena, impl->arena_bytes, cudaHostAllocMapped | cudaHostAllocPortable));
  if (status == cudaSuccess) {
    void* device = nullptr;
    step(cudaHostGetDevicePointer(&device, impl->host_arena, 0));
    impl->device_arena = static_cast<std::uint8_t*>(device);
  }
  if (status != cudaSuccess) return cuda_error("allocating buffers", status);
  std::memset(impl->host_staging, 0, staging_bytes(limits));  // section_count 0 until setup
  std::memset(impl->host_arena, 0, impl->arena_bytes);
  impl->written.assign(order::written_words(limits), 0);
  impl->staged.resize(static_cast<std::size_t>(limits.max_sections));
  return GpuFronthaulOrder(std::move(impl));
}

std::span<std::uint8_t> GpuFronthaulOrder::host_arena() { return {impl_->host_arena, impl_->arena_bytes}; }
void* GpuFronthaulOrder::stream() const { return impl_->stream; }
std::size_t GpuFronthaulOrder::grid_elements() const {
  const GpuFronthaulOrderLimits& l = impl_->limits;
  return static_cast<std::size_t>(l.ports) * static_cast<std::size_t>(l.symbols) * static_cast<std::size_t>(l.row_stride);
}

Status GpuFronthaulOrder::setup(std::span<const SectionDescriptor> sections, std::span<const std::uint8_t> payload) {
  Impl& d = *impl_;
  order::SlotHeader header{};
  if (Status s = order::fill_descriptors(d.limits, sections, payload, {d.host_arena, d.arena_bytes}, d.written, header,
                                         d.staged);
      !s) {
    return s;
  }
  // The previous run's copy may still be reading the pinned staging buffer.
  if (cudaError_t s = cudaEventSynchronize(d.staging_copied); s != cudaSuccess) {
    return cuda_error("waiting for the previous descriptor copy", s);
  }
  std::memcpy(d.host_staging, &header, sizeof header);
  if (!sections.empty()) {
    std::memcpy(d.host_staging + sizeof header, d.staged.data(), sections.size() * sizeof(order::Descriptor));
  }
  d.set_up = true;
  return Status::ok();
}

Status GpuFronthaulOrder::run(void* device_grid, std::size_t grid_capacity_elements) {
  Impl& d = *impl_;
  if (!d.set_up) return Error{"GPU fronthaul order run: setup has not run"};
  if (device_grid == nullptr || grid_capacity_elements < grid_elements()) {
    return Error{"GPU fronthaul order run: the grid holds " +
                 std::to_string(device_grid == nullptr ? 0 : grid_capacity_elements) + " complex floats, " +
                 std::to_string(grid_elements()) + " needed (ports x symbols x row_stride)"};
  }
  // Fixed sizes (whole grid, whole staging buffer) so a captured graph replays any slot.
  cudaError_t s = cudaMemsetAsync(device_grid, 0, grid_elements() * sizeof(phy::detail::ComplexF), d.stream);
  if (s != cudaSuccess) return cuda_error("clearing the grid", s);
  s = cudaMemcpyAsync(d.device_staging, d.host_staging, staging_bytes(d.limits), cudaMemcpyHostToDevice, d.stream);
  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  if (s == cudaSuccess) s = cudaStreamIsCapturing(d.stream, &capture);
  if (s == cudaSuccess && capture == cudaStreamCaptureStatusNone) s = cudaEventRecord(d.staging_copied, d.stream);
  if (s != cudaSuccess) return cuda_error("copying descriptors", s);
  const order::KernelParams params{
      reinterpret_cast<const order::SlotHeader*>(d.device_staging),
      reinterpret_cast<const order::Descriptor*>(d.device_staging + sizeof(order::SlotHeader)), d.device_arena,
      static_cast<phy::detail::ComplexF*>(device_grid), 1.0F / d.limits.iq_scale};
  const order::LaunchShape shape = order::launch_shape(d.limits);
  const dim3 grid(static_cast<unsigned>(shape.blocks_x), static_cast<unsigned>(shape.blocks_y));
  order_sections<<<grid, order::kThreadsPerBlock, 0, d.stream>>>(params);
  if (s = cudaGetLastError(); s != cudaSuccess) return cuda_error("launching the kernel", s);
  return Status::ok();
}

Status GpuFronthaulOrder::synchronize() {
  const cudaError_t s = cudaStreamSynchronize(impl_->stream);
  return s == cudaSuccess ? Status::ok() : Status(cuda_error("order step", s));
}

}  // namespace airan::io
