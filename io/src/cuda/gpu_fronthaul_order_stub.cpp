// GpuFronthaulOrder in builds without the CUDA backend: create() says why there is none.
#if !defined(AIRAN_WITH_CUDA)

#include "airan/io/cuda/gpu_fronthaul_order.hpp"

namespace airan::io {
namespace {
Error no_backend() {
  return Error{"GPU fronthaul order: this build has no CUDA backend (configure with -DAIRAN_CUDA=ON and a CUDA toolkit)"};
}
}  // namespace

struct GpuFronthaulOrder::Impl {};

GpuFronthaulOrder::GpuFronthaulOrder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpuFronthaulOrder::GpuFronthaulOrder(GpuFronthaulOrder&&) noexcept = default;
GpuFronthaulOrder& GpuFronthaulOrder::operator=(GpuFronthaulOrder&&) noexcept = default;
GpuFronthaulOrder::~GpuFronthaulOrder() = default;

Expected<GpuFronthaulOrder> GpuFronthaulOrder::create(const GpuFronthaulOrderLimits& limits, void*) {
  if (Status s = validate(limits); !s) return s.error();
  return no_backend();
}
std::span<std::uint8_t> GpuFronthaulOrder::host_arena() { return {}; }
void* GpuFronthaulOrder::stream() const { return nullptr; }
std::size_t GpuFronthaulOrder::grid_elements() const { return 0; }
Status GpuFronthaulOrder::setup(std::span<const SectionDescriptor>, std::span<const std::uint8_t>) {
  return no_backend();
}
Status GpuFronthaulOrder::run(void*, std::size_t) { return no_backend(); }
Status GpuFronthaulOrder::synchronize() { return no_backend(); }

}  // namespace airan::io

#endif
