#include "airan/phy/channel/impairments.hpp"

#include <fmt/format.h>

#include <complex>  // before liquid.h: liquid_float_complex is then std::complex<float>
#include <liquid/liquid.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace airan::phy {

Expected<FrequencyOffset> FrequencyOffset::create(double offset_hz, double sample_rate_hz, double initial_phase_rad) {
  if (!(sample_rate_hz > 0.0) || !std::isfinite(sample_rate_hz)) {
    return Error{fmt::format("sample_rate_hz={} is not positive", sample_rate_hz)};
  }
  if (!std::isfinite(offset_hz) || std::abs(offset_hz) >= sample_rate_hz / 2) {
    return Error{fmt::format("offset_hz={} is not within +-sample_rate_hz/2={}", offset_hz, sample_rate_hz / 2)};
  }
  FrequencyOffset f(offset_hz, 2.0 * std::numbers::pi * offset_hz / sample_rate_hz);
  f.set_phase(initial_phase_rad);
  return f;
}

void FrequencyOffset::set_phase(double phase_rad) { phase_ = std::remainder(phase_rad, 2.0 * std::numbers::pi); }

void FrequencyOffset::apply(std::span<Complex> samples) {
  constexpr std::size_t kBlock = 256;
  const std::complex<double> rot = std::polar(1.0, step_);
  for (std::size_t start = 0; start < samples.size(); start += kBlock) {
    const std::size_t end = std::min(samples.size(), start + kBlock);
    std::complex<double> z = std::polar(1.0, phase_);
    for (std::size_t n = start; n < end; ++n) {
      const Complex x = samples[n];
      const auto zr = static_cast<float>(z.real());
      const auto zi = static_cast<float>(z.imag());
      samples[n] = Complex(x.real() * zr - x.imag() * zi, x.real() * zi + x.imag() * zr);
      z *= rot;
    }
    set_phase(phase_ + step_ * static_cast<double>(end - start));
  }
}

FractionalDelayFilter design_fractional_delay(double delay) {
  FractionalDelayFilter f;
  const double rounded = std::round(delay);
  const double frac = delay - rounded;  // -0.5..0.5
  if (std::abs(frac) < 1e-6) {
    f.offset = static_cast<int>(rounded);
    f.taps = 1;
    f.h[0] = 1.0F;
    return f;
  }
  // liquid_firdes_kaiser(n, fc, As, mu): h[i] = sinc(2 fc (i - (n-1)/2 + mu)) w[i], i.e. a delay
  // of (n-1)/2 - mu samples; mu must stay inside (-0.5, 0.5).
  const float mu = static_cast<float>(std::clamp(-frac, -0.4999, 0.4999));
  liquid_firdes_kaiser(kFractionalDelayTaps, 0.5F, 60.0F, mu, f.h.data());
  f.offset = static_cast<int>(rounded) - kFractionalDelayHalfLength;
  f.taps = kFractionalDelayTaps;
  return f;
}

Status apply_delay(std::span<const Complex> in, std::span<Complex> out, double delay_samples) {
  if (in.size() != out.size()) return Error{fmt::format("out size={} differs from in size={}", out.size(), in.size())};
  if (!(delay_samples >= 0.0) || delay_samples > static_cast<double>(in.size())) {
    return Error{fmt::format("delay_samples={} is outside 0..{}", delay_samples, in.size())};
  }
  const FractionalDelayFilter f = design_fractional_delay(delay_samples);
  const auto n_total = static_cast<std::ptrdiff_t>(in.size());
  for (std::ptrdiff_t n = 0; n < n_total; ++n) {
    Complex acc{};
    for (int i = 0; i < f.taps; ++i) {
      const std::ptrdiff_t j = n - f.offset - i;
      if (j >= 0 && j < n_total) acc += in[j] * f.h[i];
    }
    out[n] = acc;
  }
  return Status::ok();
}

}  // namespace airan::phy
