// OFDM modulation and demodulation of one slot (TS 38.211 5.3.1, 5.4), for time-domain IQ:
// split-8 captures and simulation.
//
// Subcarrier convention (38.211 5.3.1 with k0 = 0): subcarrier k of an N_grid-subcarrier grid has
// frequency (k - floor(N_grid / 2)) * scs and sits at FFT bin (k - floor(N_grid / 2)) mod N_fft.
// Subcarrier floor(N_grid / 2) is on DC (NR does not skip the DC subcarrier); the lower half of the
// grid occupies the top FFT bins.
//
// Scaling: unitary FFTs (1 / sqrt(N_fft) both ways), so demodulate(modulate(grid)) == grid to
// float rounding and the mean time-domain power is (occupied subcarriers / N_fft) * mean RE power.
//
// Time layout of a slot: for each symbol, cp_length_samples() cyclic prefix then N_fft samples;
// the slot is Numerology::slot_length_samples(slot, N_fft) samples long. Which symbols get the
// longer cyclic prefix depends on the slot index within the subframe, hence the `slot` argument.
//
// FFT window offset (demodulator): the FFT window of each symbol starts `fft_window_offset`
// samples before the end of the cyclic prefix (0 = the ideal position; some samples into the CP
// tolerate timing error in both directions). The resulting linear phase is compensated per
// subcarrier, so a perfectly timed signal still demodulates to the transmitted grid.
//
// Upconversion phase (38.211 5.4, optional, off by default): symbol l is multiplied by
// exp(-j 2 pi f0 (t_start,l + N_CP,l T_c)), t_start,l measured from the start of the subframe,
// and the demodulator undoes it; a receiver that mixes to baseband at f0 then sees the phase the
// standard defines.
//
// FFTW plans are made once at creation (under fftw_planner_mutex(): FFTW's planner is not
// thread-safe; anyone else in the process making FFTW plans must take it too) and executed with
// the new-array interface on buffers owned by the object: modulate/demodulate never allocate. One
// object must not be used by two threads at once; create one per thread.
#pragma once

#include <memory>
#include <mutex>
#include <span>

#include "airan/phy/expected.hpp"
#include "airan/phy/fftw_planner.hpp"
#include "airan/phy/numerology.hpp"
#include "airan/phy/resource_grid.hpp"

namespace airan::phy {


enum class FftPlanEffort { estimate, measure };

struct OfdmConfig {
  Numerology numerology;
  int fft_size = 4096;
  int grid_subcarriers = 273 * kSubcarriersPerRb;
  int fft_window_offset = 0;            // samples into the CP, 0..shortest CP of the slot
  bool upconversion_phase = false;      // 38.211 5.4 phase compensation
  double carrier_frequency_hz = 0.0;    // f0, used when upconversion_phase
  FftPlanEffort plan_effort = FftPlanEffort::measure;

  // Errors name the field and value: numerology, fft_size (multiple of 128 in 128..8192),
  // grid_subcarriers (1..fft_size), fft_window_offset, carrier_frequency_hz.
  Status validate() const;
  int slot_samples(int slot = 0) const { return numerology.slot_length_samples(slot, fft_size); }
  double sample_rate_hz() const { return numerology.sample_rate_hz(fft_size); }
};

class OfdmModulator {
 public:
  static Expected<OfdmModulator> create(const OfdmConfig& config);
  OfdmModulator(OfdmModulator&&) noexcept;
  OfdmModulator& operator=(OfdmModulator&&) noexcept;
  ~OfdmModulator();

  const OfdmConfig& config() const;
  int slot_samples(int slot = 0) const { return config().slot_samples(slot); }

  // Writes the slot of `port` of `grid` (symbols_per_slot x grid_subcarriers) into
  // `time_samples` (exactly slot_samples(slot) long). `slot` is the slot index (only its position
  // in the subframe matters, for CP lengths and the upconversion phase).
  Status modulate(const ResourceGrid& grid, int port, std::span<Complex> time_samples, int slot = 0);

 private:
  struct Impl;
  explicit OfdmModulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class OfdmDemodulator {
 public:
  static Expected<OfdmDemodulator> create(const OfdmConfig& config);
  OfdmDemodulator(OfdmDemodulator&&) noexcept;
  OfdmDemodulator& operator=(OfdmDemodulator&&) noexcept;
  ~OfdmDemodulator();

  const OfdmConfig& config() const;
  int slot_samples(int slot = 0) const { return config().slot_samples(slot); }

  // Reads one slot (exactly slot_samples(slot) samples) into port `port` of `grid`
  // (symbols_per_slot x grid_subcarriers, port < grid.ports()).
  Status demodulate(std::span<const Complex> time_samples, ResourceGrid& grid, int port, int slot = 0);

 private:
  struct Impl;
  explicit OfdmDemodulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace airan::phy
