#include "airan/phy/ofdm/ofdm.hpp"

#include "airan/phy/detail/gpu_ofdm_kernels.hpp"
#include "airan/phy/detail/ofdm_math.hpp"

#include <fftw3.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

// liquid-dsp has OFDM framing (ofdmframegen/ofdmflexframe) but with its own subcarrier allocation,
// frame structure and scaling; NR needs the 38.211 CP pattern and grid mapping, so the
// modulator is written here on FFTW (liquid's own FFT also wraps FFTW when available).

namespace airan::phy {

namespace {

struct FftwDeleter {
  void operator()(fftwf_complex* p) const { fftwf_free(p); }
};
using FftwBuffer = std::unique_ptr<fftwf_complex[], FftwDeleter>;

// One FFTW plan of size n in one direction with its own aligned input and output buffers.
class FftPlan {
 public:
  FftPlan(int n, int sign, FftPlanEffort effort)
      : n_(n),
        in_(static_cast<fftwf_complex*>(fftwf_malloc(sizeof(fftwf_complex) * n))),
        out_(static_cast<fftwf_complex*>(fftwf_malloc(sizeof(fftwf_complex) * n))) {
    std::lock_guard lock(fftw_planner_mutex());
    plan_ = fftwf_plan_dft_1d(n, in_.get(), out_.get(), sign,
                              effort == FftPlanEffort::measure ? FFTW_MEASURE : FFTW_ESTIMATE);
    std::fill_n(input().begin(), n, Complex{});  // MEASURE overwrites the buffers
  }
  FftPlan(const FftPlan&) = delete;
  FftPlan& operator=(const FftPlan&) = delete;
  ~FftPlan() {
    std::lock_guard lock(fftw_planner_mutex());
    fftwf_destroy_plan(plan_);
  }
  std::span<Complex> input() { return {reinterpret_cast<Complex*>(in_.get()), static_cast<std::size_t>(n_)}; }
  std::span<const Complex> output() const {
    return {reinterpret_cast<const Complex*>(out_.get()), static_cast<std::size_t>(n_)};
  }
  void execute() { fftwf_execute(plan_); }

