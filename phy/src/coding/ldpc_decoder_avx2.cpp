// AVX2 instantiation of the layered min-sum decoder (compiled with -mavx2).
#include <immintrin.h>

#define AIRAN_LDPC_ISA_NAMESPACE avx2
#include "coding/ldpc_decoder_kernel.hpp"
#include "coding/ldpc_decoder_factory.hpp"

namespace airan::phy::avx2 {
namespace {

struct Avx2Ops {
  using V = __m256i;
  struct W {
    __m256i lo;  // lanes 0..15
    __m256i hi;  // lanes 16..31
  };
  static W load_wide(const std::int16_t* p) {
    return {_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)),
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 16))};
  }
  static void store_wide(std::int16_t* p, const W& w) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), w.lo);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p + 16), w.hi);
  }
  static W widen(V v) {
    return {_mm256_cvtepi8_epi16(_mm256_castsi256_si128(v)), _mm256_cvtepi8_epi16(_mm256_extracti128_si256(v, 1))};
  }
  // packs works per 128-bit half; the permute restores lane order.
  static V narrow(const W& w) { return _mm256_permute4x64_epi64(_mm256_packs_epi16(w.lo, w.hi), 0xD8); }
  static W add_wide(const W& a, const W& b) { return {_mm256_add_epi16(a.lo, b.lo), _mm256_add_epi16(a.hi, b.hi)}; }
  static W sub_wide(const W& a, const W& b) { return {_mm256_sub_epi16(a.lo, b.lo), _mm256_sub_epi16(a.hi, b.hi)}; }
  static W xor_wide(const W& a, const W& b) { return {_mm256_xor_si256(a.lo, b.lo), _mm256_xor_si256(a.hi, b.hi)}; }
  static V load(const std::int8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static void store(std::int8_t* p, V v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  static V zero() { return _mm256_setzero_si256(); }
  static V set1(std::int8_t x) { return _mm256_set1_epi8(x); }
  static V adds(V a, V b) { return _mm256_adds_epi8(a, b); }
  static V subs(V a, V b) { return _mm256_subs_epi8(a, b); }
  static V max(V a, V b) { return _mm256_max_epi8(a, b); }
  static V min(V a, V b) { return _mm256_min_epi8(a, b); }
  static V abs(V a) { return _mm256_abs_epi8(a); }
  static V cmpgt(V a, V b) { return _mm256_cmpgt_epi8(a, b); }
  static V cmpeq(V a, V b) { return _mm256_cmpeq_epi8(a, b); }
  static V blend(V a, V b, V mask) { return _mm256_blendv_epi8(a, b, mask); }
  static V bit_xor(V a, V b) { return _mm256_xor_si256(a, b); }
  static V bit_or(V a, V b) { return _mm256_or_si256(a, b); }
  static V sign(V a, V s) { return _mm256_sign_epi8(a, s); }
  static V scale_offset(V magnitude, int scaling_x16, int offset) {
    const __m256i zero = _mm256_setzero_si256();
    const __m256i scale = _mm256_set1_epi16(static_cast<short>(scaling_x16));
    const __m256i bias = _mm256_set1_epi16(static_cast<short>(8 - 16 * offset));
    __m256i lo = _mm256_unpacklo_epi8(magnitude, zero);
    __m256i hi = _mm256_unpackhi_epi8(magnitude, zero);
    lo = _mm256_srai_epi16(_mm256_add_epi16(_mm256_mullo_epi16(lo, scale), bias), 4);
    hi = _mm256_srai_epi16(_mm256_add_epi16(_mm256_mullo_epi16(hi, scale), bias), 4);
    return _mm256_packus_epi16(lo, hi);  // clamps negatives to 0; lane order is preserved
  }
  static bool any_negative(V v, int valid_lanes) {
    const auto mask = static_cast<std::uint32_t>(_mm256_movemask_epi8(v));
    const std::uint32_t valid = valid_lanes >= 32 ? 0xFFFFFFFFU : (1U << valid_lanes) - 1U;
    return (mask & valid) != 0;
  }
};

class Avx2LdpcDecoder final : public LdpcDecoder {
 public:
  explicit Avx2LdpcDecoder(const LdpcDecoderConfig& config)
      : kernel_(config), workspace_(std::make_unique<Workspace>()) {}
  LdpcDecoderResult decode(const LdpcGraph& graph, std::span<const Llr> llrs, std::span<std::uint8_t> c) override {
    return kernel_.decode(*workspace_, graph, llrs, c);
  }
  CpuIsa isa() const override { return CpuIsa::avx2; }

 private:
  LayeredMinSum<Avx2Ops> kernel_;
  std::unique_ptr<Workspace> workspace_;
};

}  // namespace

std::unique_ptr<LdpcDecoder> make_ldpc_decoder(const LdpcDecoderConfig& config) {
  return std::make_unique<Avx2LdpcDecoder>(config);
}

}  // namespace airan::phy::avx2
