// GpuRateRecovery on CUDA: buffers made once at create, one kernel per run over every
// (code block, position of d) of the launch (kernel body: detail/gpu_rate_recovery_kernel.hpp).
#include <cuda_runtime.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "cuda_support.cuh"
#include "airan/phy/cuda/gpu_rate_recovery.hpp"
#include "airan/phy/detail/gpu_rate_recovery_host.hpp"
#include "airan/phy/gpu.hpp"

namespace airan::phy {
namespace {

__global__ void __launch_bounds__(gpu_rate_recovery::kThreadsPerBlock)
    recover_code_blocks(gpu_rate_recovery::KernelParams params) {
  gpu_rate_recovery::recover_position(params, static_cast<int>(blockIdx.y),
                                      static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x));
}

Error cuda_error(const char* what, cudaError_t status) {
  return Error{std::string("GPU rate recovery: ") + what + ": " + cudaGetErrorString(status)};
}

}  // namespace

struct GpuRateRecovery::Impl {
  GpuRateRecoveryConfig config;
  cudaStream_t stream = nullptr;
  bool owns_stream = false;
  cudaEvent_t descriptors_copied = nullptr;
  gpu_rate_recovery::BlockDescriptor* device_descriptors = nullptr;
  gpu_rate_recovery::BlockDescriptor* host_descriptors = nullptr;  // pinned
  std::int8_t* device_received = nullptr;
  std::int8_t* host_received = nullptr;  // pinned
  std::int8_t* device_harq = nullptr;
  std::vector<gpu_rate_recovery::BlockDescriptor> staged;
  std::vector<std::uint32_t> harq_stamps;
  std::uint32_t launch_stamp = 0;
  gpu_rate_recovery::LaunchShape shape;
  cuda_support::Allocations memory{"GPU rate recovery"};  // freed after the destructor's body

  ~Impl() {
    if (stream != nullptr) cudaStreamSynchronize(stream);
    if (descriptors_copied != nullptr) cudaEventDestroy(descriptors_copied);
    if (owns_stream && stream != nullptr) cudaStreamDestroy(stream);
  }
};

GpuRateRecovery::GpuRateRecovery(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpuRateRecovery::GpuRateRecovery(GpuRateRecovery&&) noexcept = default;
GpuRateRecovery& GpuRateRecovery::operator=(GpuRateRecovery&&) noexcept = default;
GpuRateRecovery::~GpuRateRecovery() = default;

Expected<GpuRateRecovery> GpuRateRecovery::create(const GpuRateRecoveryConfig& config, void* stream) {
  if (Status s = validate(config); !s) return s.error();
  const GpuInfo& gpu = detect_gpu();
  if (!gpu.available) return Error{"GPU rate recovery: no usable GPU: " + gpu.reason};
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  const auto blocks = static_cast<std::size_t>(config.max_code_blocks);
  const std::size_t received = config.received_capacity();
  const std::size_t harq = static_cast<std::size_t>(config.harq_buffers) * gpu_rate_recovery::kHarqBufferBytes;
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
      memory.device(impl->device_descriptors, blocks, "descriptors"),
      memory.device(impl->device_received, received, "received soft bits"),
      memory.device(impl->device_harq, harq, "HARQ buffers"),
      memory.pinned(impl->host_descriptors, blocks, "pinned descriptors"),
      memory.pinned(impl->host_received, received, "pinned received soft bits"),
  };
  for (const Status& s : allocations) {
    if (!s) return s.error();
  }
  // Soft buffers start cleared, so a first transmission sent with combine set adds to zeros.
  step(cudaMemset(impl->device_harq, 0, harq));
  if (status != cudaSuccess) return cuda_error("clearing the HARQ buffers", status);
  std::memset(impl->host_received, 0, received);
  impl->staged.resize(blocks);
  impl->harq_stamps.assign(static_cast<std::size_t>(config.harq_buffers), 0);
  return GpuRateRecovery(std::move(impl));
}

std::span<Llr> GpuRateRecovery::host_llrs() {
  return {impl_->host_received, impl_->config.received_capacity()};
}
void* GpuRateRecovery::device_llrs() { return impl_->device_received; }
void* GpuRateRecovery::stream() const { return impl_->stream; }

Status GpuRateRecovery::setup(std::span<const GpuRateRecoveryBlock> blocks) {
  Impl& d = *impl_;
  gpu_rate_recovery::LaunchShape shape;
  if (++d.launch_stamp == 0) {  // wrapped: forget every stamp
    std::fill(d.harq_stamps.begin(), d.harq_stamps.end(), 0U);
    d.launch_stamp = 1;
  }
  if (Status s = gpu_rate_recovery::fill_descriptors(d.config, blocks, d.staged, d.harq_stamps, d.launch_stamp, shape);
      !s) {
    return s;
  }
  if (cudaError_t s = cudaEventSynchronize(d.descriptors_copied); s != cudaSuccess) {
    return cuda_error("waiting for the previous descriptor copy", s);
  }
  std::copy_n(d.staged.begin(), blocks.size(), d.host_descriptors);
  d.shape = shape;
  return Status::ok();
}

