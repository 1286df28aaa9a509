// Max-log soft demapping of one symbol (TS 38.211 5.1, Gray-mapped square QAM), the arithmetic
// of modulation.cpp's portable kernels. Per real dimension, bit j's metric is piecewise linear
// in |y| with breaks at the even integers of the level grid: interval m = min(floor(|y| norm/2),
// L/2 - 1) gives f_j = a[j][m] |y| + b[j][m], negated with y's sign for j = 0 (see QamTable).
// LLR = log P(b=0)/P(b=1), positive means 0, scaled by gain / noise variance.
#pragma once

#include "airan/phy/detail/hd.hpp"

namespace airan::phy::detail {

inline constexpr int kDemapMaxBitsPerDim = 5;  // 1024QAM
inline constexpr int kDemapMaxIntervals = 16;
inline constexpr float kDemapMinNoiseVariance = 1e-12F;
inline constexpr float kDemapSqrt2 = 1.41421356237309504880F;

// One square QAM's tables (plain data: copied as is to GPU memory).
struct QamDemapTable {
  int bits_per_dim = 0;     // k: 1 (QPSK) .. 5 (1024QAM)
  int intervals = 0;        // L/2
  float index_scale = 0.0F; // norm / 2
  float a[kDemapMaxBitsPerDim][kDemapMaxIntervals] = {};
  float b[kDemapMaxBitsPerDim][kDemapMaxIntervals] = {};
};

// The tables of 2^(2k)-QAM, k = 2..5 (built once on the host, modulation.cpp); k = 1 is QPSK.
const QamDemapTable& qam_demap_table(int bits_per_dim);

AIRAN_HD float demap_inverse_variance(float noise_variance, float gain) {
  return gain / max_f(noise_variance, kDemapMinNoiseVariance);
}

// QPSK: LLR = 2 sqrt(2) y / nv per dimension.
AIRAN_HD void demap_qpsk_symbol(ComplexF y, float inverse_variance, float* llrs) {
  const float g = 2.0F * kDemapSqrt2 * inverse_variance;
  llrs[0] = g * y.re;
  llrs[1] = g * y.im;
}

// 16QAM and up: 2k LLRs in bit order (even bits on I, odd bits on Q).
AIRAN_HD void demap_qam_symbol(const QamDemapTable& t, ComplexF y, float inverse_variance, float* llrs) {
  const int k = t.bits_per_dim;
  const float max_index = static_cast<float>(t.intervals - 1);
  const float dims[2] = {y.re, y.im};
  for (int d = 0; d < 2; ++d) {
    const float mag = abs_f(dims[d]);
    float x = mag * t.index_scale;
    x = x < max_index ? x : max_index;  // also maps NaN to a valid index
    const int m = static_cast<int>(x);
    const float v0 = mag * t.a[0][m] + t.b[0][m];
    llrs[d] = copysign_f(v0, dims[d]) * inverse_variance;  // v0 >= 0: the nearest point is on y's side
    for (int j = 1; j < k; ++j) llrs[2 * j + d] = (mag * t.a[j][m] + t.b[j][m]) * inverse_variance;
  }
}

}  // namespace airan::phy::detail
