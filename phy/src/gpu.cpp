#include "airan/phy/gpu.hpp"

namespace airan::phy {

#if defined(AIRAN_WITH_CUDA)
GpuInfo probe_cuda_device();  // cuda/gpu_detect.cu
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

}  // namespace airan::phy
