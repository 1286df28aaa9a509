// Radio impairments on time-domain IQ: carrier frequency offset and timing offset.
// (The same impairments can be applied inside a ChannelModel, see ChannelConfig.)
#pragma once

#include <array>
#include <memory>
#include <span>

#include "airan/phy/expected.hpp"
#include "airan/phy/resource_grid.hpp"

namespace airan::phy {

// Multiplies samples by exp(j (phase + 2 pi offset_hz n / sample_rate_hz)), the phase running on
// across calls. A wrapper of liquid-dsp's nco_crcf (LIQUID_VCO: sin/cos per sample, accurate;
// LIQUID_NCO would use a table with ~1e-3 rad phase error).
class FrequencyOffset {
 public:
  // offset_hz: |offset| < sample_rate / 2; sample_rate_hz > 0.
  static Expected<FrequencyOffset> create(double offset_hz, double sample_rate_hz, double initial_phase_rad = 0.0);
  FrequencyOffset(FrequencyOffset&&) noexcept;
  FrequencyOffset& operator=(FrequencyOffset&&) noexcept;
  ~FrequencyOffset();

  void apply(std::span<Complex> samples);
  void set_phase(double phase_rad);
  double phase() const;  // radians, wrapped
  double offset_hz() const { return offset_hz_; }

 private:
  struct Nco;
  FrequencyOffset(std::unique_ptr<Nco> nco, double offset_hz);
  std::unique_ptr<Nco> nco_;
  double offset_hz_ = 0.0;
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
