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
  if (layers == 2) {
    // Closed-form 2 x 2 inverse, one plain loop over the REs.
    const C* g00 = scratch.gram.data();
    const C* g01 = g00 + n;
    const C* g11 = g01 + n;
    const C* b0 = scratch.matched.data();
    const C* b1 = b0 + n;
    const float load = type == EqualizerType::mmse ? nv : 0.0F;
    for (int k = 0; k < n; ++k) {
      const float a = g00[k].real() + load;
      const float d = g11[k].real() + load;
      const C off = g01[k];
      const float det = a * d - std::norm(off);
      if (!(det > 1e-6F * a * d) || !(det > 1e-20F)) {
        // Nearly singular: the Cholesky path floors the pivots and keeps the variances large.
        const C gram_k[3] = {g00[k], off, g11[k]};
        const C b_k[2] = {b0[k], b1[k]};
        solve<2>(type, gram_k, b_k, nv, x + 2 * k, x_noise_variance + 2 * k);
        continue;
      }
      const float inv_det = 1.0F / det;
      const float i00 = d * inv_det;
      const float i11 = a * inv_det;
      const C i01 = -off * inv_det;
      C x0 = i00 * b0[k] + i01 * b1[k];
      C x1 = std::conj(i01) * b0[k] + i11 * b1[k];
      float nv0;
      float nv1;
      if (type == EqualizerType::zf) {
        nv0 = nv * i00;
        nv1 = nv * i11;
      } else {
        const float mu0 = std::clamp(1.0F - nv * i00, 1e-6F, 1.0F);
        const float mu1 = std::clamp(1.0F - nv * i11, 1e-6F, 1.0F);
        x0 /= mu0;
        x1 /= mu1;
        nv0 = (1.0F - mu0) / mu0;
        nv1 = (1.0F - mu1) / mu1;
      }
      x[2 * k] = x0;
      x[2 * k + 1] = x1;
      x_noise_variance[2 * k] = std::min(nv0, kMaxNoiseVariance);
      x_noise_variance[2 * k + 1] = std::min(nv1, kMaxNoiseVariance);
    }
    return;
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
