#include "airan/phy/numerology.hpp"

#include <fmt/format.h>

#include <array>

namespace airan::phy {

Expected<int> numerology_from_scs_khz(int scs_khz) {
  for (int mu = 0; mu <= kMaxNumerology; ++mu) {
    if (subcarrier_spacing_khz(mu) == scs_khz) return mu;
  }
  return Error{fmt::format("scs_khz={} is not 15 * 2^mu kHz for mu in 0..{}", scs_khz, kMaxNumerology)};
}

Status Numerology::validate() const {
  if (mu < 0 || mu > kMaxNumerology) return Error{fmt::format("mu={} is outside 0..{}", mu, kMaxNumerology)};
  if (cyclic_prefix == CyclicPrefix::extended && mu != 2) {
    return Error{fmt::format("cyclic_prefix=extended with mu={}: extended CP exists only for mu=2", mu)};
  }
  return Status::ok();
}

bool Numerology::is_long_cp_symbol(int symbol, int slot) const {
  if (cyclic_prefix != CyclicPrefix::normal) return false;
  const int slot_in_subframe = slot & (slots_per_subframe() - 1);
  const int l = slot_in_subframe * symbols_per_slot() + symbol;  // symbol index in the subframe
  return l % (7 << mu) == 0;  // l = 0 or l = 7 * 2^mu (TS 38.211 5.3.1)
}

std::int64_t Numerology::cp_length_tc(int symbol, int slot) const {
  if (cyclic_prefix == CyclicPrefix::extended) return (512 * kKappa) >> mu;
  return ((144 * kKappa) >> mu) + (is_long_cp_symbol(symbol, slot) ? 16 * kKappa : 0);
}

std::int64_t Numerology::symbol_start_tc(int symbol, int slot) const {
  std::int64_t t = 0;
  for (int l = 0; l < symbol; ++l) t += symbol_length_tc(l, slot);
  return t;
}

std::int64_t Numerology::slot_length_tc(int slot) const { return symbol_start_tc(symbols_per_slot(), slot); }

std::int64_t Numerology::slot_start_in_subframe_tc(int slot) const {
  const int slot_in_subframe = slot & (slots_per_subframe() - 1);
  std::int64_t t = 0;
  for (int s = 0; s < slot_in_subframe; ++s) t += slot_length_tc(s);
  return t;
}

double Numerology::slot_start_s(std::int64_t slot_index) const {
  const std::int64_t subframe = slot_index >> mu;
  const int slot_in_subframe = static_cast<int>(slot_index & (slots_per_subframe() - 1));
  return static_cast<double>(subframe) * 1e-3 + static_cast<double>(slot_start_in_subframe_tc(slot_in_subframe)) * kBasicTimeUnitS;
}

namespace {
// T_c -> samples at sample rate N_fft * 15 kHz * 2^mu: N_fft * 2^mu / (2048 * kappa) samples per T_c.
int tc_to_samples(std::int64_t tc, int mu, int fft_size) {
  return static_cast<int>((tc * fft_size << mu) / (2048 * kKappa));
}
}  // namespace

int Numerology::cp_length_samples(int symbol, int slot, int fft_size) const {
  return tc_to_samples(cp_length_tc(symbol, slot), mu, fft_size);
}
int Numerology::symbol_start_samples(int symbol, int slot, int fft_size) const {
  return tc_to_samples(symbol_start_tc(symbol, slot), mu, fft_size);
}
int Numerology::slot_length_samples(int slot, int fft_size) const {
  return tc_to_samples(slot_length_tc(slot), mu, fft_size);
}

bool is_valid_fft_size(int fft_size) {
  return fft_size >= kMinFftSize && fft_size <= kMaxFftSize && fft_size % 128 == 0;
}

Status validate_fft_size(int fft_size) {
  if (!is_valid_fft_size(fft_size)) {
    return Error{fmt::format("fft_size={} is not a multiple of 128 in {}..{}", fft_size, kMinFftSize, kMaxFftSize)};
  }
  return Status::ok();
}

Expected<int> minimal_fft_size(int subcarriers) {
  if (subcarriers < 1) return Error{fmt::format("subcarriers={} is not positive", subcarriers)};
  int n = kMinFftSize;
  while (n < subcarriers) n *= 2;
  if (n > kMaxFftSize) return Error{fmt::format("subcarriers={} exceed the largest FFT size {}", subcarriers, kMaxFftSize)};
  return n;
}

namespace {
// TS 38.104 V17 Table 5.3.2-1, FR1. Columns: channel bandwidth (MHz); 0 = N/A.
constexpr std::array<int, 15> kFr1BandwidthsMhz = {5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100};
constexpr std::array<int, 15> kFr1Scs15 = {25, 52, 79, 106, 133, 160, 188, 216, 242, 270, 0, 0, 0, 0, 0};
constexpr std::array<int, 15> kFr1Scs30 = {11, 24, 38, 51, 65, 78, 92, 106, 119, 133, 162, 189, 217, 245, 273};
constexpr std::array<int, 15> kFr1Scs60 = {0, 11, 18, 24, 31, 38, 44, 51, 58, 65, 79, 93, 107, 121, 135};
// TS 38.104 V17 Table 5.3.2-2, FR2-1.
constexpr std::array<int, 4> kFr2BandwidthsMhz = {50, 100, 200, 400};
constexpr std::array<int, 4> kFr2Scs60 = {66, 132, 264, 0};
constexpr std::array<int, 4> kFr2Scs120 = {32, 66, 132, 264};

template <std::size_t N>
int lookup(const std::array<int, N>& bandwidths, const std::array<int, N>& rbs, int bandwidth_mhz) {
  for (std::size_t i = 0; i < N; ++i) {
    if (bandwidths[i] == bandwidth_mhz) return rbs[i];
  }
  return 0;
}
}  // namespace

Expected<int> max_transmission_bandwidth_rbs(int scs_khz, int bandwidth_mhz, FrequencyRange range) {
  int n_rb = 0;
  const char* range_name = range == FrequencyRange::fr1 ? "FR1" : "FR2";
  if (range == FrequencyRange::fr1) {
    if (scs_khz == 15) n_rb = lookup(kFr1BandwidthsMhz, kFr1Scs15, bandwidth_mhz);
    else if (scs_khz == 30) n_rb = lookup(kFr1BandwidthsMhz, kFr1Scs30, bandwidth_mhz);
    else if (scs_khz == 60) n_rb = lookup(kFr1BandwidthsMhz, kFr1Scs60, bandwidth_mhz);
    else return Error{fmt::format("scs_khz={} is not 15, 30 or 60 in FR1", scs_khz)};
  } else {
    if (scs_khz == 60) n_rb = lookup(kFr2BandwidthsMhz, kFr2Scs60, bandwidth_mhz);
    else if (scs_khz == 120) n_rb = lookup(kFr2BandwidthsMhz, kFr2Scs120, bandwidth_mhz);
    else return Error{fmt::format("scs_khz={} is not 60 or 120 in FR2", scs_khz)};
  }
  if (n_rb == 0) {
    return Error{fmt::format("bandwidth_mhz={} has no N_RB for scs_khz={} in {} (TS 38.104 Table 5.3.2-{})",
                             bandwidth_mhz, scs_khz, range_name, range == FrequencyRange::fr1 ? 1 : 2)};
  }
  return n_rb;
}

Expected<int> minimal_fft_size_for_bandwidth(int scs_khz, int bandwidth_mhz, FrequencyRange range) {
  auto n_rb = max_transmission_bandwidth_rbs(scs_khz, bandwidth_mhz, range);
  if (!n_rb) return n_rb.error();
  return minimal_fft_size(*n_rb * kSubcarriersPerRb);
}

Status CarrierConfig::validate() const {
  if (auto s = numerology.validate(); !s) return s;
  if (n_rb < 1 || n_rb > 275) return Error{fmt::format("n_rb={} is outside 1..275", n_rb)};
  if (auto s = validate_fft_size(fft_size); !s) return s;
  if (fft_size < subcarriers()) {
    return Error{fmt::format("fft_size={} is smaller than the {} subcarriers of n_rb={}", fft_size, subcarriers(), n_rb)};
  }
  if (!(carrier_frequency_hz >= 0.0)) {
    return Error{fmt::format("carrier_frequency_hz={} is negative", carrier_frequency_hz)};
  }
  return Status::ok();
}

}  // namespace airan::phy
