// Linear MIMO equalisation of one resource element for 1..4 layers (ZF or unbiased MMSE), in
// the arithmetic of the CPU's vectorised loops (equalizer.cpp): the Gram matrix H^H H and the
// matched filter H^H y are accumulated receive port by receive port, then
//   1 layer:  maximum-ratio combining, x = H^H y / |H|^2;
//   2 layers: the closed-form 2 x 2 inverse, the determinant floored;
//   3, 4:     Cholesky A = R^H R (A = H^H H + nv I for MMSE), T = R^-1, x = T T^H b.
// Outputs are the symbol estimates and their post-equalisation noise variances (relative to
// unit-energy symbols), what the soft demapper scales its LLRs with.
#pragma once

#include "airan/phy/detail/hd.hpp"

namespace airan::phy::detail {

inline constexpr float kEqualizerMaxNoiseVariance = 1e6F;
inline constexpr float kEqualizerMinNoiseVariance = 1e-12F;

// Index of (i, j), i <= j, in the packed upper triangle of an L x L Hermitian matrix.
template <int L>
AIRAN_HD constexpr int packed_upper(int i, int j) {
  return i * L - i * (i - 1) / 2 + (j - i);
}

template <int L>
struct EqualizerAccumulator {
  static constexpr int kPacked = L * (L + 1) / 2;
  float gr[kPacked] = {};  // H^H H, packed upper triangle (gr[0] is |h|^2 for one layer)
  float gi[kPacked] = {};
  float br[L] = {};  // H^H y
  float bi[L] = {};

