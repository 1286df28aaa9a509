// DMRS channel estimation, per element (TS 38.211 6.4.1.1): the DMRS value of a resource
// element, the least-squares term of a received DMRS RE (despread by the layer's OCC, which
// the DMRS value carries), and the linear interpolation weights in frequency and time.
#pragma once

#include <cstdint>

#include "airan/phy/detail/hd.hpp"

namespace airan::phy::detail {

// The DMRS value of RE j of a layer (6.4.1.1.1.1, transform precoding disabled): QPSK from
// sequence bits c(2m), c(2m+1), scaled by beta w_t(l') / sqrt(2) (qpsk_scale) and w_f(j % 2).
AIRAN_HD ComplexF dmrs_value(float qpsk_scale, int w_f, std::uint32_t c_even, std::uint32_t c_odd) {
  const float w = qpsk_scale * static_cast<float>(w_f);
  return {w * (1.0F - 2.0F * static_cast<float>(c_even)), w * (1.0F - 2.0F * static_cast<float>(c_odd))};
}

// beta w_t(l') / sqrt(2), computed as generate_pusch_dmrs does (float beta times the integer w_t).
AIRAN_HD float dmrs_qpsk_scale(float beta_dmrs, int w_t) {
  return beta_dmrs * static_cast<float>(w_t) / sqrt_f(2.0F);
}

// One received DMRS RE's contribution to its pair's LS estimate: y conj(dmrs). Summing over
// the pair's two REs (and both symbols of a double-symbol DMRS) despreads the OCC.
AIRAN_HD ComplexF ls_term(ComplexF received, ComplexF dmrs) { return mul_conj(received, dmrs); }

// The sum of 2 x length terms becomes the estimate after this scale (beta^2 undoes the DMRS
// power boost; the DMRS values carry beta).
AIRAN_HD float ls_pair_normalization(int dmrs_length, double beta_dmrs_squared) {
  return static_cast<float>(1.0 / (2.0 * dmrs_length * beta_dmrs_squared));
}

// Linear interpolation from pair centres (subcarrier centre0 + n * period) to subcarrier k of
// the allocation, held flat beyond the first and last centre: h = p[n0] (1 - w) + p[n1] w.
struct InterpolationWeight {
  int n0;
  int n1;
  float w;
};

AIRAN_HD InterpolationWeight frequency_interpolation_weight(int k, double centre0, int period, int pairs) {
  const double x = (k - centre0) / period;
  if (x <= 0.0) return {0, 0, 0.0F};
  if (x >= pairs - 1) return {pairs - 1, pairs - 1, 0.0F};
  const int n = static_cast<int>(x);
  return {n, n + 1, static_cast<float>(x - n)};
}

AIRAN_HD ComplexF interpolate(ComplexF a, ComplexF b, float w) { return a * (1.0F - w) + b * w; }

// The first pair centre of a CDM group with subcarrier offset delta (the middle of its pair).
AIRAN_HD double first_pair_centre(int delta, int pair_step) { return delta + 0.5 * pair_step; }

// In time, between the DMRS groups around `symbol` (centres group_symbol[g], ascending), held
// constant before the first and after the last: H = H[g0] + w1 (H[g1] - H[g0]).
struct TimeInterpolationWeight {
  int g0;
  int g1;
  float w1;
};

AIRAN_HD TimeInterpolationWeight time_interpolation_weight(const double* group_symbol, int num_groups, int symbol) {
  if (num_groups == 1 || symbol <= group_symbol[0]) return {0, 0, 0.0F};
  for (int g = 0; g + 1 < num_groups; ++g) {
    if (symbol <= group_symbol[g + 1]) {
      const double w = (symbol - group_symbol[g]) / (group_symbol[g + 1] - group_symbol[g]);
      return {g, g + 1, static_cast<float>(w)};
    }
  }
  return {num_groups - 1, num_groups - 1, 0.0F};
}

// The channel at a symbol between two DMRS groups, as the equaliser forms it.
AIRAN_HD ComplexF interpolate_in_time(ComplexF h0, ComplexF h1, float w1) {
  return {h0.re + (h1.re - h0.re) * w1, h0.im + (h1.im - h0.im) * w1};
}

// Noise variance per RE and receive port from the residual power of the pair estimates
// outside the DFT window: a pair estimate averages 2 x length REs of variance sigma^2 / beta^2.
AIRAN_HD float noise_variance_from_residual(double residual, double degrees_of_freedom, int dmrs_length,
                                            double beta_dmrs_squared) {
  const double dof = degrees_of_freedom > 1.0 ? degrees_of_freedom : 1.0;
  return static_cast<float>(residual / dof * 2.0 * dmrs_length * beta_dmrs_squared);
}

}  // namespace airan::phy::detail
