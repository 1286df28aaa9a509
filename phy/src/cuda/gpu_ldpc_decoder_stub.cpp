// GpuLdpcDecoder in builds without the CUDA backend: create() says why there is none.
#if !defined(AIRAN_WITH_CUDA)

#include "airan/phy/cuda/gpu_ldpc_decoder.hpp"

namespace airan::phy {

struct GpuLdpcDecoder::Impl {};

GpuLdpcDecoder::GpuLdpcDecoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpuLdpcDecoder::~GpuLdpcDecoder() = default;

Expected<std::unique_ptr<GpuLdpcDecoder>> GpuLdpcDecoder::create(const LdpcDecoderConfig&, int) {
  return Error{"this build has no CUDA backend (configure with AIRAN_CUDA=ON and a CUDA toolkit)"};
}
Status GpuLdpcDecoder::setup(std::span<const GpuLdpcCodeBlock>) { return Error{"no CUDA backend"}; }
Status GpuLdpcDecoder::upload_llrs(int, std::span<const Llr>) { return Error{"no CUDA backend"}; }
void* GpuLdpcDecoder::device_llrs() { return nullptr; }
Status GpuLdpcDecoder::run() { return Error{"no CUDA backend"}; }
Status GpuLdpcDecoder::copy_results_to_host() { return Error{"no CUDA backend"}; }
Status GpuLdpcDecoder::synchronize() { return Error{"no CUDA backend"}; }
std::span<const std::uint8_t> GpuLdpcDecoder::bits(int) const { return {}; }
LdpcDecoderResult GpuLdpcDecoder::result(int) const { return {}; }
void* GpuLdpcDecoder::stream() const { return nullptr; }

}  // namespace airan::phy

#endif
