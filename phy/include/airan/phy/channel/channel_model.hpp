// Fading MIMO channel models for tests and simulation, reproducible from a seed.
//
// Profiles (ChannelConfig::profile, case-insensitive; '-' and '_' ignored in TDL names):
//   "awgn"                      identity: rx port r gets tx port r (zero when r >= tx ports)
//   "rayleigh"                  flat Rayleigh, i.i.d. CN(0,1) per rx/tx pair
//   "tdl-a" .. "tdl-e"          TR 38.901 7.7.2, normalized delays x delay_spread_s
//   "tdla30", "tdlb100", "tdlc300"
//                               TS 38.104/38.141 conformance profiles (delays in ns, not scaled);
//                               an optional "-<hz>" suffix sets the maximum Doppler
//                               ("tdla30-10", "tdlb100-400", "tdlc300-100").
// Tap powers are normalized to a total of 1 (for TDL-D/E the LOS entry included). Every rx/tx pair
// has independent taps (uncorrelated antennas) with the same power-delay profile.
//
// Time variation, per tap and pair:
//   max_doppler_hz > 0   sum of sinusoids (Clarke/Jakes): a(t) = sqrt(P/M) sum_m exp(j(2 pi f_d
//                        cos(alpha_m) t + phi_m)), alpha_m = 2 pi (m + u_m) / M, u_m, phi_m
//                        uniform; autocorrelation J0(2 pi f_d tau) on average over seeds, classic
//                        U-shaped Doppler spectrum. The LOS entry of TDL-D/E is a single phasor
//                        at f_d cos(pi / 4).
//   max_doppler_hz == 0  static: one CN(0, P) draw per tap (block_fading = false), or
//   block_fading         an independent draw per block (per slot in apply(); every
//                        block_duration_s in apply_time_domain()).
//   (liquid-dsp 1.5 has no per-tap Rayleigh/Jakes generator: its channel_cccf/tvmpch_cccf model a
//   single random FIR with a first-order random walk, which has neither the Jakes spectrum nor a
//   TDL power-delay profile, so the sum of sinusoids is written here.)
//
// Impairments: carrier_frequency_offset_hz rotates the received signal by exp(j 2 pi cfo t)
// (time domain: exactly, per sample, see FrequencyOffset; frequency domain: the common phase at each
// symbol's FFT-window centre; the inter-carrier interference of a CFO is only present in the
// time-domain path). timing_offset_s delays every tap (frequency domain: a phase ramp, valid while
// the total delay stays within the cyclic prefix; time domain: a (fractional) delay, must be >= 0).
//
// Two ways to apply:
//   apply()              frequency domain, on a ResourceGrid: H[rx][tx][symbol][k] = sum_p
//                        a_p(t_l) exp(-j 2 pi f_k tau_p), a_p evaluated at the centre of symbol
//                        l's FFT window, f_k = (k - floor(K/2)) scs (the OFDM module's convention).
//                        Assumes the channel constant within a symbol and delays within the CP.
//                        rx[r] = sum_t H[r][t] tx[t]. No allocation once warm (same sizes).
//   apply_time_domain()  on IQ samples (e.g. from OfdmModulator), as a tapped delay line with
//                        fractional delays (windowed-sinc filters designed with liquid-dsp's
//                        liquid_firdes_kaiser, 33 taps), tap gains updated every 32 samples.
//                        Streaming: consecutive calls continue the signal (the delay line keeps
//                        the previous call's tail). The interpolators look up to 16 samples ahead;
//                        input after the end of a call is taken as zero, so taps with a fractional
//                        delay shorter than 16 samples are slightly truncated over the last
//                        16 samples of each call.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "airan/phy/expected.hpp"
#include "airan/phy/numerology.hpp"
#include "airan/phy/resource_grid.hpp"

namespace airan::phy {

struct ChannelConfig {
  std::string profile = "awgn";
  int tx_ports = 1;
  int rx_ports = 1;
  double delay_spread_s = 100e-9;    // TDL-A..E only: RMS delay spread scaling the normalized delays
  double max_doppler_hz = 0.0;       // f_d
  bool block_fading = false;         // independent draw per block instead of a continuous process
  double block_duration_s = 0.0;     // 0: one slot (frequency domain); must be set for time domain
  double carrier_frequency_offset_hz = 0.0;
  double timing_offset_s = 0.0;
  std::uint64_t seed = 1;
  int sinusoids_per_tap = 16;        // M of the sum of sinusoids
  bool keep_frequency_response = false;  // keep H of the last apply() for frequency_response()

  // Checks the numbers (ports 1..64, delay spread 0 < DS <= 10 us, Doppler, block duration,
  // sinusoids 4..256, finite offsets); the profile name is checked by make_channel().
  Status validate() const;
};

class ChannelModel {
 public:
  virtual ~ChannelModel() = default;

  virtual const ChannelConfig& config() const = 0;
  int tx_ports() const { return config().tx_ports; }
  int rx_ports() const { return config().rx_ports; }
  // Canonical profile name ("AWGN", "Rayleigh", "TDL-A", "TDLA30", ...).
  virtual std::string_view profile_name() const = 0;

  // Power-delay profile: delays (s, timing offset included) and linear powers (sum 1).
  virtual std::span<const double> tap_delays_s() const = 0;
  virtual std::span<const double> tap_powers() const = 0;
  int taps() const { return static_cast<int>(tap_powers().size()); }

  // Evaluates the complex tap gains at time_s; read them with tap_gain(). (Block fading: the block
  // of time_s for block_duration_s, 0.5 ms when that is 0.)
  virtual void realize(double time_s) = 0;
  virtual Complex tap_gain(int rx, int tx, int tap) const = 0;

  // Frequency-domain application of slot `slot_index` (slots counted from time 0 in
  // `numerology`): tx has tx_ports ports; rx is resized to rx_ports x symbols x subcarriers of tx
  // when its shape differs, then overwritten.
  virtual Status apply(const ResourceGrid& tx, ResourceGrid& rx, const Numerology& numerology,
                       std::int64_t slot_index) = 0;
  // H[rx][tx][symbol][*] of the last apply() (needs keep_frequency_response).
  virtual std::span<const Complex> frequency_response(int rx, int tx, int symbol) const = 0;

  // Time-domain application: tx[t] and rx[r] spans of one common length, samples at
  // sample_rate_hz starting at start_time_s. Keeps the delay-line history for the next call
  // (reset_time_domain() clears it; a change of sample rate clears it too).
  virtual Status apply_time_domain(std::span<const std::span<const Complex>> tx,
                                   std::span<const std::span<Complex>> rx, double start_time_s,
                                   double sample_rate_hz) = 0;
  virtual void reset_time_domain() = 0;
};

// Builds the model of config.profile; errors name an unknown profile or a bad parameter.
Expected<std::unique_ptr<ChannelModel>> make_channel(const ChannelConfig& config);

}  // namespace airan::phy
