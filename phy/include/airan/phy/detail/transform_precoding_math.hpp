// Per-element arithmetic of the GPU's inverse transform precoding (TS 38.211 6.3.1.4, the
// receiver's x = IDFT_M(y) / sqrt(M) per OFDM symbol, as TransformPrecoder::apply_inverse), and
// of the low-PAPR DMRS values transform-precoded PUSCH uses (6.4.1.1.1.2, as generate_pusch_dmrs).
//
// Why Bluestein. M = 12 n_prb differs from UE to UE and slot to slot (any 2^a 3^b 5^c up to
// 3240), while the GPU front end launches the same work every slot so that one CUDA Graph, captured
// once, serves every slot. cuFFT plans have one size and one batch; a plan per M would need the
// graph re-captured whenever the mix of sizes changes. Bluestein's chirp-z form turns an M-point
// DFT into a circular convolution of length N (a power of two >= 2M - 1), so two cuFFT plans of
// the one size N (forward, inverse; batch = UEs x 14 symbols, made at create) serve every M:
//   x(i) = 1/sqrt(M) sum_k y(k) e^{+j 2 pi i k / M}
//        = 1/sqrt(M) c(i) sum_k [y(k) c(k)] conj(c(i - k)),   c(n) = e^{+j pi n^2 / M}
// (2ik = i^2 + k^2 - (i - k)^2), the sum a circular convolution of a(k) = y(k) c(k) (zero padded
// to N) with b(n) = conj(c(n)) for |n| < M (wrapped to N - n for negative n). B = FFT_N(b) / N
// is made once per allowed M at create. Cost: three length-N transforms instead of one of length
// M, for a few tens of microseconds at most on a slot; the arithmetic error is float FFT rounding
// of length N, which the tests bound.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>

#include "airan/phy/detail/hd.hpp"

namespace airan::phy::detail {

// c(n) = e^{+j pi n^2 / M}; n^2 is reduced modulo 2M in integers (the phase's period), so the
// angle is exact before the one rounding to float.
AIRAN_HD ComplexF tp_chirp(int n, int m) {
  const std::int64_t two_m = 2 * static_cast<std::int64_t>(m);
  const std::int64_t r = static_cast<std::int64_t>(n) % two_m;
  const double turns = static_cast<double>((r * r) % two_m) / static_cast<double>(m);  // angle / pi
  double s = 0.0;
  double c = 0.0;
#if defined(__CUDA_ARCH__)
  sincospi(turns, &s, &c);
#else
  s = std::sin(std::numbers::pi * turns);
  c = std::cos(std::numbers::pi * turns);
#endif
  return {static_cast<float>(c), static_cast<float>(s)};
}

AIRAN_HD ComplexF tp_mul(ComplexF a, ComplexF b) { return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re}; }

// Element n (0..n_fft-1) of the convolution input: y(n) c(n) for n < M, zero beyond.
AIRAN_HD ComplexF tp_pre(const ComplexF* y, int n, int m) {
  if (n >= m) return {0.0F, 0.0F};
  return tp_mul(y[n], tp_chirp(n, m));
}

// Element n of the chirp filter b before its FFT, with the inverse FFT's 1/N folded in (exact:
// N is a power of two).
AIRAN_HD ComplexF tp_filter_element(int n, int m, int n_fft) {
  const float inverse_n = 1.0F / static_cast<float>(n_fft);
  int lag = -1;
  if (n < m) lag = n;
  if (n > n_fft - m) lag = n_fft - n;
  if (lag < 0) return {0.0F, 0.0F};
  const ComplexF c = tp_chirp(lag, m);
  return {c.re * inverse_n, -c.im * inverse_n};
}

// Output i < M from the convolution: c(i) conv(i), times 1/sqrt(M) as TransformPrecoder scales
// (the float 1/sqrt(M) times each component).
AIRAN_HD ComplexF tp_post(ComplexF conv, int i, int m) {
  const float scale = 1.0F / sqrt_f(static_cast<float>(m));
  const ComplexF v = tp_mul(tp_chirp(i, m), conv);
  return {scale * v.re, scale * v.im};
}

// The IDFT spreads each RE's noise over its block: every symbol of the block gets the block's
// mean noise variance, summed in double and rounded once, as PuschReceiver does.
AIRAN_HD float tp_block_noise(double sum, int m) { return static_cast<float>(sum / static_cast<double>(m)); }

// A low-PAPR DMRS value: beta w_t(l') w_f(k') r(k), multiplied in generate_pusch_dmrs's order.
AIRAN_HD ComplexF low_papr_dmrs_value(float beta_dmrs, int w_t, int w_f, ComplexF r) {
  const float s = beta_dmrs * static_cast<float>(w_t) * static_cast<float>(w_f);
  return {s * r.re, s * r.im};
}

// The smallest power of two >= 2M - 1 (the circular convolution holds the linear one).
inline int tp_fft_size(int max_m) {
  int n = 1;
  while (n < 2 * max_m - 1) n *= 2;
  return n;
}

}  // namespace airan::phy::detail
