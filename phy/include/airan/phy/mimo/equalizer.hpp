// Linear MIMO equalisation per resource element for up to 4 layers: zero forcing or MMSE,
// with the post-equalisation noise-plus-interference variance of each layer (what the soft
// demapper needs to scale its LLRs).
#pragma once

#include <complex>
#include <span>
#include <string_view>
#include <vector>

#include "airan/phy/expected.hpp"

namespace airan::phy {

enum class EqualizerType { zf, mmse };

std::string_view to_string(EqualizerType type);
Expected<EqualizerType> parse_equalizer_type(std::string_view name);

inline constexpr int kMaxEqualizerLayers = 4;
inline constexpr int kMaxEqualizerRx = 16;

// One resource element.
//   h: channel, row-major rx x layers (h[r * layers + l]); y: the rx received values;
//   noise_variance: per rx port. Out: x (layers) unbiased symbol estimates and
//   x_noise_variance (layers) their error variances relative to unit-energy symbols.
// rx >= layers; 1 <= layers <= 4. A singular channel gives a large but finite noise variance.
void equalize(EqualizerType type, const std::complex<float>* h, int rx, int layers, const std::complex<float>* y,
              float noise_variance, std::complex<float>* x, float* x_noise_variance);

// Working memory of equalize_interpolated, owned by the caller and reused slot after slot.
struct EqualizerScratch {
  std::vector<std::complex<float>> gram;     // packed upper triangle of H^H H, per RE
  std::vector<std::complex<float>> matched;  // H^H y, per RE
  std::vector<std::complex<float>> h;        // one receive port's interpolated channel row
  std::vector<float> power;                  // single layer: sum of |h|^2 per RE
};

// n resource elements of one OFDM symbol at once, the channel interpolated in time between two
// estimates: H = h0 + w1 (h1 - h0). h0/h1: rx * layers pointers (index r * layers + v) to n
// values each; y: rx pointers to n values. Out: x[k * layers + v], x_noise_variance likewise.
void equalize_interpolated(EqualizerType type, int rx, int layers, int n, std::span<const std::complex<float>* const> h0,
                           std::span<const std::complex<float>* const> h1, float w1,
                           std::span<const std::complex<float>* const> y, float noise_variance,
                           std::complex<float>* x, float* x_noise_variance, EqualizerScratch& scratch);

}  // namespace airan::phy