  // One receive port: h[v] the channel of layer v at this RE, y the received value.
  AIRAN_HD void add_port(const ComplexF* h, ComplexF y) {
    for (int i = 0; i < L; ++i) {
      br[i] += h[i].re * y.re + h[i].im * y.im;  // conj(h_i) y
      bi[i] += h[i].re * y.im - h[i].im * y.re;
      for (int j = i; j < L; ++j) {
        const int p = packed_upper<L>(i, j);
        gr[p] += h[i].re * h[j].re + h[i].im * h[j].im;  // conj(h_i) h_j
        gi[p] += h[i].re * h[j].im - h[i].im * h[j].re;
      }
    }
  }
};

AIRAN_HD void solve_mrc(const EqualizerAccumulator<1>& a, float nv, ComplexF* x, float* x_nv) {
  const float inverse = 1.0F / max_f(a.gr[0], 1e-12F);
  x[0] = {a.br[0] * inverse, a.bi[0] * inverse};
  x_nv[0] = min_f(nv * inverse, kEqualizerMaxNoiseVariance);
}

// Floors instead of branches: a rank-deficient channel gets a determinant of 1e-6 a d, i.e. a
// large but finite noise variance.
AIRAN_HD void solve_2x2(bool mmse, const EqualizerAccumulator<2>& acc, float nv, ComplexF* x, float* x_nv) {
  const float load = mmse ? nv : 0.0F;
  const float g01r = acc.gr[1];
  const float g01i = acc.gi[1];
  const float a = max_f(acc.gr[0] + load, 1e-12F);
  const float d = max_f(acc.gr[2] + load, 1e-12F);
  const float det = max_f(a * d - (g01r * g01r + g01i * g01i), 1e-6F * a * d);
  const float inv_det = 1.0F / det;
  const float i00 = d * inv_det;
  const float i11 = a * inv_det;
  const float i01r = -g01r * inv_det;  // A^-1 off-diagonal: -g01 / det
  const float i01i = -g01i * inv_det;
  const float b0r = acc.br[0];
  const float b0i = acc.bi[0];
  const float b1r = acc.br[1];
  const float b1i = acc.bi[1];
  // x0 = i00 b0 + i01 b1; x1 = conj(i01) b0 + i11 b1.
  float x0r = i00 * b0r + i01r * b1r - i01i * b1i;
  float x0i = i00 * b0i + i01r * b1i + i01i * b1r;
  float x1r = i01r * b0r + i01i * b0i + i11 * b1r;
  float x1i = i01r * b0i - i01i * b0r + i11 * b1i;
  float nv0 = nv * i00;
  float nv1 = nv * i11;
  if (mmse) {
    // Unbiased MMSE: the biased estimate has gain mu = 1 - nv [A^-1]_ii on the symbol.
    const float mu0 = clamp_f(1.0F - nv0, 1e-6F, 1.0F);
    const float mu1 = clamp_f(1.0F - nv1, 1e-6F, 1.0F);
    const float s0 = 1.0F / mu0;
    const float s1 = 1.0F / mu1;
    x0r *= s0;
    x0i *= s0;
    x1r *= s1;
    x1i *= s1;
    nv0 = (1.0F - mu0) * s0;
    nv1 = (1.0F - mu1) * s1;
  }
  x[0] = {x0r, x0i};
  x[1] = {x1r, x1i};
  x_nv[0] = min_f(nv0, kEqualizerMaxNoiseVariance);
  x_nv[1] = min_f(nv1, kEqualizerMaxNoiseVariance);
}

template <int L>
AIRAN_HD void solve_cholesky(bool mmse, const EqualizerAccumulator<L>& acc, float nv, ComplexF* x, float* x_nv) {
  const float load = mmse ? nv : 0.0F;
  // Upper Cholesky factor R (R^H R = A), pivots floored so that a rank-deficient ZF stays finite.
  float rr[L][L] = {};
  float ri[L][L] = {};
  float inv_d[L];
  for (int i = 0; i < L; ++i) {
    float d = acc.gr[packed_upper<L>(i, i)] + load;
    for (int m = 0; m < i; ++m) d -= rr[m][i] * rr[m][i] + ri[m][i] * ri[m][i];
    inv_d[i] = 1.0F / sqrt_f(max_f(d, 1e-12F));
    for (int j = i + 1; j < L; ++j) {
      float sr = acc.gr[packed_upper<L>(i, j)];
      float si = acc.gi[packed_upper<L>(i, j)];
      for (int m = 0; m < i; ++m) {  // s -= conj(r_mi) r_mj
        sr -= rr[m][i] * rr[m][j] + ri[m][i] * ri[m][j];
        si -= rr[m][i] * ri[m][j] - ri[m][i] * rr[m][j];
      }
      rr[i][j] = sr * inv_d[i];
      ri[i][j] = si * inv_d[i];
    }
  }
  // T = R^-1 (upper triangular).
  float tr[L][L] = {};
  float ti[L][L] = {};
  for (int j = 0; j < L; ++j) {
    tr[j][j] = inv_d[j];
    ti[j][j] = 0.0F;
    for (int i = j - 1; i >= 0; --i) {
      float sr = 0.0F;
      float si = 0.0F;
      for (int m = i + 1; m <= j; ++m) {  // s -= r_im t_mj
        sr -= rr[i][m] * tr[m][j] - ri[i][m] * ti[m][j];
        si -= rr[i][m] * ti[m][j] + ri[i][m] * tr[m][j];
      }
      tr[i][j] = sr * inv_d[i];
      ti[i][j] = si * inv_d[i];
    }
  }
  // u = T^H b; x = T u; diag(A^-1)_i = sum_{m >= i} |t_im|^2.
  float ur[L];
  float ui[L];
  for (int m = 0; m < L; ++m) {
    float sr = 0.0F;
    float si = 0.0F;
    for (int i = 0; i <= m; ++i) {  // conj(t_im) b_i
      sr += tr[i][m] * acc.br[i] + ti[i][m] * acc.bi[i];
      si += tr[i][m] * acc.bi[i] - ti[i][m] * acc.br[i];
    }
    ur[m] = sr;
    ui[m] = si;
  }
  for (int i = 0; i < L; ++i) {
    float sr = 0.0F;
    float si = 0.0F;
    float diag = 0.0F;
    for (int m = i; m < L; ++m) {
      sr += tr[i][m] * ur[m] - ti[i][m] * ui[m];
      si += tr[i][m] * ui[m] + ti[i][m] * ur[m];
      diag += tr[i][m] * tr[i][m] + ti[i][m] * ti[i][m];
    }
    float out_nv = nv * diag;
    if (mmse) {
      const float mu = clamp_f(1.0F - out_nv, 1e-6F, 1.0F);
      const float scale = 1.0F / mu;
      sr *= scale;
      si *= scale;
      out_nv = (1.0F - mu) * scale;
    }
    x[i] = {sr, si};
    x_nv[i] = min_f(out_nv, kEqualizerMaxNoiseVariance);
  }
}

// The solve the CPU uses for L layers. nv is the per-port noise variance, floored by the caller
// at kEqualizerMinNoiseVariance.
template <int L>
AIRAN_HD void solve_equalizer(bool mmse, const EqualizerAccumulator<L>& acc, float nv, ComplexF* x, float* x_nv) {
  if constexpr (L == 1) {
    solve_mrc(acc, nv, x, x_nv);
  } else if constexpr (L == 2) {
    solve_2x2(mmse, acc, nv, x, x_nv);
  } else {
    solve_cholesky<L>(mmse, acc, nv, x, x_nv);
  }
}

}  // namespace airan::phy::detail
