// GpuOfdmDemodulator in builds without the CUDA backend: create() says why there is none, so
// callers link and use the CPU OfdmDemodulator.
#if !defined(AIRAN_WITH_CUDA)

#include "airan/phy/cuda/gpu_ofdm_demodulator.hpp"

namespace airan::phy {
namespace {
Error no_backend() {
  return Error{"GPU OFDM demodulator: this build has no CUDA backend (configure with AIRAN_CUDA=ON and a CUDA toolkit)"};
}
}  // namespace

struct GpuOfdmDemodulator::Impl {
  OfdmConfig config;
};

GpuOfdmDemodulator::GpuOfdmDemodulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpuOfdmDemodulator::~GpuOfdmDemodulator() = default;

Expected<std::unique_ptr<GpuOfdmDemodulator>> GpuOfdmDemodulator::create(const OfdmConfig&,
                                                                        const GpuOfdmDemodulatorLimits&) {
  return no_backend();
}
Status GpuOfdmDemodulator::setup(int, int) { return no_backend(); }
Status GpuOfdmDemodulator::upload_input(std::span<const Complex>) { return no_backend(); }
void* GpuOfdmDemodulator::device_input() { return nullptr; }
int GpuOfdmDemodulator::input_row_samples() const { return 0; }
Status GpuOfdmDemodulator::set_output(void*) { return no_backend(); }
void* GpuOfdmDemodulator::device_grid() { return nullptr; }
Status GpuOfdmDemodulator::run() { return no_backend(); }
Status GpuOfdmDemodulator::capture_graph() { return no_backend(); }
Status GpuOfdmDemodulator::run_graph() { return no_backend(); }
Status GpuOfdmDemodulator::copy_grid_to_host(ResourceGrid&) { return no_backend(); }
Status GpuOfdmDemodulator::synchronize() { return no_backend(); }
void* GpuOfdmDemodulator::stream() const { return nullptr; }
std::size_t GpuOfdmDemodulator::device_bytes() const { return 0; }
const OfdmConfig& GpuOfdmDemodulator::config() const { return impl_->config; }

}  // namespace airan::phy

#endif
