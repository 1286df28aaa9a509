// CUDA runtime probe (built only when the CUDA backend is enabled).
#include <cuda_runtime.h>

#include <string>

#include "airan/phy/gpu.hpp"

namespace airan::phy {

GpuInfo probe_cuda_device() {
  GpuInfo info;
  info.built_with_cuda = true;
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status == cudaErrorInsufficientDriver || status == cudaErrorNoDevice || count == 0) {
    info.reason = status == cudaErrorInsufficientDriver ? "no CUDA driver is installed"
                                                        : "no CUDA device is present";
    return info;
  }
  if (status != cudaSuccess) {
    info.reason = std::string("CUDA runtime error: ") + cudaGetErrorString(status);
    return info;
  }
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) {
    info.reason = "cannot read the properties of CUDA device 0";
    return info;
  }
  info.available = true;
  info.device_count = count;
  info.name = prop.name;
  info.compute_capability = prop.major * 10 + prop.minor;
  return info;
}

void* cuda_host_alloc_mapped(std::size_t bytes) {
  void* ptr = nullptr;
  if (cudaHostAlloc(&ptr, bytes, cudaHostAllocMapped | cudaHostAllocPortable) != cudaSuccess) return nullptr;
  return ptr;
}

void cuda_free_host(void* ptr) { cudaFreeHost(ptr); }

}  // namespace airan::phy
