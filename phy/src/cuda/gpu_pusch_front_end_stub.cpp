// GpuPuschFrontEnd in builds without the CUDA backend: create() says why there is none.
#if !defined(AIRAN_WITH_CUDA)

#include "airan/phy/cuda/gpu_pusch_front_end.hpp"

namespace airan::phy {

struct GpuPuschFrontEnd::Impl {};

GpuPuschFrontEnd::GpuPuschFrontEnd(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpuPuschFrontEnd::~GpuPuschFrontEnd() = default;

Expected<std::unique_ptr<GpuPuschFrontEnd>> GpuPuschFrontEnd::create(const GpuPuschLimits&,
                                                                    const GpuPuschFrontEndConfig&) {
  return Error{"this build has no CUDA backend (configure with AIRAN_CUDA=ON and a CUDA toolkit)"};
}

Status GpuPuschFrontEnd::setup(std::span<const GpuPuschUe>, int, int) { return Error{"no CUDA backend"}; }
Status GpuPuschFrontEnd::upload_grid(const ResourceGrid&) { return Error{"no CUDA backend"}; }
Status GpuPuschFrontEnd::upload_grid(int, const ResourceGrid&) { return Error{"no CUDA backend"}; }
void* GpuPuschFrontEnd::device_grid(int) { return nullptr; }
Status GpuPuschFrontEnd::run() { return Error{"no CUDA backend"}; }
Status GpuPuschFrontEnd::capture_graph() { return Error{"no CUDA backend"}; }
Status GpuPuschFrontEnd::run_graph() { return Error{"no CUDA backend"}; }
Status GpuPuschFrontEnd::copy_llrs_to_host() { return Error{"no CUDA backend"}; }
Status GpuPuschFrontEnd::synchronize() { return Error{"no CUDA backend"}; }
std::span<const float> GpuPuschFrontEnd::llrs(int) const { return {}; }
float GpuPuschFrontEnd::noise_variance(int) const { return 0.0F; }
GpuPuschFrontEnd::DeviceOutputs GpuPuschFrontEnd::device_outputs() const { return {}; }
void* GpuPuschFrontEnd::stream() const { return nullptr; }
std::size_t GpuPuschFrontEnd::device_bytes() const { return 0; }

}  // namespace airan::phy

#endif
