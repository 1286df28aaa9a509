// AVX2 soft demapper (compiled with -mavx2 -mfma): 4 symbols (8 real dimensions) per step.
//
// Per dimension: |y| picks the interval of the piecewise-linear max-log metric (one
// permutevar8x32 table lookup per coefficient; two plus a blend for 1024QAM), then
// llr = (a |y| + b) * gain / nv, the sign of y applied to the first bit of the dimension.
// The per-dimension vectors are transposed in 64-bit (I,Q) pairs into bit order.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "airan/phy/coding/bits.hpp"
#include "airan/phy/resource_grid.hpp"

namespace airan::phy::avx2 {
namespace {

constexpr float kMinNoiseVariance = 1e-12F;
constexpr int kTableStride = 16;  // floats per table row, as laid out by modulation.cpp

inline void transpose4x4(__m256d& r0, __m256d& r1, __m256d& r2, __m256d& r3) {
  const __m256d t0 = _mm256_unpacklo_pd(r0, r1);
  const __m256d t1 = _mm256_unpackhi_pd(r0, r1);
  const __m256d t2 = _mm256_unpacklo_pd(r2, r3);
  const __m256d t3 = _mm256_unpackhi_pd(r2, r3);
  r0 = _mm256_permute2f128_pd(t0, t2, 0x20);
  r1 = _mm256_permute2f128_pd(t1, t3, 0x20);
  r2 = _mm256_permute2f128_pd(t0, t2, 0x31);
  r3 = _mm256_permute2f128_pd(t1, t3, 0x31);
}

inline __m256d as_pd(__m256 v) { return _mm256_castps_pd(v); }

// 1/nv * gain for 4 symbols, each repeated for its I and Q lanes.
inline __m256 inverse_variance(const float* nv, __m256 broadcast_inv, bool broadcast, __m128 gain) {
  if (broadcast) return broadcast_inv;
  __m128 v = _mm_max_ps(_mm_loadu_ps(nv), _mm_set1_ps(kMinNoiseVariance));
  v = _mm_div_ps(gain, v);
  return _mm256_permutevar8x32_ps(_mm256_castps128_ps256(v), _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3));
}

template <int K>
std::size_t demap_qam_k(const float* a, const float* b, float index_scale, int max_index, const Complex* symbols,
                        std::size_t n, const float* noise_variance, bool broadcast, float gain, float* llrs) {
  constexpr bool kWide = K == 5;  // 16 intervals: two table halves
  __m256 a_lo[K];
  __m256 b_lo[K];
  __m256 a_hi[K];
  __m256 b_hi[K];
  for (int j = 0; j < K; ++j) {
    a_lo[j] = _mm256_loadu_ps(a + kTableStride * j);
    b_lo[j] = _mm256_loadu_ps(b + kTableStride * j);
    a_hi[j] = _mm256_loadu_ps(a + kTableStride * j + 8);
    b_hi[j] = _mm256_loadu_ps(b + kTableStride * j + 8);
  }
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
  const __m256 sign_mask = _mm256_castsi256_ps(_mm256_set1_epi32(static_cast<int>(0x80000000U)));
  const __m256 scale = _mm256_set1_ps(index_scale);
  const __m256 top = _mm256_set1_ps(static_cast<float>(max_index));
  const __m128 gain4 = _mm_set1_ps(gain);
  const __m256 broadcast_inv = _mm256_set1_ps(gain / (noise_variance[0] > kMinNoiseVariance ? noise_variance[0]
                                                                                            : kMinNoiseVariance));
  const std::size_t groups = n / 4;
  const auto* in = reinterpret_cast<const float*>(symbols);
  for (std::size_t g = 0; g < groups; ++g) {
    const __m256 y = _mm256_loadu_ps(in + 8 * g);
    const __m256 mag = _mm256_and_ps(y, abs_mask);
    const __m256 sign = _mm256_and_ps(y, sign_mask);
    // min_ps returns its second operand for NaN, so the index is always in range.
    const __m256i idx = _mm256_cvttps_epi32(_mm256_min_ps(_mm256_mul_ps(mag, scale), top));
    const __m256 inv = inverse_variance(noise_variance + 4 * g, broadcast_inv, broadcast, gain4);
    __m256 v[K];
    for (int j = 0; j < K; ++j) {
      __m256 aj = _mm256_permutevar8x32_ps(a_lo[j], idx);
      __m256 bj = _mm256_permutevar8x32_ps(b_lo[j], idx);
      if constexpr (kWide) {
        const __m256 upper = _mm256_castsi256_ps(_mm256_slli_epi32(idx, 28));  // bit 3 -> sign
        aj = _mm256_blendv_ps(aj, _mm256_permutevar8x32_ps(a_hi[j], idx), upper);
        bj = _mm256_blendv_ps(bj, _mm256_permutevar8x32_ps(b_hi[j], idx), upper);
      }
      __m256 x = _mm256_fmadd_ps(aj, mag, bj);
      if (j == 0) x = _mm256_xor_ps(x, sign);
      v[j] = _mm256_mul_ps(x, inv);
    }
    float* out = llrs + static_cast<std::size_t>(8 * K) * g;
    if constexpr (K == 2) {
      const __m256d t0 = _mm256_unpacklo_pd(as_pd(v[0]), as_pd(v[1]));
      const __m256d t1 = _mm256_unpackhi_pd(as_pd(v[0]), as_pd(v[1]));
      _mm256_storeu_pd(reinterpret_cast<double*>(out), _mm256_permute2f128_pd(t0, t1, 0x20));
      _mm256_storeu_pd(reinterpret_cast<double*>(out + 8), _mm256_permute2f128_pd(t0, t1, 0x31));
    } else if constexpr (K == 3) {
      __m256d r0 = as_pd(v[0]);
      __m256d r1 = as_pd(v[1]);
      __m256d r2 = as_pd(v[2]);
      __m256d r3 = _mm256_setzero_pd();
      transpose4x4(r0, r1, r2, r3);
      // 6 floats per symbol: each full store's last pair is overwritten by the next one.
      _mm256_storeu_pd(reinterpret_cast<double*>(out), r0);
      _mm256_storeu_pd(reinterpret_cast<double*>(out + 6), r1);
      _mm256_storeu_pd(reinterpret_cast<double*>(out + 12), r2);
      _mm_storeu_pd(reinterpret_cast<double*>(out + 18), _mm256_castpd256_pd128(r3));
      _mm_storel_pd(reinterpret_cast<double*>(out + 22), _mm256_extractf128_pd(r3, 1));
    } else if constexpr (K == 4) {
      __m256d r0 = as_pd(v[0]);
      __m256d r1 = as_pd(v[1]);
      __m256d r2 = as_pd(v[2]);
      __m256d r3 = as_pd(v[3]);
      transpose4x4(r0, r1, r2, r3);
      _mm256_storeu_pd(reinterpret_cast<double*>(out), r0);
      _mm256_storeu_pd(reinterpret_cast<double*>(out + 8), r1);
      _mm256_storeu_pd(reinterpret_cast<double*>(out + 16), r2);
      _mm256_storeu_pd(reinterpret_cast<double*>(out + 24), r3);
    } else {
      static_assert(K == 5);
      __m256d r0 = as_pd(v[0]);
      __m256d r1 = as_pd(v[1]);
      __m256d r2 = as_pd(v[2]);
      __m256d r3 = as_pd(v[3]);
      transpose4x4(r0, r1, r2, r3);
      const __m256d r4 = as_pd(v[4]);
      const __m128d lo = _mm256_castpd256_pd128(r4);
      const __m128d hi = _mm256_extractf128_pd(r4, 1);
      _mm256_storeu_pd(reinterpret_cast<double*>(out), r0);
      _mm_storel_pd(reinterpret_cast<double*>(out + 8), lo);
      _mm256_storeu_pd(reinterpret_cast<double*>(out + 10), r1);
      _mm_storeh_pd(reinterpret_cast<double*>(out + 18), lo);
      _mm256_storeu_pd(reinterpret_cast<double*>(out + 20), r2);
      _mm_storel_pd(reinterpret_cast<double*>(out + 28), hi);
      _mm256_storeu_pd(reinterpret_cast<double*>(out + 30), r3);
      _mm_storeh_pd(reinterpret_cast<double*>(out + 38), hi);
    }
  }
  return groups * 4;
}

}  // namespace