Status GpuRateRecovery::upload_llrs() {
  Impl& d = *impl_;
  if (d.shape.block_count == 0) return Error{"GPU rate recovery upload_llrs: setup has not run"};
  const cudaError_t s =
      cudaMemcpyAsync(d.device_received, d.host_received, d.shape.received_extent, cudaMemcpyHostToDevice, d.stream);
  return s == cudaSuccess ? Status::ok() : Status(cuda_error("copying soft bits to the device", s));
}

Status GpuRateRecovery::run(void* device_output, std::size_t output_capacity) {
  Impl& d = *impl_;
  if (d.shape.block_count == 0) return Error{"GPU rate recovery run: setup has not run"};
  if (d.shape.output_extent > 0 && (device_output == nullptr || output_capacity < d.shape.output_extent)) {
    return Error{"GPU rate recovery run: the blocks write " + std::to_string(d.shape.output_extent) +
                 " soft bits of output, the output buffer holds " +
                 std::to_string(device_output == nullptr ? 0 : output_capacity)};
  }
  cudaError_t s = cudaMemcpyAsync(d.device_descriptors, d.host_descriptors,
                                  static_cast<std::size_t>(d.shape.block_count) *
                                      sizeof(gpu_rate_recovery::BlockDescriptor),
                                  cudaMemcpyHostToDevice, d.stream);
  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  if (s == cudaSuccess) s = cudaStreamIsCapturing(d.stream, &capture);
  if (s == cudaSuccess && capture == cudaStreamCaptureStatusNone) s = cudaEventRecord(d.descriptors_copied, d.stream);
  if (s != cudaSuccess) return cuda_error("copying descriptors", s);
  const gpu_rate_recovery::KernelParams params{d.device_descriptors, d.device_received, d.device_harq,
                                               static_cast<std::int8_t*>(device_output)};
  const dim3 grid((d.shape.max_n + gpu_rate_recovery::kThreadsPerBlock - 1) / gpu_rate_recovery::kThreadsPerBlock,
                  static_cast<unsigned>(d.shape.block_count));
  recover_code_blocks<<<grid, gpu_rate_recovery::kThreadsPerBlock, 0, d.stream>>>(params);
  if (s = cudaGetLastError(); s != cudaSuccess) return cuda_error("launching the kernel", s);
  return Status::ok();
}

Status GpuRateRecovery::synchronize() {
  const cudaError_t s = cudaStreamSynchronize(impl_->stream);
  return s == cudaSuccess ? Status::ok() : Status(cuda_error("rate recovery", s));
}

Status GpuRateRecovery::copy_harq_buffer_to_host(int harq_buffer, std::span<Llr> out) {
  Impl& d = *impl_;
  if (harq_buffer < 0 || harq_buffer >= d.config.harq_buffers || out.size() > gpu_rate_recovery::kHarqBufferBytes) {
    return Error{"GPU rate recovery: harq_buffer=" + std::to_string(harq_buffer) + " or " + std::to_string(out.size()) +
                 " soft bits is out of range"};
  }
  cudaError_t s = cudaMemcpyAsync(out.data(), d.device_harq + static_cast<std::size_t>(harq_buffer) *
                                                                  gpu_rate_recovery::kHarqBufferBytes,
                                  out.size(), cudaMemcpyDeviceToHost, d.stream);
  if (s == cudaSuccess) s = cudaStreamSynchronize(d.stream);
  return s == cudaSuccess ? Status::ok() : Status(cuda_error("copying a HARQ buffer to the host", s));
}

Status GpuRateRecovery::clear_harq_buffer(int harq_buffer) {
  Impl& d = *impl_;
  if (harq_buffer < 0 || harq_buffer >= d.config.harq_buffers) {
    return Error{"GPU rate recovery: harq_buffer=" + std::to_string(harq_buffer) + " is outside 0.." +
                 std::to_string(d.config.harq_buffers - 1)};
  }
  const cudaError_t s =
      cudaMemsetAsync(d.device_harq + static_cast<std::size_t>(harq_buffer) * gpu_rate_recovery::kHarqBufferBytes, 0,
                      gpu_rate_recovery::kHarqBufferBytes, d.stream);
  return s == cudaSuccess ? Status::ok() : Status(cuda_error("clearing a HARQ buffer", s));
}

}  // namespace airan::phy
