#include "airan/phy/mimo/equalizer.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

#include <fmt/format.h>

namespace airan::phy {
namespace {

using C = std::complex<float>;

constexpr float kMaxNoiseVariance = 1e6F;

// Index of (i, j), i <= j, in the packed upper triangle of an L x L Hermitian matrix.
template <int L>
constexpr int upper(int i, int j) {
  return i * L - i * (i - 1) / 2 + (j - i);
}

// Solves one RE from its Gram matrix A = H^H H (packed upper triangle) and b = H^H y:
// Cholesky A (+ nv I for MMSE) = R^H R, then x = A^-1 b and the diagonal of A^-1.
template <int L>
void solve(EqualizerType type, const C* gram, const C* b, float nv, C* x, float* x_nv) {
  C a[L][L];
  for (int i = 0; i < L; ++i) {
    for (int j = i; j < L; ++j) a[i][j] = gram[upper<L>(i, j)];
    if (type == EqualizerType::mmse) a[i][i] += nv;
  }
  // Upper Cholesky factor R (R^H R = A); a tiny floor keeps a rank-deficient ZF finite.
  C r[L][L];
  float inv_diag[L];
  for (int i = 0; i < L; ++i) {
    float d = a[i][i].real();
    for (int k = 0; k < i; ++k) d -= std::norm(r[k][i]);
    d = std::max(d, 1e-12F);
    const float rii = std::sqrt(d);
    inv_diag[i] = 1.0F / rii;
    for (int j = i + 1; j < L; ++j) {
      C s = a[i][j];
      for (int k = 0; k < i; ++k) s -= std::conj(r[k][i]) * r[k][j];
      r[i][j] = s * inv_diag[i];
    }
  }
  // inv(R), upper triangular; A^-1 = inv(R) inv(R)^H.
  C ri[L][L];
  for (int j = 0; j < L; ++j) {
    ri[j][j] = inv_diag[j];
    for (int i = j - 1; i >= 0; --i) {
      C s{};
      for (int k = i + 1; k <= j; ++k) s -= r[i][k] * ri[k][j];
      ri[i][j] = s * inv_diag[i];
    }
  }
  // t = inv(R)^H b, x = inv(R) t; diag(A^-1)_i = sum_{k >= i} |ri[i][k]|^2.
  C t[L];
  for (int k = 0; k < L; ++k) {
    C s{};
    for (int i = 0; i <= k; ++i) s += std::conj(ri[i][k]) * b[i];
    t[k] = s;
  }
  for (int i = 0; i < L; ++i) {
    C s{};
    float diag = 0.0F;
    for (int k = i; k < L; ++k) {
      s += ri[i][k] * t[k];
      diag += std::norm(ri[i][k]);
    }
    if (type == EqualizerType::zf) {
      x[i] = s;
      x_nv[i] = std::min(nv * diag, kMaxNoiseVariance);
    } else {
      // Unbiased MMSE: the biased estimate has gain mu = 1 - nv [A^-1]_ii on the symbol.
      const float mu = std::clamp(1.0F - nv * diag, 1e-6F, 1.0F);
      x[i] = s / mu;
      x_nv[i] = std::min((1.0F - mu) / mu, kMaxNoiseVariance);
    }
  }
}

void solve_any(EqualizerType type, int layers, const C* gram, const C* b, float nv, C* x, float* x_nv) {
  switch (layers) {
    case 2: return solve<2>(type, gram, b, nv, x, x_nv);
    case 3: return solve<3>(type, gram, b, nv, x, x_nv);
    default: return solve<4>(type, gram, b, nv, x, x_nv);
  }
}

int packed_size(int layers) { return layers * (layers + 1) / 2; }

// The planar float arrays of the 2-layer path, n values each: H^H H (g00, g11 real, g01) and
// H^H y (b0, b1). Separate restrict parameters so that the compiler sees they never overlap.
struct Planar2x2 {
  float* g00;
  float* g11;
  float* g01r;
  float* g01i;
  float* b0r;
  float* b0i;
  float* b1r;
  float* b1i;
};

// One receive port's share of the 2-layer Gram matrix and matched filter over n REs, the channel
// of both layers interpolated in time (interleaved complex input).
void accumulate_2x2(const float* __restrict__ a0, const float* __restrict__ c0, const float* __restrict__ a1,
                    const float* __restrict__ c1, float w1, const float* __restrict__ y, int n,
                    float* __restrict__ g00, float* __restrict__ g11, float* __restrict__ g01r,
                    float* __restrict__ g01i, float* __restrict__ b0r, float* __restrict__ b0i,
                    float* __restrict__ b1r, float* __restrict__ b1i) {
  for (int k = 0; k < n; ++k) {
    const float h0r = a0[2 * k] + (c0[2 * k] - a0[2 * k]) * w1;
    const float h0i = a0[2 * k + 1] + (c0[2 * k + 1] - a0[2 * k + 1]) * w1;
    const float h1r = a1[2 * k] + (c1[2 * k] - a1[2 * k]) * w1;
    const float h1i = a1[2 * k + 1] + (c1[2 * k + 1] - a1[2 * k + 1]) * w1;
    const float yr = y[2 * k];
    const float yi = y[2 * k + 1];
    g00[k] += h0r * h0r + h0i * h0i;
    g11[k] += h1r * h1r + h1i * h1i;
    g01r[k] += h0r * h1r + h0i * h1i;  // conj(h0) h1
    g01i[k] += h0r * h1i - h0i * h1r;
    b0r[k] += h0r * yr + h0i * yi;  // conj(h0) y
    b0i[k] += h0r * yi - h0i * yr;
    b1r[k] += h1r * yr + h1i * yi;
    b1i[k] += h1r * yi - h1i * yr;
  }
}

// The closed-form 2 x 2 solve per RE on the planar arrays. Floors instead of branches (so the
// loop vectorises): a rank-deficient channel gets a determinant of 1e-6 a d, i.e. a large but
// finite noise variance, as the Cholesky path.
void solve_2x2(bool mmse, float nv, int n, const float* __restrict__ g00, const float* __restrict__ g11,
               const float* __restrict__ g01r, const float* __restrict__ g01i, const float* __restrict__ b0r,
               const float* __restrict__ b0i, const float* __restrict__ b1r, const float* __restrict__ b1i,
               float* __restrict__ out, float* __restrict__ out_nv) {
  const float load = mmse ? nv : 0.0F;
  for (int k = 0; k < n; ++k) {
    const float a = std::max(g00[k] + load, 1e-12F);
    const float d = std::max(g11[k] + load, 1e-12F);
    const float det = std::max(a * d - (g01r[k] * g01r[k] + g01i[k] * g01i[k]), 1e-6F * a * d);
    const float inv_det = 1.0F / det;
    const float i00 = d * inv_det;
    const float i11 = a * inv_det;
    const float i01r = -g01r[k] * inv_det;  // A^-1 off-diagonal: -g01 / det
    const float i01i = -g01i[k] * inv_det;
    // x0 = i00 b0 + i01 b1; x1 = conj(i01) b0 + i11 b1.
    float x0r = i00 * b0r[k] + i01r * b1r[k] - i01i * b1i[k];
    float x0i = i00 * b0i[k] + i01r * b1i[k] + i01i * b1r[k];
    float x1r = i01r * b0r[k] + i01i * b0i[k] + i11 * b1r[k];
    float x1i = i01r * b0i[k] - i01i * b0r[k] + i11 * b1i[k];
    float nv0 = nv * i00;
    float nv1 = nv * i11;
    if (mmse) {
      // Unbiased MMSE: the biased estimate has gain mu = 1 - nv [A^-1]_ii on the symbol.
      const float mu0 = std::clamp(1.0F - nv0, 1e-6F, 1.0F);
      const float mu1 = std::clamp(1.0F - nv1, 1e-6F, 1.0F);
      const float s0 = 1.0F / mu0;
      const float s1 = 1.0F / mu1;
      x0r *= s0;
      x0i *= s0;
      x1r *= s1;
      x1i *= s1;
      nv0 = (1.0F - mu0) * s0;
      nv1 = (1.0F - mu1) * s1;
    }
    out[4 * k] = x0r;
    out[4 * k + 1] = x0i;
    out[4 * k + 2] = x1r;
    out[4 * k + 3] = x1i;
    out_nv[2 * k] = std::min(nv0, kMaxNoiseVariance);
    out_nv[2 * k + 1] = std::min(nv1, kMaxNoiseVariance);
  }
}

// One receive port's share of maximum-ratio combining over n REs (interleaved complex input).
void accumulate_mrc(const float* __restrict__ h0, const float* __restrict__ h1, float w1, const float* __restrict__ y,
                    int n, float* __restrict__ power, float* __restrict__ acc_re, float* __restrict__ acc_im) {
  for (int k = 0; k < n; ++k) {
    const float hr = h0[2 * k] + (h1[2 * k] - h0[2 * k]) * w1;
    const float hi = h0[2 * k + 1] + (h1[2 * k + 1] - h0[2 * k + 1]) * w1;
    power[k] += hr * hr + hi * hi;
    acc_re[k] += hr * y[2 * k] + hi * y[2 * k + 1];
    acc_im[k] += hr * y[2 * k + 1] - hi * y[2 * k];
  }
}

}  // namespace

std::string_view to_string(EqualizerType type) { return type == EqualizerType::zf ? "zf" : "mmse"; }

Expected<EqualizerType> parse_equalizer_type(std::string_view name) {
  if (name == "zf") return EqualizerType::zf;
  if (name == "mmse") return EqualizerType::mmse;
  return Error{fmt::format("equalizer '{}' is not zf or mmse", name)};
}

void equalize(EqualizerType type, const C* h, int rx, int layers, const C* y, float noise_variance, C* x,
              float* x_noise_variance) {
  const float nv = std::max(noise_variance, 1e-12F);
  if (layers == 1) {
    // Maximum-ratio combining: the single-layer ZF and (unbiased) MMSE estimates coincide.
    float power = 0.0F;
    C acc{};
    for (int r = 0; r < rx; ++r) {
      power += std::norm(h[r]);
      acc += std::conj(h[r]) * y[r];
    }
    power = std::max(power, 1e-12F);
    x[0] = acc / power;
    x_noise_variance[0] = std::min(nv / power, kMaxNoiseVariance);
    return;
  }
  C gram[10];
  C b[4];
  for (int i = 0; i < layers; ++i) {
    C s{};
    for (int r = 0; r < rx; ++r) s += std::conj(h[r * layers + i]) * y[r];
    b[i] = s;
    for (int j = i; j < layers; ++j) {
      C g{};
      for (int r = 0; r < rx; ++r) g += std::conj(h[r * layers + i]) * h[r * layers + j];
      gram[i * layers - i * (i - 1) / 2 + (j - i)] = g;
    }
  }
  solve_any(type, layers, gram, b, nv, x, x_noise_variance);
}

void equalize_interpolated(EqualizerType type, int rx, int layers, int n, std::span<const C* const> h0,
                           std::span<const C* const> h1, float w1, std::span<const C* const> y, float noise_variance,
                           C* x, float* x_noise_variance, EqualizerScratch& scratch) {
  assert(static_cast<int>(h0.size()) == rx * layers && static_cast<int>(h1.size()) == rx * layers);
  const float nv = std::max(noise_variance, 1e-12F);
  if (layers == 1) {
    // Maximum-ratio combining in one fused pass per receive port, on the float components so
    // that the loop vectorises: |h|^2 and conj(h) y accumulate per RE.
    scratch.power.assign(3 * static_cast<std::size_t>(n), 0.0F);
    float* __restrict__ power = scratch.power.data();
    float* __restrict__ acc_re = power + n;
    float* __restrict__ acc_im = acc_re + n;
    for (int r = 0; r < rx; ++r) {
      accumulate_mrc(reinterpret_cast<const float*>(h0[r]), reinterpret_cast<const float*>(h1[r]), w1,
                     reinterpret_cast<const float*>(y[r]), n, power, acc_re, acc_im);
    }
    auto* __restrict__ out = reinterpret_cast<float*>(x);
    for (int k = 0; k < n; ++k) {
      const float inverse = 1.0F / std::max(power[k], 1e-12F);
      out[2 * k] = acc_re[k] * inverse;
      out[2 * k + 1] = acc_im[k] * inverse;
      x_noise_variance[k] = std::min(nv * inverse, kMaxNoiseVariance);
    }
    return;
  }
  if (layers == 2) {
    // Fused accumulation into planar arrays, then the closed-form 2 x 2 inverse per RE.
    scratch.power.assign(8 * static_cast<std::size_t>(n), 0.0F);
    float* base = scratch.power.data();
    const Planar2x2 p{base, base + n, base + 2 * n, base + 3 * n, base + 4 * n, base + 5 * n, base + 6 * n,
                      base + 7 * n};
    for (int r = 0; r < rx; ++r) {
      accumulate_2x2(reinterpret_cast<const float*>(h0[2 * r]), reinterpret_cast<const float*>(h1[2 * r]),
                     reinterpret_cast<const float*>(h0[2 * r + 1]), reinterpret_cast<const float*>(h1[2 * r + 1]),
                     w1, reinterpret_cast<const float*>(y[r]), n, p.g00, p.g11, p.g01r, p.g01i, p.b0r, p.b0i,
                     p.b1r, p.b1i);
    }
    solve_2x2(type == EqualizerType::mmse, nv, n, p.g00, p.g11, p.g01r, p.g01i, p.b0r, p.b0i, p.b1r, p.b1i,
              reinterpret_cast<float*>(x), x_noise_variance);
    return;
  }
  const int packed = packed_size(layers);
  scratch.gram.assign(static_cast<std::size_t>(packed) * n, C{});
  scratch.matched.assign(static_cast<std::size_t>(layers) * n, C{});
  scratch.h.resize(static_cast<std::size_t>(layers) * n);
  // Per receive port: interpolate its channel row, then accumulate H^H H and H^H y, each a
  // plain loop over the n REs.
  for (int r = 0; r < rx; ++r) {
    for (int v = 0; v < layers; ++v) {
      const C* a = h0[r * layers + v];
      const C* c = h1[r * layers + v];
      C* out = scratch.h.data() + static_cast<std::size_t>(v) * n;
      for (int k = 0; k < n; ++k) out[k] = a[k] + (c[k] - a[k]) * w1;
    }
    const C* yr = y[r];
    for (int i = 0; i < layers; ++i) {
      const C* hi = scratch.h.data() + static_cast<std::size_t>(i) * n;
      C* b = scratch.matched.data() + static_cast<std::size_t>(i) * n;
      for (int k = 0; k < n; ++k) b[k] += std::conj(hi[k]) * yr[k];
      for (int j = i; j < layers; ++j) {
        const C* hj = scratch.h.data() + static_cast<std::size_t>(j) * n;
        C* g = scratch.gram.data() + static_cast<std::size_t>(i * layers - i * (i - 1) / 2 + (j - i)) * n;
        if (i == j) {
          for (int k = 0; k < n; ++k) g[k] += std::norm(hi[k]);
        } else {
          for (int k = 0; k < n; ++k) g[k] += std::conj(hi[k]) * hj[k];
        }
      }
    }
  }
  C gram[10];
  C b[4];
  for (int k = 0; k < n; ++k) {
    for (int p = 0; p < packed; ++p) gram[p] = scratch.gram[static_cast<std::size_t>(p) * n + k];
    for (int i = 0; i < layers; ++i) b[i] = scratch.matched[static_cast<std::size_t>(i) * n + k];
    solve_any(type, layers, gram, b, nv, x + static_cast<std::size_t>(k) * layers,
              x_noise_variance + static_cast<std::size_t>(k) * layers);
  }
}

}  // namespace airan::phy