 private:
  int n_;
  FftwBuffer in_;
  FftwBuffer out_;
  fftwf_plan plan_ = nullptr;
};

// exp(sign * j 2 pi f0 (t_start,l + N_CP,l T_c)) of symbol l of slot `slot` of the subframe,
// t_start,l from the start of the subframe (38.211 5.4); 1 when the phase is off.
Complex upconversion_phase(const OfdmConfig& c, int slot, int l, double sign) {
  if (!c.upconversion_phase) return Complex{1.0F, 0.0F};
  const Numerology& n = c.numerology;
  const double f0_tc = c.carrier_frequency_hz * kBasicTimeUnitS;  // cycles per T_c
  const std::int64_t t = n.slot_start_in_subframe_tc(slot) + n.symbol_start_tc(l, slot) + n.cp_length_tc(l, slot);
  const double cycles = std::fmod(f0_tc * static_cast<double>(t), 1.0);
  const double phi = sign * 2.0 * std::numbers::pi * cycles;
  return Complex(static_cast<float>(std::cos(phi)), static_cast<float>(std::sin(phi)));
}

// The phases per [slot in subframe][symbol].
std::vector<Complex> upconversion_phases(const OfdmConfig& c, double sign) {
  const Numerology& n = c.numerology;
  std::vector<Complex> phases(static_cast<std::size_t>(n.slots_per_subframe()) * n.symbols_per_slot(), Complex{1.0F, 0.0F});
  for (int slot = 0; slot < n.slots_per_subframe(); ++slot) {
    for (int l = 0; l < n.symbols_per_slot(); ++l) {
      phases[static_cast<std::size_t>(slot) * n.symbols_per_slot() + l] = upconversion_phase(c, slot, l, sign);
    }
  }
  return phases;
}

Status check_grid(const OfdmConfig& c, const ResourceGrid& grid, int port, std::size_t samples, int slot) {
  if (port < 0 || port >= grid.ports()) return Error{fmt::format("port={} is outside 0..{}", port, grid.ports() - 1)};
  if (grid.symbols() != c.numerology.symbols_per_slot()) {
    return Error{fmt::format("grid symbols={} differ from the {} symbols per slot", grid.symbols(),
                             c.numerology.symbols_per_slot())};
  }
  if (grid.subcarriers() != c.grid_subcarriers) {
    return Error{fmt::format("grid subcarriers={} differ from grid_subcarriers={}", grid.subcarriers(), c.grid_subcarriers)};
  }
  if (slot < 0) return Error{fmt::format("slot={} is negative", slot)};
  const auto expected = static_cast<std::size_t>(c.slot_samples(slot));
  if (samples != expected) {
    return Error{fmt::format("time_samples size={} differs from the {} samples of slot {}", samples, expected, slot)};
  }
  return Status::ok();
}

inline Complex cmul(Complex a, Complex b) {  // no NaN/Inf recovery (__mulsc3) in the inner loops
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

}  // namespace

Status OfdmConfig::validate() const {
  if (auto s = numerology.validate(); !s) return s;
  if (auto s = validate_fft_size(fft_size); !s) return s;
  if (grid_subcarriers < 1 || grid_subcarriers > fft_size) {
    return Error{fmt::format("grid_subcarriers={} is outside 1..fft_size={}", grid_subcarriers, fft_size)};
  }
  int min_cp = fft_size;
  for (int slot = 0; slot < numerology.slots_per_subframe(); ++slot) {
    for (int l = 0; l < numerology.symbols_per_slot(); ++l) {
      min_cp = std::min(min_cp, numerology.cp_length_samples(l, slot, fft_size));
    }
  }
  if (fft_window_offset < 0 || fft_window_offset > min_cp) {
    return Error{fmt::format("fft_window_offset={} is outside 0..{} (the shortest CP)", fft_window_offset, min_cp)};
  }
  if (!(carrier_frequency_hz >= 0.0) || !std::isfinite(carrier_frequency_hz)) {
    return Error{fmt::format("carrier_frequency_hz={} is not a finite non-negative frequency", carrier_frequency_hz)};
  }
  return Status::ok();
}

// ---------------------------------------------------------------------------------------------
struct OfdmModulator::Impl {
  explicit Impl(const OfdmConfig& c)
      : config(c), fft(c.fft_size, FFTW_BACKWARD, c.plan_effort), phases(upconversion_phases(c, -1.0)) {}
  OfdmConfig config;
  FftPlan fft;
  std::vector<Complex> phases;
};

Expected<OfdmModulator> OfdmModulator::create(const OfdmConfig& config) {
  if (auto s = config.validate(); !s) return s.error();
  return OfdmModulator(std::make_unique<Impl>(config));
}
OfdmModulator::OfdmModulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OfdmModulator::OfdmModulator(OfdmModulator&&) noexcept = default;
OfdmModulator& OfdmModulator::operator=(OfdmModulator&&) noexcept = default;
OfdmModulator::~OfdmModulator() = default;
const OfdmConfig& OfdmModulator::config() const { return impl_->config; }

Status OfdmModulator::modulate(const ResourceGrid& grid, int port, std::span<Complex> time_samples, int slot) {
  const OfdmConfig& c = impl_->config;
  if (auto s = check_grid(c, grid, port, time_samples.size(), slot); !s) return s;
  const Numerology& num = c.numerology;
  const int n_fft = c.fft_size;
  const int n_grid = c.grid_subcarriers;
  const int half = n_grid / 2;
  const float scale = 1.0F / std::sqrt(static_cast<float>(n_fft));
  const int slot_in_subframe = slot & (num.slots_per_subframe() - 1);
  std::span<Complex> in = impl_->fft.input();  // bins outside the grid stay zero
  std::size_t pos = 0;
  for (int l = 0; l < num.symbols_per_slot(); ++l) {
    const Complex g = impl_->phases[static_cast<std::size_t>(slot_in_subframe) * num.symbols_per_slot() + l] * scale;
    std::span<const Complex> re = grid.symbol(port, l);
    // k < half -> bins n_fft - half + k; k >= half -> bins k - half.
    Complex* low = in.data() + (n_fft - half);
    for (int k = 0; k < half; ++k) low[k] = cmul(re[k], g);
    for (int k = half; k < n_grid; ++k) in[k - half] = cmul(re[k], g);
    impl_->fft.execute();
    std::span<const Complex> out = impl_->fft.output();
    const int cp = num.cp_length_samples(l, slot, n_fft);
    std::copy(out.end() - cp, out.end(), time_samples.begin() + pos);
    std::copy(out.begin(), out.end(), time_samples.begin() + pos + cp);
    pos += static_cast<std::size_t>(cp + n_fft);
  }
  return Status::ok();
}

// ---------------------------------------------------------------------------------------------
struct OfdmDemodulator::Impl {
  explicit Impl(const OfdmConfig& c)
      : config(c), fft(c.fft_size, FFTW_FORWARD, c.plan_effort), phases(upconversion_phases(c, +1.0)) {
    // The window starts `offset` samples early: bin m picks up exp(-j 2 pi m offset / N_fft);
    // multiply by the inverse, folded together with the 1/sqrt(N) scaling.
    // (detail/ofdm_math.hpp: the GPU demodulator builds the same table.)
    ramp.resize(static_cast<std::size_t>(c.grid_subcarriers));
    for (int k = 0; k < c.grid_subcarriers; ++k) {
      ramp[k] = detail::from_hd(detail::ofdm_demod_ramp(k, c.grid_subcarriers, c.fft_size, c.fft_window_offset));
    }
  }
  OfdmConfig config;
  FftPlan fft;
  std::vector<Complex> phases;
  std::vector<Complex> ramp;
};

Expected<OfdmDemodulator> OfdmDemodulator::create(const OfdmConfig& config) {
  if (auto s = config.validate(); !s) return s.error();
  return OfdmDemodulator(std::make_unique<Impl>(config));
}
OfdmDemodulator::OfdmDemodulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OfdmDemodulator::OfdmDemodulator(OfdmDemodulator&&) noexcept = default;
OfdmDemodulator& OfdmDemodulator::operator=(OfdmDemodulator&&) noexcept = default;
OfdmDemodulator::~OfdmDemodulator() = default;
const OfdmConfig& OfdmDemodulator::config() const { return impl_->config; }

Status OfdmDemodulator::demodulate(std::span<const Complex> time_samples, ResourceGrid& grid, int port, int slot) {
  const OfdmConfig& c = impl_->config;
  if (auto s = check_grid(c, grid, port, time_samples.size(), slot); !s) return s;
  const Numerology& num = c.numerology;
  const int n_fft = c.fft_size;
  const int n_grid = c.grid_subcarriers;
  const int half = n_grid / 2;
  const int slot_in_subframe = slot & (num.slots_per_subframe() - 1);
  const Complex* ramp = impl_->ramp.data();
  // Index rules and per-RE arithmetic of detail/ofdm_math.hpp (which the GPU demodulator runs);
  // the loops are split at the DC bin so that they stay branch-free and vectorise.
  const auto hd = [](Complex v) { return detail::to_hd(v); };
  std::size_t pos = 0;
  for (int l = 0; l < num.symbols_per_slot(); ++l) {
    const int cp = num.cp_length_samples(l, slot, n_fft);
    const int window = detail::ofdm_window_start(static_cast<int>(pos), cp, c.fft_window_offset);
    const auto start = time_samples.begin() + window;
    std::copy(start, start + n_fft, impl_->fft.input().begin());
    impl_->fft.execute();
    std::span<const Complex> out = impl_->fft.output();
    const Complex g = impl_->phases[static_cast<std::size_t>(slot_in_subframe) * num.symbols_per_slot() + l];
    std::span<Complex> re = grid.symbol(port, l);
    const Complex* low = out.data() + detail::ofdm_bin(0, n_grid, n_fft);   // k < half
    const Complex* high = out.data() + detail::ofdm_bin(half, n_grid, n_fft);         // k >= half, from k = half
    if (g == Complex{1.0F, 0.0F}) {
      for (int k = 0; k < half; ++k) re[k] = detail::from_hd(detail::ofdm_cmul(hd(low[k]), hd(ramp[k])));
      for (int k = half; k < n_grid; ++k) re[k] = detail::from_hd(detail::ofdm_cmul(hd(high[k - half]), hd(ramp[k])));
    } else {
      for (int k = 0; k < half; ++k) re[k] = detail::from_hd(detail::ofdm_demod_value(hd(low[k]), hd(ramp[k]), hd(g)));
      for (int k = half; k < n_grid; ++k) {
        re[k] = detail::from_hd(detail::ofdm_demod_value(hd(high[k - half]), hd(ramp[k]), hd(g)));
      }
    }
    pos += static_cast<std::size_t>(cp + n_fft);
  }
  return Status::ok();
}

namespace detail {

Status fill_ofdm_slot_descriptor(const OfdmConfig& c, int slot, int ports, OfdmSlotDescriptor& out) {
  const Numerology& num = c.numerology;
  if (slot < 0) return Error{fmt::format("slot={} is negative", slot)};
  if (num.symbols_per_slot() > kOfdmMaxSymbols) {
    return Error{fmt::format("{} symbols per slot, at most {}", num.symbols_per_slot(), kOfdmMaxSymbols)};
  }
  out = OfdmSlotDescriptor{};
  out.ports = ports;
  const int slot_in_subframe = slot & (num.slots_per_subframe() - 1);
  int pos = 0;  // as OfdmDemodulator::demodulate walks the slot
  for (int l = 0; l < num.symbols_per_slot(); ++l) {
    const int cp = num.cp_length_samples(l, slot, c.fft_size);
    out.window_start[l] = ofdm_window_start(pos, cp, c.fft_window_offset);
    out.phase[l] = to_hd(upconversion_phase(c, slot_in_subframe, l, +1.0));
    pos += cp + c.fft_size;
  }
  return Status::ok();
}

}  // namespace detail

}  // namespace airan::phy
