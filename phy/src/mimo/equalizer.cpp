#include "airan/phy/mimo/equalizer.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

#include <fmt/format.h>

#include "airan/phy/detail/equalizer_math.hpp"

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

// The closed-form 2 x 2 solve per RE on the planar arrays (detail::solve_2x2, shared with the
// GPU; inlined, the loop still vectorises).
void solve_2x2(bool mmse, float nv, int n, const float* __restrict__ g00, const float* __restrict__ g11,
               const float* __restrict__ g01r, const float* __restrict__ g01i, const float* __restrict__ b0r,
               const float* __restrict__ b0i, const float* __restrict__ b1r, const float* __restrict__ b1i,
               float* __restrict__ out, float* __restrict__ out_nv) {
  for (int k = 0; k < n; ++k) {
    detail::EqualizerAccumulator<2> acc;
    acc.gr[0] = g00[k];
    acc.gr[1] = g01r[k];
    acc.gi[1] = g01i[k];
    acc.gr[2] = g11[k];
    acc.br[0] = b0r[k];
    acc.bi[0] = b0i[k];
    acc.br[1] = b1r[k];
    acc.bi[1] = b1i[k];
    detail::ComplexF x[2];
    detail::solve_2x2(mmse, acc, nv, x, out_nv + 2 * k);
    out[4 * k] = x[0].re;
    out[4 * k + 1] = x[0].im;
    out[4 * k + 2] = x[1].re;
    out[4 * k + 3] = x[1].im;
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

// 3 and 4 layers: the REs in blocks of kBlock, every matrix element a small float array over
// the block (stack arrays the compiler knows are distinct), so each step of the Gram
// accumulation and of the Cholesky solve is a plain loop over the block that vectorises.
constexpr int kBlock = 16;

template <int L>
void equalize_block(EqualizerType type, int rx, int count, int first, std::span<const C* const> h0,
                    std::span<const C* const> h1, float w1, std::span<const C* const> y, float nv, C* x,
                    float* x_nv) {
  constexpr int P = L * (L + 1) / 2;
  float gr[P][kBlock] = {};
  float gi[P][kBlock] = {};
  float br[L][kBlock] = {};
  float bi[L][kBlock] = {};
  float hr[L][kBlock];
  float hi[L][kBlock];
  for (int r = 0; r < rx; ++r) {
    for (int v = 0; v < L; ++v) {
      const auto* a = reinterpret_cast<const float*>(h0[r * L + v] + first);
      const auto* c = reinterpret_cast<const float*>(h1[r * L + v] + first);
      for (int k = 0; k < count; ++k) {
        hr[v][k] = a[2 * k] + (c[2 * k] - a[2 * k]) * w1;
        hi[v][k] = a[2 * k + 1] + (c[2 * k + 1] - a[2 * k + 1]) * w1;
      }
    }
    const auto* yr = reinterpret_cast<const float*>(y[r] + first);
    for (int i = 0; i < L; ++i) {
      for (int k = 0; k < count; ++k) {
        br[i][k] += hr[i][k] * yr[2 * k] + hi[i][k] * yr[2 * k + 1];
        bi[i][k] += hr[i][k] * yr[2 * k + 1] - hi[i][k] * yr[2 * k];
      }
      for (int j = i; j < L; ++j) {
        const int p = upper<L>(i, j);
        for (int k = 0; k < count; ++k) {
          gr[p][k] += hr[i][k] * hr[j][k] + hi[i][k] * hi[j][k];  // conj(h_i) h_j
          gi[p][k] += hr[i][k] * hi[j][k] - hi[i][k] * hr[j][k];
        }
      }
    }
  }
  const float load = type == EqualizerType::mmse ? nv : 0.0F;
  // Upper Cholesky factor R (R^H R = A), with the pivots floored as in solve<L>.
  float rr[L][L][kBlock];
  float ri[L][L][kBlock];
  float inv_d[L][kBlock];
  for (int i = 0; i < L; ++i) {
    for (int k = 0; k < count; ++k) {
      float d = gr[upper<L>(i, i)][k] + load;
      for (int m = 0; m < i; ++m) d -= rr[m][i][k] * rr[m][i][k] + ri[m][i][k] * ri[m][i][k];
      inv_d[i][k] = 1.0F / std::sqrt(std::max(d, 1e-12F));
    }
    for (int j = i + 1; j < L; ++j) {
      for (int k = 0; k < count; ++k) {
        float sr = gr[upper<L>(i, j)][k];
        float si = gi[upper<L>(i, j)][k];
        for (int m = 0; m < i; ++m) {  // s -= conj(r_mi) r_mj
          sr -= rr[m][i][k] * rr[m][j][k] + ri[m][i][k] * ri[m][j][k];
          si -= rr[m][i][k] * ri[m][j][k] - ri[m][i][k] * rr[m][j][k];
        }
        rr[i][j][k] = sr * inv_d[i][k];
        ri[i][j][k] = si * inv_d[i][k];
      }
    }
  }
  // Inverse of R (upper triangular): T = R^-1.
  float tr[L][L][kBlock];
  float ti[L][L][kBlock];
  for (int j = 0; j < L; ++j) {
    for (int k = 0; k < count; ++k) {
      tr[j][j][k] = inv_d[j][k];
      ti[j][j][k] = 0.0F;
    }
    for (int i = j - 1; i >= 0; --i) {
      for (int k = 0; k < count; ++k) {
        float sr = 0.0F;
        float si = 0.0F;
        for (int m = i + 1; m <= j; ++m) {  // s -= r_im t_mj
          sr -= rr[i][m][k] * tr[m][j][k] - ri[i][m][k] * ti[m][j][k];
          si -= rr[i][m][k] * ti[m][j][k] + ri[i][m][k] * tr[m][j][k];
        }
        tr[i][j][k] = sr * inv_d[i][k];
        ti[i][j][k] = si * inv_d[i][k];
      }
    }
  }
  // u = T^H b; x = T u; diag(A^-1)_i = sum_{m >= i} |t_im|^2.
  float ur[L][kBlock];
  float ui[L][kBlock];
  for (int m = 0; m < L; ++m) {
    for (int k = 0; k < count; ++k) {
      float sr = 0.0F;
      float si = 0.0F;
      for (int i = 0; i <= m; ++i) {  // conj(t_im) b_i
        sr += tr[i][m][k] * br[i][k] + ti[i][m][k] * bi[i][k];
        si += tr[i][m][k] * bi[i][k] - ti[i][m][k] * br[i][k];
      }
      ur[m][k] = sr;
      ui[m][k] = si;
    }
  }
  for (int i = 0; i < L; ++i) {
    for (int k = 0; k < count; ++k) {
      float sr = 0.0F;
      float si = 0.0F;
      float diag = 0.0F;
      for (int m = i; m < L; ++m) {
        sr += tr[i][m][k] * ur[m][k] - ti[i][m][k] * ui[m][k];
        si += tr[i][m][k] * ui[m][k] + ti[i][m][k] * ur[m][k];
        diag += tr[i][m][k] * tr[i][m][k] + ti[i][m][k] * ti[i][m][k];
      }
      float out_nv = nv * diag;
      if (type == EqualizerType::mmse) {
        const float mu = std::clamp(1.0F - out_nv, 1e-6F, 1.0F);
        const float scale = 1.0F / mu;
        sr *= scale;
        si *= scale;
        out_nv = (1.0F - mu) * scale;
      }
      x[static_cast<std::size_t>(k) * L + i] = C(sr, si);
      x_nv[static_cast<std::size_t>(k) * L + i] = std::min(out_nv, kMaxNoiseVariance);
    }
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
      detail::EqualizerAccumulator<1> acc;
      acc.gr[0] = power[k];
      acc.br[0] = acc_re[k];
      acc.bi[0] = acc_im[k];
      detail::ComplexF xk[1];
      detail::solve_mrc(acc, nv, xk, x_noise_variance + k);
      out[2 * k] = xk[0].re;
      out[2 * k + 1] = xk[0].im;
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
  for (int first = 0; first < n; first += kBlock) {
    const int count = std::min(kBlock, n - first);
    C* xb = x + static_cast<std::size_t>(first) * layers;
    float* nvb = x_noise_variance + static_cast<std::size_t>(first) * layers;
    if (layers == 3) {
      equalize_block<3>(type, rx, count, first, h0, h1, w1, y, nv, xb, nvb);
    } else {
      equalize_block<4>(type, rx, count, first, h0, h1, w1, y, nv, xb, nvb);
    }
  }
}

}  // namespace airan::phy
