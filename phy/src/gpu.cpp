#include "airan/phy/gpu.hpp"

namespace airan::phy {

#if defined(AIRAN_WITH_CUDA)
GpuInfo probe_cuda_device();  // cuda/gpu_detect.cu
void* cuda_host_alloc_mapped(std::size_t bytes);
void cuda_free_host(void* ptr);
#endif

const GpuInfo& detect_gpu() {
  static const GpuInfo info = [] {
#if defined(AIRAN_WITH_CUDA)
    return probe_cuda_device();
#else
    GpuInfo none;
    none.reason = "this build has no CUDA backend (configure with AIRAN_CUDA=ON and a CUDA toolkit)";
    return none;
#endif
  }();
  return info;
}

void* allocate_gpu_mapped_host(std::size_t bytes) {
#if defined(AIRAN_WITH_CUDA)
  if (detect_gpu().available) return cuda_host_alloc_mapped(bytes);
#endif
  (void)bytes;
  return nullptr;
}

void free_gpu_mapped_host(void* ptr) {
#if defined(AIRAN_WITH_CUDA)
  if (ptr != nullptr) cuda_free_host(ptr);
#endif
  (void)ptr;
}

}  // namespace airan::phy
