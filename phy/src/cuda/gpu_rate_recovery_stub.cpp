// GpuRateRecovery in builds without the CUDA backend: create() says why there is none.
#if !defined(AIRAN_WITH_CUDA)

#include "airan/phy/cuda/gpu_rate_recovery.hpp"

namespace airan::phy {
namespace {
Error no_backend() {
  return Error{"GPU rate recovery: this build has no CUDA backend (configure with -DAIRAN_CUDA=ON and a CUDA toolkit)"};
}
}  // namespace

struct GpuRateRecovery::Impl {};

GpuRateRecovery::GpuRateRecovery(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpuRateRecovery::GpuRateRecovery(GpuRateRecovery&&) noexcept = default;
GpuRateRecovery& GpuRateRecovery::operator=(GpuRateRecovery&&) noexcept = default;
GpuRateRecovery::~GpuRateRecovery() = default;

Expected<GpuRateRecovery> GpuRateRecovery::create(const GpuRateRecoveryConfig& config, void*) {
  if (Status s = validate(config); !s) return s.error();
  return no_backend();
}
std::span<Llr> GpuRateRecovery::host_llrs() { return {}; }
void* GpuRateRecovery::device_llrs() { return nullptr; }
void* GpuRateRecovery::stream() const { return nullptr; }
Status GpuRateRecovery::setup(std::span<const GpuRateRecoveryBlock>) { return no_backend(); }
Status GpuRateRecovery::upload_llrs() { return no_backend(); }
Status GpuRateRecovery::run(void*, std::size_t) { return no_backend(); }
Status GpuRateRecovery::synchronize() { return no_backend(); }
Status GpuRateRecovery::copy_harq_buffer_to_host(int, std::span<Llr>) { return no_backend(); }
Status GpuRateRecovery::clear_harq_buffer(int) { return no_backend(); }

}  // namespace airan::phy

#endif
