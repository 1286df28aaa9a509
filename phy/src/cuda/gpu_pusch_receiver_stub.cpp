// GpuPuschReceiver in builds without the CUDA backend: create() says why there is none.
#if !defined(AIRAN_WITH_CUDA)

#include "airan/phy/cuda/gpu_pusch_receiver.hpp"

namespace airan::phy {
namespace {
Error no_backend() {
  return Error{"GPU PUSCH receiver: this build has no CUDA backend (configure with -DAIRAN_CUDA=ON and a CUDA toolkit)"};
}
}  // namespace

struct GpuPuschReceiver::Impl {
  PuschSlotTimes times;
};

GpuPuschReceiver::GpuPuschReceiver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpuPuschReceiver::~GpuPuschReceiver() = default;

Expected<std::unique_ptr<GpuPuschReceiver>> GpuPuschReceiver::create(const PuschSlotReceiverConfig& config) {
  if (Status s = validate(config); !s) return s.error();
  return no_backend();
}
Status GpuPuschReceiver::receive(const ResourceGrid&, std::span<const PuschSlotUe>, std::span<PuschSlotUeResult>) {
  return no_backend();
}
const PuschSlotTimes& GpuPuschReceiver::last_times() const { return impl_->times; }
Status GpuPuschReceiver::setup(std::span<const PuschSlotUe>, int, int) { return no_backend(); }
Status GpuPuschReceiver::prepare(std::span<const PuschSlotUe>) { return no_backend(); }
Status GpuPuschReceiver::upload_grid(const ResourceGrid&, int) { return no_backend(); }
void* GpuPuschReceiver::device_grid(int) { return nullptr; }
Status GpuPuschReceiver::enqueue() { return no_backend(); }
Status GpuPuschReceiver::finish(std::span<const PuschSlotUe>, std::span<PuschSlotUeResult>) { return no_backend(); }
void* GpuPuschReceiver::stream() const { return nullptr; }
std::size_t GpuPuschReceiver::device_bytes() const { return 0; }
int GpuPuschReceiver::cached_graphs() const { return 0; }

}  // namespace airan::phy

#endif
