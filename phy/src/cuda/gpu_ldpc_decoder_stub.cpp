// GpuLdpcDecoder in builds without the CUDA backend: create() says why there is none, so
// callers link and fall back to the CPU decoder either way.
#if !defined(AIRAN_WITH_CUDA)

#include "airan/phy/cuda/gpu_ldpc_decoder.hpp"

namespace airan::phy {
namespace {
Error no_backend() {
  return Error{"GPU LDPC decoder: this build has no CUDA backend (configure with -DAIRAN_CUDA=ON and a CUDA toolkit)"};
}
}  // namespace

struct GpuLdpcDecoder::Impl {};

GpuLdpcDecoder::GpuLdpcDecoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpuLdpcDecoder::GpuLdpcDecoder(GpuLdpcDecoder&&) noexcept = default;
GpuLdpcDecoder& GpuLdpcDecoder::operator=(GpuLdpcDecoder&&) noexcept = default;
GpuLdpcDecoder::~GpuLdpcDecoder() = default;

Expected<GpuLdpcDecoder> GpuLdpcDecoder::create(const GpuLdpcDecoderConfig& config, void*) {
  if (Status s = validate(config); !s) return s.error();
  return no_backend();
}
std::span<Llr> GpuLdpcDecoder::host_llrs() { return {}; }
void* GpuLdpcDecoder::device_llrs() { return nullptr; }
void* GpuLdpcDecoder::stream() const { return nullptr; }
Status GpuLdpcDecoder::setup(std::span<const GpuLdpcCodeBlock>) { return no_backend(); }
Status GpuLdpcDecoder::upload_llrs() { return no_backend(); }
Status GpuLdpcDecoder::run() { return no_backend(); }
Status GpuLdpcDecoder::download_results() { return no_backend(); }
Status GpuLdpcDecoder::download_outcomes() { return no_backend(); }
const void* GpuLdpcDecoder::device_hard_bits() const { return nullptr; }
std::size_t GpuLdpcDecoder::hard_bits_stride() { return 0; }
Status GpuLdpcDecoder::synchronize() { return no_backend(); }
std::span<const std::uint8_t> GpuLdpcDecoder::hard_bits(int) const { return {}; }
LdpcDecoderResult GpuLdpcDecoder::result(int) const { return {}; }
std::optional<bool> GpuLdpcDecoder::crc_ok(int) const { return std::nullopt; }
int GpuLdpcDecoder::block_count() const { return 0; }

}  // namespace airan::phy

#endif
