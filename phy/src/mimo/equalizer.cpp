#include "airan/phy/mimo/equalizer.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace airan::phy {
namespace {

using C = std::complex<float>;

constexpr float kMaxNoiseVariance = 1e6F;

// In-place inverse of a Hermitian positive definite matrix (n <= 4) via Cholesky. A tiny
// diagonal loading keeps a rank-deficient zero-forcing problem finite.
void invert_hermitian(C* a, int n) {
  C l[16] = {};
  for (int j = 0; j < n; ++j) {
    float d = a[j * n + j].real();
    for (int k = 0; k < j; ++k) d -= std::norm(l[j * n + k]);
    d = std::max(d, 1e-12F);
    const float ljj = std::sqrt(d);
    l[j * n + j] = ljj;
    for (int i = j + 1; i < n; ++i) {
      C s = a[i * n + j];
      for (int k = 0; k < j; ++k) s -= l[i * n + k] * std::conj(l[j * n + k]);
      l[i * n + j] = s / ljj;
    }
  }
  // inv(L): lower triangular.
  C li[16] = {};
  for (int j = 0; j < n; ++j) {
    li[j * n + j] = 1.0F / l[j * n + j].real();
    for (int i = j + 1; i < n; ++i) {
      C s{};
      for (int k = j; k < i; ++k) s -= l[i * n + k] * li[k * n + j];
      li[i * n + j] = s / l[i * n + i].real();
    }
  }
  // inv(A) = inv(L)^H inv(L).
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j <= i; ++j) {
      C s{};
      for (int k = i; k < n; ++k) s += std::conj(li[k * n + i]) * li[k * n + j];
      a[i * n + j] = s;
      a[j * n + i] = std::conj(s);
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
  // Gram matrix A = H^H H (+ nv I for MMSE) and matched filter H^H y.
  C a[16];
  C hy[4];
  for (int i = 0; i < layers; ++i) {
    C s{};
    for (int r = 0; r < rx; ++r) s += std::conj(h[r * layers + i]) * y[r];
    hy[i] = s;
    for (int j = 0; j <= i; ++j) {
      C g{};
      for (int r = 0; r < rx; ++r) g += std::conj(h[r * layers + i]) * h[r * layers + j];
      a[i * layers + j] = g;
      a[j * layers + i] = std::conj(g);
    }
  }
  if (type == EqualizerType::mmse) {
    for (int i = 0; i < layers; ++i) a[i * layers + i] += nv;
  }
  invert_hermitian(a, layers);
  for (int i = 0; i < layers; ++i) {
    C s{};
    for (int j = 0; j < layers; ++j) s += a[i * layers + j] * hy[j];
    const float diag = a[i * layers + i].real();
    if (type == EqualizerType::zf) {
      x[i] = s;
      x_noise_variance[i] = std::min(nv * diag, kMaxNoiseVariance);
    } else {
      // Unbiased MMSE: the biased estimate has gain mu = 1 - nv [A^-1]_ii on the symbol.
      const float mu = std::clamp(1.0F - nv * diag, 1e-6F, 1.0F);
      x[i] = s / mu;
      x_noise_variance[i] = std::min((1.0F - mu) / mu, kMaxNoiseVariance);
    }
  }
}

}  // namespace airan::phy
