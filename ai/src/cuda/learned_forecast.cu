// Batched forecasts of the learned predictor: one thread per flow, the same per-flow
// arithmetic as the CPU path (learned_predictor_math.hpp).
#include <cuda_runtime.h>

#include <string>
#include <utility>

#include "learned_forecast_cuda.hpp"

namespace airan::ai::detail {
namespace {

constexpr int kThreadsPerBlock = 128;

__global__ void forecast_kernel(NetworkView net, FeatureParams features, const float* parameters,
                                const FlowState* states, int flows, long long now_ns, ForecastValue* out) {
  const int flow = blockIdx.x * blockDim.x + threadIdx.x;
  if (flow >= flows) return;
  out[flow] = forecast_flow(states[flow], features, net, parameters, static_cast<std::int64_t>(now_ns));
}

std::string cuda_error(const char* what, cudaError_t status) {
  return std::string(what) + ": " + cudaGetErrorString(status);
}

}  // namespace

std::string cuda_unavailable_reason() {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status == cudaErrorInsufficientDriver) return "no CUDA driver is installed";
  if (status == cudaErrorNoDevice || (status == cudaSuccess && count == 0)) return "no CUDA device is present";
  if (status != cudaSuccess) return cuda_error("CUDA runtime error", status);
  return {};
}

Result<std::unique_ptr<CudaForecastBatch>> CudaForecastBatch::create(const NetworkView& net,
                                                                     const FeatureParams& features,
                                                                     const std::vector<float>& parameters,
                                                                     std::size_t flows) {
  if (std::string reason = cuda_unavailable_reason(); !reason.empty()) {
    return ErrorMessage{"learned predictor on cuda: " + reason};
  }
  std::unique_ptr<CudaForecastBatch> batch(new CudaForecastBatch());
  batch->net_ = net;
  batch->features_ = features;
  batch->flows_ = flows;
  const std::size_t slots = flows > 0 ? flows : 1;
  cudaError_t status = cudaMalloc(&batch->device_parameters_, parameters.size() * sizeof(float));
  if (status == cudaSuccess) status = cudaMalloc(&batch->device_states_, slots * sizeof(FlowState));
  if (status == cudaSuccess) status = cudaMalloc(&batch->device_forecasts_, slots * sizeof(ForecastValue));
  if (status == cudaSuccess) {
    status = cudaMemcpy(batch->device_parameters_, parameters.data(), parameters.size() * sizeof(float),
                        cudaMemcpyHostToDevice);
  }
  if (status != cudaSuccess) return ErrorMessage{cuda_error("learned predictor on cuda: allocating device buffers", status)};
  return Result<std::unique_ptr<CudaForecastBatch>>(std::move(batch));
}

CudaForecastBatch::~CudaForecastBatch() {
  cudaFree(device_parameters_);
  cudaFree(device_states_);
  cudaFree(device_forecasts_);
}

bool CudaForecastBatch::run(const FlowState* states, std::int64_t now_ns, ForecastValue* out) const {
  if (flows_ == 0) return true;
  if (cudaMemcpy(device_states_, states, flows_ * sizeof(FlowState), cudaMemcpyHostToDevice) != cudaSuccess) return false;
  const int flows = static_cast<int>(flows_);
  const int blocks = (flows + kThreadsPerBlock - 1) / kThreadsPerBlock;
  forecast_kernel<<<blocks, kThreadsPerBlock>>>(net_, features_, device_parameters_, device_states_, flows,
                                                static_cast<long long>(now_ns), device_forecasts_);
  if (cudaGetLastError() != cudaSuccess) return false;
  return cudaMemcpy(out, device_forecasts_, flows_ * sizeof(ForecastValue), cudaMemcpyDeviceToHost) == cudaSuccess;
}

}  // namespace airan::ai::detail