std::size_t demap_qam(int bits_per_dim, const float* a, const float* b, float index_scale, int max_index,
                      const Complex* symbols, std::size_t n, const float* noise_variance, bool broadcast,
                      float gain, float* llrs) {
  switch (bits_per_dim) {
    case 2:
      return demap_qam_k<2>(a, b, index_scale, max_index, symbols, n, noise_variance, broadcast, gain, llrs);
    case 3:
      return demap_qam_k<3>(a, b, index_scale, max_index, symbols, n, noise_variance, broadcast, gain, llrs);
    case 4:
      return demap_qam_k<4>(a, b, index_scale, max_index, symbols, n, noise_variance, broadcast, gain, llrs);
    case 5:
      return demap_qam_k<5>(a, b, index_scale, max_index, symbols, n, noise_variance, broadcast, gain, llrs);
    default:
      return 0;
  }
}

std::size_t demap_qpsk(const Complex* symbols, std::size_t n, const float* noise_variance, bool broadcast, float gain,
                       float* llrs) {
  const __m128 gain4 = _mm_set1_ps(2.0F * 1.41421356237309504880F * gain);
  const __m256 broadcast_inv =
      _mm256_set1_ps(2.0F * 1.41421356237309504880F * gain /
                     (noise_variance[0] > kMinNoiseVariance ? noise_variance[0] : kMinNoiseVariance));
  const std::size_t groups = n / 4;
  const auto* in = reinterpret_cast<const float*>(symbols);
  for (std::size_t g = 0; g < groups; ++g) {
    const __m256 inv = inverse_variance(noise_variance + 4 * g, broadcast_inv, broadcast, gain4);
    _mm256_storeu_ps(llrs + 8 * g, _mm256_mul_ps(_mm256_loadu_ps(in + 8 * g), inv));
  }
  return groups * 4;
}

std::size_t quantize_llrs(const float* in, std::size_t n, Llr* out) {
  const __m256 lo = _mm256_set1_ps(-127.0F);
  const __m256 hi = _mm256_set1_ps(127.0F);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  const std::size_t groups = n / 32;
  for (std::size_t g = 0; g < groups; ++g) {
    const float* p = in + 32 * g;
    // max_ps(x, lo) returns lo for NaN.
    const auto q = [&](int k) {
      return _mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(_mm256_loadu_ps(p + 8 * k), lo), hi));
    };
    const __m256i w01 = _mm256_packs_epi32(q(0), q(1));
    const __m256i w23 = _mm256_packs_epi32(q(2), q(3));
    const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(w01, w23), order);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 32 * g), bytes);
  }
  return groups * 32;
}

}  // namespace airan::phy::avx2
