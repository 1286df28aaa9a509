// Per-element arithmetic of OFDM demodulation (TS 38.211 5.3.1), shared by the CPU
// OfdmDemodulator (phy/src/ofdm/ofdm.cpp) and the GPU one (phy/src/cuda/gpu_ofdm_demodulator.cu),
// so that the CPU tests exercise the very index and scaling rules the kernels run. The FFT itself
// is FFTW on the CPU and cuFFT on the GPU (both unnormalised, e^{-j 2 pi n m / N} forward).
//
// Conventions (ofdm.hpp): subcarrier k of an n_grid-subcarrier grid sits at FFT bin
// (k - floor(n_grid / 2)) mod n_fft; the FFT window of a symbol starts fft_window_offset samples
// before the end of its cyclic prefix; each output RE is bin x ramp[k] (the window-offset phase
// compensation folded with the unitary 1/sqrt(n_fft)) x the symbol's upconversion phase (when on).
#pragma once

#include <cmath>
#include <numbers>

#include "airan/phy/detail/hd.hpp"

namespace airan::phy::detail {

inline constexpr int kOfdmMaxSymbols = 14;

// FFT bin of grid subcarrier k: the upper half of the grid from bin 0 up, the lower half in the
// top bins (NR does not skip DC).
AIRAN_HD int ofdm_bin(int k, int n_grid, int n_fft) {
  const int half = n_grid / 2;
  return k < half ? n_fft - half + k : k - half;
}

// First sample of symbol l's FFT window: the symbol starts at symbol_start (samples from the
// slot start), its CP is cp samples long, and the window opens fft_window_offset samples early.
AIRAN_HD int ofdm_window_start(int symbol_start, int cp, int fft_window_offset) {
  return symbol_start + cp - fft_window_offset;
}

// a x b without the NaN/Inf recovery of std::complex (__mulsc3), as the CPU inner loops do.
AIRAN_HD ComplexF ofdm_cmul(ComplexF a, ComplexF b) {
  return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
}

// Output RE from its FFT bin: bin x ramp, then x the symbol's upconversion phase unless that is
// exactly 1 (the CPU skips the multiplication then; so does the GPU, for identical floats).
AIRAN_HD ComplexF ofdm_demod_value(ComplexF bin, ComplexF ramp, ComplexF phase) {
  const ComplexF v = ofdm_cmul(bin, ramp);
  if (phase.re == 1.0F && phase.im == 0.0F) return v;
  return ofdm_cmul(v, phase);
}

// ramp[k]: e^{+j 2 pi (k - half) offset / n_fft} / sqrt(n_fft) (host only: computed once at
// creation on both backends, in double as the CPU always did).
inline ComplexF ofdm_demod_ramp(int k, int n_grid, int n_fft, int fft_window_offset) {
  const float scale = 1.0F / std::sqrt(static_cast<float>(n_fft));
  const int half = n_grid / 2;
  const double phi = 2.0 * std::numbers::pi * static_cast<double>(k - half) * fft_window_offset / n_fft;
  return {static_cast<float>(std::cos(phi)) * scale, static_cast<float>(std::sin(phi)) * scale};
}

}  // namespace airan::phy::detail
