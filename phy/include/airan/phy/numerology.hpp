// NR numerology, frame structure and carrier sizing.
//
// TS 38.211 4.2 (numerologies), 4.3 (frame structure), 5.3.1 (OFDM symbol and cyclic-prefix
// lengths); TS 38.104 5.3.2 (maximum transmission bandwidth N_RB).
//
// Every quantity is a formula in mu, so the 6G-ready numerologies mu = 5, 6 (480, 960 kHz) work
// wherever TS 38.211 defines them. Durations are exact integers in units of the basic time unit
// T_c = 1 / (480 kHz * 4096) internally; in samples at an FFT size N_fft the sample rate is
// N_fft * scs, so one useful symbol is N_fft samples, a normal cyclic prefix 144 * N_fft / 2048
// samples, the first symbol of every 0.5 ms 16 * 2^mu * N_fft / 2048 samples more and an
// extended cyclic prefix 512 * N_fft / 2048 samples (e.g. mu = 1, N_fft = 4096: 352 / 288;
// mu = 0, N_fft = 2048: 160 / 144).
#pragma once

#include <cstdint>

#include "airan/phy/expected.hpp"

namespace airan::phy {

enum class CyclicPrefix { normal, extended };
enum class FrequencyRange { fr1, fr2 };  // fr2: FR2-1 (24.25..52.6 GHz)

inline constexpr int kMaxNumerology = 6;         // mu = 0..6 (15 .. 960 kHz)
inline constexpr int kSubcarriersPerRb = 12;
inline constexpr int kMinFftSize = 128;
inline constexpr int kMaxFftSize = 8192;
inline constexpr double kBasicTimeUnitS = 1.0 / (480e3 * 4096.0);  // T_c
inline constexpr std::int64_t kKappa = 64;                         // T_s / T_c

// 15 * 2^mu kHz; mu must be in 0..kMaxNumerology.
constexpr int subcarrier_spacing_khz(int mu) { return 15 << mu; }
// mu of a subcarrier spacing (15, 30, ..., 960 kHz); error naming the value otherwise.
Expected<int> numerology_from_scs_khz(int scs_khz);

struct Numerology {
  int mu = 1;
  CyclicPrefix cyclic_prefix = CyclicPrefix::normal;

  // mu in 0..6, extended CP only with mu = 2 (TS 38.211 4.2, Table 4.2-1).
  Status validate() const;

  int scs_khz() const { return subcarrier_spacing_khz(mu); }
  double scs_hz() const { return 15e3 * static_cast<double>(1 << mu); }
  int symbols_per_slot() const { return cyclic_prefix == CyclicPrefix::normal ? 14 : 12; }
  int slots_per_subframe() const { return 1 << mu; }
  int slots_per_frame() const { return 10 << mu; }
  int symbols_per_subframe() const { return symbols_per_slot() << mu; }

  // Sample rate N_fft * scs.
  double sample_rate_hz(int fft_size) const { return fft_size * scs_hz(); }

  // Lengths in T_c. `slot` is any slot index (only slot mod slots_per_subframe matters);
  // `symbol` is 0..symbols_per_slot()-1.
  std::int64_t useful_symbol_tc() const { return (2048 * kKappa) >> mu; }
  std::int64_t cp_length_tc(int symbol, int slot = 0) const;
  std::int64_t symbol_length_tc(int symbol, int slot = 0) const { return cp_length_tc(symbol, slot) + useful_symbol_tc(); }
  // Start of a symbol (its cyclic prefix) from the start of its slot, and of a slot from the start
  // of its subframe (slots holding a long-CP symbol are 16 kappa T_c longer).
  std::int64_t symbol_start_tc(int symbol, int slot = 0) const;
  std::int64_t slot_length_tc(int slot = 0) const;
  std::int64_t slot_start_in_subframe_tc(int slot) const;
  // True when `symbol` of `slot` is the first symbol of a 0.5 ms half-subframe (normal CP).
  bool is_long_cp_symbol(int symbol, int slot = 0) const;

  // The same in seconds. slot_start_s counts slots from time 0 (subframe 0, slot 0).
  double slot_duration_s(int slot = 0) const { return static_cast<double>(slot_length_tc(slot)) * kBasicTimeUnitS; }
  double symbol_start_s(int symbol, int slot = 0) const { return static_cast<double>(symbol_start_tc(symbol, slot)) * kBasicTimeUnitS; }
  double slot_start_s(std::int64_t slot_index) const;
  double nominal_slot_duration_s() const { return 1e-3 / slots_per_subframe(); }

  // The same in samples at an FFT size (see is_valid_fft_size()); exact integers.
  int cp_length_samples(int symbol, int slot, int fft_size) const;
  int symbol_length_samples(int symbol, int slot, int fft_size) const { return cp_length_samples(symbol, slot, fft_size) + fft_size; }
  int symbol_start_samples(int symbol, int slot, int fft_size) const;
  int slot_length_samples(int slot, int fft_size) const;
};

// FFT sizes whose cyclic prefixes are whole samples: multiples of 128 from 128 to 8192
// (128..4096 powers of two and 8192 as usual, also 1536 and 3072).
bool is_valid_fft_size(int fft_size);
Status validate_fft_size(int fft_size);
// The smallest power-of-two FFT size >= max(subcarriers, 128); error when above 8192.
Expected<int> minimal_fft_size(int subcarriers);

// TS 38.104 Table 5.3.2-1 (FR1: 15/30/60 kHz x 5..100 MHz) and 5.3.2-2 (FR2-1: 60/120 kHz x
// 50..400 MHz). Errors name the combination that has no entry.
Expected<int> max_transmission_bandwidth_rbs(int scs_khz, int bandwidth_mhz, FrequencyRange range);
// minimal_fft_size(12 * N_RB) of that table entry.
Expected<int> minimal_fft_size_for_bandwidth(int scs_khz, int bandwidth_mhz, FrequencyRange range);

// One carrier: numerology, size in resource blocks, FFT size and (for the 38.211 5.4 upconversion
// phase) the carrier frequency.
struct CarrierConfig {
  Numerology numerology;
  int n_rb = 273;
  int fft_size = 4096;
  double carrier_frequency_hz = 3.5e9;

  int subcarriers() const { return n_rb * kSubcarriersPerRb; }
  double sample_rate_hz() const { return numerology.sample_rate_hz(fft_size); }
  // numerology valid, 1 <= n_rb <= 275, fft_size valid and >= 12 n_rb, carrier frequency >= 0.
  Status validate() const;
};

}  // namespace airan::phy
