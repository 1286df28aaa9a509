// What every CUDA component of phy/src/cuda does the same way: CUDA errors as Status naming the
// component, device and pinned allocations freed together, a stream's launches captured once
// into an instantiated graph, and a warp's sum.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "airan/phy/expected.hpp"

namespace airan::phy::cuda_support {

// "<component>: <what>: <CUDA's description>", or ok.
inline Status status(cudaError_t error, const char* component, const char* what) {
  if (error == cudaSuccess) return Status::ok();
  return Error{std::string(component) + ": " + what + ": " + cudaGetErrorString(error)};
}

// A component's device and pinned host buffers, made at create and freed with it.
class Allocations {
 public:
  explicit Allocations(const char* component) : component_(component) {}
  ~Allocations() {
    for (void* p : device_) cudaFree(p);
    for (void* p : pinned_) cudaFreeHost(p);
  }
  Allocations(const Allocations&) = delete;
  Allocations& operator=(const Allocations&) = delete;

  template <typename T>
  Status device(T*& out, std::size_t count, const char* what) {
    void* p = nullptr;
    if (Status s = status(cudaMalloc(&p, std::max<std::size_t>(count, 1) * sizeof(T)), component_, what); !s) return s;
    device_.push_back(p);
    device_bytes_ += count * sizeof(T);
    out = static_cast<T*>(p);
    return Status::ok();
  }
  template <typename T>
  Status pinned(T*& out, std::size_t count, const char* what) {
    void* p = nullptr;
    if (Status s = status(cudaMallocHost(&p, std::max<std::size_t>(count, 1) * sizeof(T)), component_, what); !s) {
      return s;
    }
    pinned_.push_back(p);
    out = static_cast<T*>(p);
    return Status::ok();
  }
  // Device memory outside these buffers (a cuFFT work area made by cuFFT) counted too.
  void count_device_bytes(std::size_t bytes) { device_bytes_ += bytes; }
  std::size_t device_bytes() const { return device_bytes_; }

 private:
  const char* component_;
  std::vector<void*> device_;
  std::vector<void*> pinned_;
  std::size_t device_bytes_ = 0;
};

// launch() enqueued on `stream` under capture, the graph instantiated into `exec`. Launches
// must neither allocate nor synchronise; the caller owns (and destroys) graph and exec.
template <typename Launch>
Status capture(cudaStream_t stream, Launch&& launch, cudaGraph_t& graph, cudaGraphExec_t& exec, const char* component) {
  if (Status s = status(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), component, "begin capture");
      !s) {
    return s;
  }
  const Status launched = launch();
  const Status ended = status(cudaStreamEndCapture(stream, &graph), component, "end capture");
  if (!launched) return launched;
  if (!ended) return ended;
  return status(cudaGraphInstantiate(&exec, graph, 0), component, "graph instantiation");
}

// The sum of v over a full warp, in lane 0 (shuffles down; every lane must call it).
template <typename T>
__device__ __forceinline__ T warp_sum(T v) {
  for (int offset = 16; offset > 0; offset /= 2) v += __shfl_down_sync(0xFFFFFFFFU, v, offset);
  return v;
}

}  // namespace airan::phy::cuda_support
