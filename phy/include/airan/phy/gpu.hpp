// Run-time detection of a CUDA device. "No driver" and "no device" are treated alike:
// the caller logs the reason once and runs the CPU backend.
#pragma once

#include <cstddef>
#include <string>

namespace airan::phy {

struct GpuInfo {
  bool built_with_cuda = false;  // this binary contains the CUDA backend
  bool available = false;        // a usable device was found
  int device_count = 0;
  std::string name;              // device 0
  int compute_capability = 0;    // major * 10 + minor
  std::string reason;            // why no device is available, when it is not
};

// Probes the CUDA runtime once per process; later calls return the cached answer.
const GpuInfo& detect_gpu();

// Page-locked host memory mapped into the GPU's address space (cudaHostAlloc with
// cudaHostAllocMapped | cudaHostAllocPortable): packet buffers that GPU kernels read in place,
// without a copy. nullptr when there is no usable GPU or the allocation fails.
void* allocate_gpu_mapped_host(std::size_t bytes);
void free_gpu_mapped_host(void* ptr);

}  // namespace airan::phy
