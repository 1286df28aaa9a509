// Radio impairments on time-domain IQ: carrier frequency offset and timing offset.
// (The same impairments can be applied inside a ChannelModel, see ChannelConfig.)
#pragma once

#include <array>
#include <span>

#include "airan/phy/expected.hpp"
#include "airan/phy/resource_grid.hpp"

namespace airan::phy {

// Multiplies samples by exp(j (phase + 2 pi offset_hz n / sample_rate_hz)), the phase running on
// across calls. Not liquid-dsp's nco_crcf: in liquid 1.5 both its LIQUID_NCO and LIQUID_VCO take
// sin/cos from a 1024-entry table, so the output phase is quantized to 2 pi / 1024 (up to 3e-3 rad,
// about -50 dBc of phase noise), too coarse for a reference channel; here the phase is kept in
// double and the rotation is a double-precision recurrence re-anchored every 256 samples.
class FrequencyOffset {
 public:
  // offset_hz: |offset| < sample_rate / 2; sample_rate_hz > 0.
  static Expected<FrequencyOffset> create(double offset_hz, double sample_rate_hz, double initial_phase_rad = 0.0);

  void apply(std::span<Complex> samples);
  void set_phase(double phase_rad);
  double phase() const { return phase_; }  // radians, wrapped to [-pi, pi]
  double offset_hz() const { return offset_hz_; }

 private:
  FrequencyOffset(double offset_hz, double step) : offset_hz_(offset_hz), step_(step) {}
  double offset_hz_ = 0.0;
  double step_ = 0.0;   // radians per sample
  double phase_ = 0.0;
};

// A delay of `delay` samples as out[n] = sum_i h[i] in[n - offset - i], i = 0..taps-1: an
// integer delay is one tap of 1, a fractional one kFractionalDelayTaps taps of a Kaiser-windowed
// sinc (liquid_firdes_kaiser, cutoff fs/2, 60 dB) centred on the delay (offset = round(delay) -
// kFractionalDelayHalfLength, so it looks up to that many samples ahead for short delays).
inline constexpr int kFractionalDelayHalfLength = 16;
inline constexpr int kFractionalDelayTaps = 2 * kFractionalDelayHalfLength + 1;
struct FractionalDelayFilter {
  int offset = 0;
  int taps = 1;
  std::array<float, kFractionalDelayTaps> h{};
};
// delay >= 0.
FractionalDelayFilter design_fractional_delay(double delay);

// out[n] = in(n - delay_samples): an integer delay is a shift, a fractional one a 33-tap
// Kaiser-windowed sinc (liquid_firdes_kaiser); samples before the start (and the interpolator's
// look-ahead after the end) of `in` are zero. in and out have the same size and do not overlap;
// 0 <= delay_samples <= in.size().
Status apply_delay(std::span<const Complex> in, std::span<Complex> out, double delay_samples);

}  // namespace airan::phy
