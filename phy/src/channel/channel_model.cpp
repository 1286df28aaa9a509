#include "airan/phy/channel/channel_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <complex>
#include <numbers>
#include <optional>
#include <random>
#include <vector>

#include "airan/phy/channel/impairments.hpp"
#include "airan/phy/channel/tdl_profiles.hpp"

namespace airan::phy {

Status ChannelConfig::validate() const {
  if (tx_ports < 1 || tx_ports > 64) return Error{fmt::format("tx_ports={} is outside 1..64", tx_ports)};
  if (rx_ports < 1 || rx_ports > 64) return Error{fmt::format("rx_ports={} is outside 1..64", rx_ports)};
  if (!(delay_spread_s > 0.0) || delay_spread_s > 10e-6) {
    return Error{fmt::format("delay_spread_s={} is outside (0, 10e-6]", delay_spread_s)};
  }
  if (!(max_doppler_hz >= 0.0) || !std::isfinite(max_doppler_hz)) {
    return Error{fmt::format("max_doppler_hz={} is not a finite non-negative frequency", max_doppler_hz)};
  }
  if (!(block_duration_s >= 0.0) || !std::isfinite(block_duration_s)) {
    return Error{fmt::format("block_duration_s={} is not a finite non-negative duration", block_duration_s)};
  }
  if (!std::isfinite(carrier_frequency_offset_hz)) {
    return Error{fmt::format("carrier_frequency_offset_hz={} is not finite", carrier_frequency_offset_hz)};
  }
  if (!std::isfinite(timing_offset_s) || std::abs(timing_offset_s) > 1e-3) {
    return Error{fmt::format("timing_offset_s={} is outside -1e-3..1e-3", timing_offset_s)};
  }
  if (sinusoids_per_tap < 4 || sinusoids_per_tap > 256) {
    return Error{fmt::format("sinusoids_per_tap={} is outside 4..256", sinusoids_per_tap)};
  }
  return Status::ok();
}

namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;
constexpr int kTimeDomainChunk = 32;  // samples per tap-gain update in apply_time_domain()

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

enum class Mode { identity, fixed, block, doppler };

class FadingChannel final : public ChannelModel {
 public:
  FadingChannel(ChannelConfig config, std::string name, Mode mode, std::vector<double> delays_s,
                std::vector<double> powers, bool los)
      : config_(std::move(config)),
        name_(std::move(name)),
        mode_(mode),
        delays_(std::move(delays_s)),
        powers_(std::move(powers)),
        los_(los),
        pairs_(config_.rx_ports * config_.tx_ports),
        taps_(static_cast<int>(powers_.size())) {
    double total = 0.0;
    for (double p : powers_) total += p;
    for (double& p : powers_) p /= total;
    for (double& d : delays_) d += config_.timing_offset_s;
    amplitude_.resize(powers_.size());
    for (std::size_t p = 0; p < powers_.size(); ++p) amplitude_[p] = std::sqrt(powers_[p]);
    current_.assign(static_cast<std::size_t>(pairs_) * taps_, Complex{});
    block_duration_ = config_.block_duration_s > 0.0 ? config_.block_duration_s : 0.5e-3;

    std::mt19937_64 rng(splitmix64(config_.seed));
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    los_phase_.resize(static_cast<std::size_t>(pairs_));
    for (double& phi : los_phase_) phi = kTwoPi * uniform(rng);
    if (mode_ == Mode::fixed) {
      fixed_.resize(current_.size());
      draw(rng, fixed_);
    } else if (mode_ == Mode::doppler) {
      const int m_count = config_.sinusoids_per_tap;
      const double wd = kTwoPi * config_.max_doppler_hz;
      const std::size_t n = static_cast<std::size_t>(pairs_) * taps_ * m_count;
      omega_.resize(n);
      phase_.resize(n);
      weight_.resize(n);
      for (int q = 0; q < pairs_; ++q) {
        for (int p = 0; p < taps_; ++p) {
          for (int m = 0; m < m_count; ++m) {
            const std::size_t s = (static_cast<std::size_t>(q) * taps_ + p) * m_count + m;
            const double alpha = kTwoPi * (m + uniform(rng)) / m_count;
            const double phi = kTwoPi * uniform(rng);
            if (los_ && p == 0) {  // specular LOS component at f_d cos(pi/4)
              omega_[s] = wd * std::cos(std::numbers::pi / 4);
              phase_[s] = los_phase_[q];
              weight_[s] = m == 0 ? amplitude_[p] : 0.0;
            } else {
              omega_[s] = wd * std::cos(alpha);
              phase_[s] = phi;
              weight_[s] = amplitude_[p] / std::sqrt(static_cast<double>(m_count));
            }
          }
        }
      }
      z_.resize(n);
    }
  }

  const ChannelConfig& config() const override { return config_; }
  std::string_view profile_name() const override { return name_; }
  std::span<const double> tap_delays_s() const override { return delays_; }
  std::span<const double> tap_powers() const override { return powers_; }

  void realize(double time_s) override {
    const double dt = 0.0;
    gains_at(time_s, std::span<const double>(&dt, 1), current_.data());
  }
  Complex tap_gain(int rx, int tx, int tap) const override {
    return current_[(static_cast<std::size_t>(rx) * config_.tx_ports + tx) * taps_ + tap];
  }

  Status apply(const ResourceGrid& tx, ResourceGrid& rx, const Numerology& numerology, std::int64_t slot_index) override;
  std::span<const Complex> frequency_response(int rx, int tx, int symbol) const override {
    const std::size_t k = static_cast<std::size_t>(response_subcarriers_);
    const std::size_t q = static_cast<std::size_t>(rx) * config_.tx_ports + tx;
    const std::size_t offset = (q * response_symbols_ + symbol) * k;
    if (offset + k > response_.size()) return {};
    return {response_.data() + offset, k};
  }

  Status apply_time_domain(std::span<const std::span<const Complex>> tx, std::span<const std::span<Complex>> rx,
                           double start_time_s, double sample_rate_hz) override;
  void reset_time_domain() override {
    td_rate_ = 0.0;
    history_.clear();
  }

 private:
  // CN(0, P_p) per pair and tap; the LOS entry keeps its fixed phase.
  void draw(std::mt19937_64& rng, std::span<Complex> out) {
    std::normal_distribution<double> normal(0.0, std::sqrt(0.5));
    for (int q = 0; q < pairs_; ++q) {
      for (int p = 0; p < taps_; ++p) {
        const double re = normal(rng);
        const double im = normal(rng);
        Complex g;
        if (los_ && p == 0) {
          g = Complex(static_cast<float>(amplitude_[p] * std::cos(los_phase_[q])),
                      static_cast<float>(amplitude_[p] * std::sin(los_phase_[q])));
        } else {
          g = Complex(static_cast<float>(amplitude_[p] * re), static_cast<float>(amplitude_[p] * im));
        }
        out[static_cast<std::size_t>(q) * taps_ + p] = g;
      }
    }
  }

  const std::vector<std::complex<double>>& rotators(double delta) {
    for (auto& [d, rot] : rotator_cache_) {
      if (std::abs(d - delta) < 1e-13) return rot;
    }
    if (rotator_cache_.size() >= 8) rotator_cache_.erase(rotator_cache_.begin());
    std::vector<std::complex<double>> rot(omega_.size());
    for (std::size_t s = 0; s < omega_.size(); ++s) rot[s] = std::polar(1.0, omega_[s] * delta);
    rotator_cache_.emplace_back(delta, std::move(rot));
    return rotator_cache_.back().second;
  }

  // Tap gains at times t0 + dt[i] (dt ascending) into out[i][pair][tap].
  void gains_at(double t0, std::span<const double> dt, Complex* out) {
    const std::size_t per_time = static_cast<std::size_t>(pairs_) * taps_;
    switch (mode_) {
      case Mode::identity:
        for (std::size_t i = 0; i < dt.size(); ++i) {
          for (int r = 0; r < config_.rx_ports; ++r) {
            for (int t = 0; t < config_.tx_ports; ++t) {
              out[i * per_time + static_cast<std::size_t>(r) * config_.tx_ports + t] = r == t ? 1.0F : 0.0F;
            }
          }
        }
        return;
      case Mode::fixed:
        for (std::size_t i = 0; i < dt.size(); ++i) std::copy(fixed_.begin(), fixed_.end(), out + i * per_time);
        return;
      case Mode::block:
        for (std::size_t i = 0; i < dt.size(); ++i) {
          const auto block = static_cast<std::int64_t>(std::floor((t0 + dt[i]) / block_duration_));
          if (!block_valid_ || block != block_index_) {
            block_gains_.resize(per_time);
            std::mt19937_64 rng(splitmix64(config_.seed ^ splitmix64(static_cast<std::uint64_t>(block) + 0x5bd1e995ULL)));
            draw(rng, block_gains_);
            block_index_ = block;
            block_valid_ = true;
          }
          std::copy(block_gains_.begin(), block_gains_.end(), out + i * per_time);
        }
        return;
      case Mode::doppler: {
        const int m_count = config_.sinusoids_per_tap;
        for (std::size_t s = 0; s < omega_.size(); ++s) {
          // The phase in double, reduced before the sin/cos.
          z_[s] = std::polar(weight_[s], std::remainder(omega_[s] * (t0 + dt[0]) + phase_[s], kTwoPi));
        }
        for (std::size_t i = 0; i < dt.size(); ++i) {
          if (i > 0) {
            const auto& rot = rotators(dt[i] - dt[i - 1]);
            for (std::size_t s = 0; s < z_.size(); ++s) z_[s] *= rot[s];
          }
          for (std::size_t e = 0; e < per_time; ++e) {
            std::complex<double> acc{};
            const std::complex<double>* z = z_.data() + e * m_count;
            for (int m = 0; m < m_count; ++m) acc += z[m];
            out[i * per_time + e] = Complex(static_cast<float>(acc.real()), static_cast<float>(acc.imag()));
          }
        }
        return;
      }
    }
  }

  Status set_up_frequency_domain(const Numerology& numerology, int subcarriers);
  Status set_up_time_domain(double sample_rate_hz);

  ChannelConfig config_;
  std::string name_;
  Mode mode_;
  std::vector<double> delays_;
  std::vector<double> powers_;
  std::vector<double> amplitude_;
  bool los_;
  int pairs_;
  int taps_;
  double block_duration_ = 0.0;  // set per application
  std::vector<Complex> current_;
  std::vector<double> los_phase_;
  std::vector<Complex> fixed_;
  std::vector<Complex> block_gains_;
  std::int64_t block_index_ = 0;
  bool block_valid_ = false;
  std::vector<double> omega_, phase_, weight_;
  std::vector<std::complex<double>> z_;
  std::vector<std::pair<double, std::vector<std::complex<double>>>> rotator_cache_;

  // Frequency domain.
  int fd_subcarriers_ = 0;
  double fd_scs_ = 0.0;
  std::vector<float> steer_re_, steer_im_;  // [tap][k]: exp(-j 2 pi f_k tau_p), rows of steer_stride_
  std::size_t steer_stride_ = 0;
  std::vector<float> h_re_, h_im_, y_re_, y_im_;
  std::vector<Complex> gains_;  // [symbol][pair][tap]
  std::vector<double> symbol_dt_, zero_dt_;
  std::vector<Complex> response_;
  int response_symbols_ = 0;
  int response_subcarriers_ = 0;

  // Time domain.
  double td_rate_ = 0.0;
  std::vector<FractionalDelayFilter> filters_;
  int history_length_ = 0;
  int lookahead_ = 0;
  std::vector<Complex> history_;  // [tx][history_length_]
  std::vector<Complex> ext_, delayed_, td_gains_;
  std::vector<double> chunk_dt_;
  std::optional<FrequencyOffset> cfo_;
};

Status FadingChannel::set_up_frequency_domain(const Numerology& numerology, int subcarriers) {
  if (subcarriers == fd_subcarriers_ && numerology.scs_hz() == fd_scs_) return Status::ok();
  fd_subcarriers_ = subcarriers;
  fd_scs_ = numerology.scs_hz();
  const std::size_t k_count = static_cast<std::size_t>(subcarriers);
  steer_stride_ = (k_count + 15) / 16 * 16;  // rows padded with zeros for 16-lane loops
  steer_re_.assign(static_cast<std::size_t>(taps_) * steer_stride_, 0.0F);
  steer_im_.assign(steer_re_.size(), 0.0F);
  const int half = subcarriers / 2;
  for (int p = 0; p < taps_; ++p) {
    // exp(-j 2 pi (k - half) scs tau): the phase in cycles reduced in double.
    const double cycles_per_k = fd_scs_ * delays_[p];
    for (int k = 0; k < subcarriers; ++k) {
      const double cycles = -std::remainder(cycles_per_k * (k - half), 1.0);
      steer_re_[p * steer_stride_ + k] = static_cast<float>(std::cos(kTwoPi * cycles));
      steer_im_[p * steer_stride_ + k] = static_cast<float>(std::sin(kTwoPi * cycles));
    }
  }
  h_re_.resize(steer_stride_);
  h_im_.resize(steer_stride_);
  y_re_.resize(k_count);
  y_im_.resize(k_count);
  return Status::ok();
}

Status FadingChannel::apply(const ResourceGrid& tx, ResourceGrid& rx, const Numerology& numerology,
                            std::int64_t slot_index) {
  if (auto s = numerology.validate(); !s) return s;
  if (tx.ports() != config_.tx_ports) {
    return Error{fmt::format("tx grid ports={} differ from tx_ports={}", tx.ports(), config_.tx_ports)};
  }
  if (slot_index < 0) return Error{fmt::format("slot_index={} is negative", slot_index)};
  const int n_sym = tx.symbols();
  const int n_sc = tx.subcarriers();
  if (n_sym < 1 || n_sym > numerology.symbols_per_slot()) {
    return Error{fmt::format("tx grid symbols={} is outside 1..{}", n_sym, numerology.symbols_per_slot())};
  }
  if (rx.ports() != config_.rx_ports || rx.symbols() != n_sym || rx.subcarriers() != n_sc) {
    rx.resize(config_.rx_ports, n_sym, n_sc);
  }
  if (auto s = set_up_frequency_domain(numerology, n_sc); !s) return s;
  block_duration_ = config_.block_duration_s > 0.0 ? config_.block_duration_s : numerology.nominal_slot_duration_s();

  // Symbol times: the centre of each FFT window.
  const int slot = static_cast<int>(slot_index & (numerology.slots_per_subframe() - 1));
  double t_first = 0.0;
  symbol_dt_.resize(static_cast<std::size_t>(n_sym));
  const double slot_start = numerology.slot_start_s(slot_index);
  for (int l = 0; l < n_sym; ++l) {
    const std::int64_t tc = numerology.symbol_start_tc(l, slot) + numerology.cp_length_tc(l, slot) +
                            numerology.useful_symbol_tc() / 2;
    const double t = static_cast<double>(tc) * kBasicTimeUnitS;
    if (l == 0) t_first = t;
    symbol_dt_[l] = t - t_first;
  }
  const std::size_t per_time = static_cast<std::size_t>(pairs_) * taps_;
  gains_.resize(per_time * n_sym);
  if (mode_ == Mode::block && config_.block_duration_s == 0.0) {
    // One draw per slot: block index = slot index.
    block_duration_ = 1.0;
    zero_dt_.assign(static_cast<std::size_t>(n_sym), 0.0);
    gains_at(static_cast<double>(slot_index) + 0.5, zero_dt_, gains_.data());
  } else {
    gains_at(slot_start + t_first, symbol_dt_, gains_.data());
  }
  if (config_.carrier_frequency_offset_hz != 0.0) {
    const double base = numerology.slot_start_s(slot_index) + t_first;
    for (int l = 0; l < n_sym; ++l) {
      const double cycles = std::remainder(config_.carrier_frequency_offset_hz * (base + symbol_dt_[l]), 1.0);
      const Complex rot(static_cast<float>(std::cos(kTwoPi * cycles)), static_cast<float>(std::sin(kTwoPi * cycles)));
      for (std::size_t e = 0; e < per_time; ++e) gains_[l * per_time + e] *= rot;
    }
  }

  if (config_.keep_frequency_response) {
    response_.resize(static_cast<std::size_t>(pairs_) * n_sym * n_sc);
    response_symbols_ = n_sym;
    response_subcarriers_ = n_sc;
  }
  const std::size_t k_count = static_cast<std::size_t>(n_sc);
  float* __restrict hr = h_re_.data();
  float* __restrict hi = h_im_.data();
  float* __restrict yr = y_re_.data();
  float* __restrict yi = y_im_.data();
  // Blocks of subcarriers so that the steering vectors of a block (taps x 256 x 8 bytes) stay in
  // cache across all pairs and symbols.
  constexpr std::size_t kBlock = 256;
  for (std::size_t k0 = 0; k0 < k_count; k0 += kBlock) {
    const std::size_t kn = std::min(kBlock, k_count - k0);
    for (int r = 0; r < config_.rx_ports; ++r) {
      for (int l = 0; l < n_sym; ++l) {
        std::fill_n(yr, kn, 0.0F);
        std::fill_n(yi, kn, 0.0F);
        for (int t = 0; t < config_.tx_ports; ++t) {
          const std::size_t q = static_cast<std::size_t>(r) * config_.tx_ports + t;
          const Complex* g = gains_.data() + l * per_time + q * taps_;
          std::fill_n(hr, kn, 0.0F);
          std::fill_n(hi, kn, 0.0F);
          for (int p = 0; p < taps_; ++p) {
            const float ar = g[p].real();
            const float ai = g[p].imag();
            if (ar == 0.0F && ai == 0.0F) continue;
            const float* __restrict er = steer_re_.data() + p * steer_stride_ + k0;
            const float* __restrict ei = steer_im_.data() + p * steer_stride_ + k0;
            for (std::size_t k = 0; k < kn; ++k) {
              hr[k] += ar * er[k] - ai * ei[k];
              hi[k] += ar * ei[k] + ai * er[k];
            }
          }
          if (config_.keep_frequency_response) {
            Complex* out = response_.data() + (q * n_sym + l) * k_count + k0;
            for (std::size_t k = 0; k < kn; ++k) out[k] = Complex(hr[k], hi[k]);
          }
          const float* __restrict x = reinterpret_cast<const float*>(tx.symbol(t, l).data() + k0);
          for (std::size_t k = 0; k < kn; ++k) {
            const float xr = x[2 * k];
            const float xi = x[2 * k + 1];
            yr[k] += hr[k] * xr - hi[k] * xi;
            yi[k] += hr[k] * xi + hi[k] * xr;
          }
        }
        float* __restrict y = reinterpret_cast<float*>(rx.symbol(r, l).data() + k0);
        for (std::size_t k = 0; k < kn; ++k) {
          y[2 * k] = yr[k];
          y[2 * k + 1] = yi[k];
        }
      }
    }
  }
  return Status::ok();
}

Status FadingChannel::set_up_time_domain(double sample_rate_hz) {
  if (sample_rate_hz == td_rate_) return Status::ok();
  filters_.clear();
  int history = 0;
  int lookahead = 0;
  for (int p = 0; p < taps_; ++p) {
    const double d = delays_[p] * sample_rate_hz;
    if (d < 0.0) {
      return Error{fmt::format("tap {} has a negative delay {} s (timing_offset_s={}); the time-domain channel is causal",
                               p, delays_[p], config_.timing_offset_s)};
    }
    filters_.push_back(design_fractional_delay(d));
    const FractionalDelayFilter& f = filters_.back();
    history = std::max(history, f.offset + f.taps - 1);
    lookahead = std::max(lookahead, -f.offset);
  }
  history_length_ = history;
  lookahead_ = lookahead;
  history_.assign(static_cast<std::size_t>(config_.tx_ports) * history_length_, Complex{});
  td_rate_ = sample_rate_hz;
  cfo_.reset();
  if (config_.carrier_frequency_offset_hz != 0.0) {
    auto f = FrequencyOffset::create(config_.carrier_frequency_offset_hz, sample_rate_hz);
    if (!f) return Error{"carrier_frequency_offset_hz: " + f.error().message};
    cfo_.emplace(std::move(*f));
  }
  return Status::ok();
}

Status FadingChannel::apply_time_domain(std::span<const std::span<const Complex>> tx, std::span<const std::span<Complex>> rx,
                                        double start_time_s, double sample_rate_hz) {
  if (static_cast<int>(tx.size()) != config_.tx_ports) {
    return Error{fmt::format("tx streams={} differ from tx_ports={}", tx.size(), config_.tx_ports)};
  }
  if (static_cast<int>(rx.size()) != config_.rx_ports) {
    return Error{fmt::format("rx streams={} differ from rx_ports={}", rx.size(), config_.rx_ports)};
  }
  if (!(sample_rate_hz > 0.0) || !std::isfinite(sample_rate_hz)) {
    return Error{fmt::format("sample_rate_hz={} is not positive", sample_rate_hz)};
  }
  const std::size_t n = tx[0].size();
  for (std::size_t i = 0; i < tx.size(); ++i) {
    if (tx[i].size() != n) return Error{fmt::format("tx stream {} size={} differs from {}", i, tx[i].size(), n)};
  }
  for (std::size_t i = 0; i < rx.size(); ++i) {
    if (rx[i].size() != n) return Error{fmt::format("rx stream {} size={} differs from {}", i, rx[i].size(), n)};
  }
  if (mode_ == Mode::block && config_.block_duration_s <= 0.0) {
    return Error{fmt::format("block_duration_s={} must be positive for time-domain block fading", config_.block_duration_s)};
  }
  block_duration_ = config_.block_duration_s;
  if (auto s = set_up_time_domain(sample_rate_hz); !s) return s;

  // Tap gains per chunk of kTimeDomainChunk samples, at the chunk centres.
  const std::size_t chunks = (n + kTimeDomainChunk - 1) / kTimeDomainChunk;
  const std::size_t per_time = static_cast<std::size_t>(pairs_) * taps_;
  chunk_dt_.resize(chunks);
  for (std::size_t c = 0; c < chunks; ++c) chunk_dt_[c] = static_cast<double>(c * kTimeDomainChunk) / sample_rate_hz;
  td_gains_.resize(chunks * per_time);
  gains_at(start_time_s + 0.5 * kTimeDomainChunk / sample_rate_hz, chunk_dt_, td_gains_.data());

  for (auto& y : rx) std::fill(y.begin(), y.end(), Complex{});
  const std::size_t hist = static_cast<std::size_t>(history_length_);
  ext_.resize(hist + n + static_cast<std::size_t>(lookahead_));
  delayed_.resize(n);
  for (int t = 0; t < config_.tx_ports; ++t) {
    Complex* h = history_.data() + static_cast<std::size_t>(t) * hist;
    std::copy_n(h, hist, ext_.begin());
    std::copy(tx[t].begin(), tx[t].end(), ext_.begin() + static_cast<std::ptrdiff_t>(hist));
    std::fill(ext_.begin() + static_cast<std::ptrdiff_t>(hist + n), ext_.end(), Complex{});
    const Complex* x0 = ext_.data() + hist;  // x0[j] = input sample j (j >= -hist)
    for (int p = 0; p < taps_; ++p) {
      const FractionalDelayFilter& f = filters_[p];
      if (f.taps == 1) {
        std::copy_n(x0 - f.offset, n, delayed_.begin());
      } else {
        for (std::size_t i = 0; i < n; ++i) {
          const Complex* x = x0 + static_cast<std::ptrdiff_t>(i) - f.offset;
          float re = 0.0F;
          float im = 0.0F;
          for (int k = 0; k < f.taps; ++k) {
            re += f.h[k] * x[-k].real();
            im += f.h[k] * x[-k].imag();
          }
          delayed_[i] = Complex(re, im);
        }
      }
      for (int r = 0; r < config_.rx_ports; ++r) {
        const std::size_t q = static_cast<std::size_t>(r) * config_.tx_ports + t;
        Complex* y = rx[r].data();
        for (std::size_t c = 0; c < chunks; ++c) {
          const Complex g = td_gains_[c * per_time + q * taps_ + p];
          if (g == Complex{}) continue;
          const std::size_t end = std::min(n, (c + 1) * kTimeDomainChunk);
          for (std::size_t i = c * kTimeDomainChunk; i < end; ++i) {
            const Complex d = delayed_[i];
            y[i] += Complex(g.real() * d.real() - g.imag() * d.imag(), g.real() * d.imag() + g.imag() * d.real());
          }
        }
      }
    }
    std::copy_n(ext_.begin() + static_cast<std::ptrdiff_t>(n), hist, h);
  }
  if (cfo_) {
    const double phase = kTwoPi * std::remainder(config_.carrier_frequency_offset_hz * start_time_s, 1.0);
    for (auto& y : rx) {
      cfo_->set_phase(phase);
      cfo_->apply(y);
    }
  }
  return Status::ok();
}

std::string lower(std::string_view s) {
  std::string out;
  for (char ch : s) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  return out;
}

}  // namespace

Expected<std::unique_ptr<ChannelModel>> make_channel(const ChannelConfig& config) {
  if (auto s = config.validate(); !s) return s.error();
  ChannelConfig c = config;
  const std::string name = lower(c.profile);
  const Mode fading_mode = c.block_fading ? Mode::block : (c.max_doppler_hz > 0.0 ? Mode::doppler : Mode::fixed);
  if (name == "awgn") {
    return std::unique_ptr<ChannelModel>(
        std::make_unique<FadingChannel>(c, "AWGN", Mode::identity, std::vector<double>{0.0}, std::vector<double>{1.0}, false));
  }
  if (name == "rayleigh") {
    return std::unique_ptr<ChannelModel>(
        std::make_unique<FadingChannel>(c, "Rayleigh", fading_mode, std::vector<double>{0.0}, std::vector<double>{1.0}, false));
  }
  // Conformance profiles with a Doppler suffix: "tdla30-10".
  std::string_view base = c.profile;
  if (const auto dash = base.rfind('-'); dash != std::string_view::npos && dash + 1 < base.size()) {
    const std::string_view suffix = base.substr(dash + 1);
    const std::string head = lower(base.substr(0, dash));
    if (head == "tdla30" || head == "tdlb100" || head == "tdlc300") {
      int hz = 0;
      const auto [ptr, ec] = std::from_chars(suffix.data(), suffix.data() + suffix.size(), hz);
      if (ec != std::errc() || ptr != suffix.data() + suffix.size() || hz < 0) {
        return Error{fmt::format("profile '{}' has a Doppler suffix '{}' that is not a whole number of Hz", c.profile, suffix)};
      }
      if (c.max_doppler_hz != 0.0 && c.max_doppler_hz != hz) {
        return Error{fmt::format("profile '{}' says {} Hz but max_doppler_hz={}", c.profile, hz, c.max_doppler_hz)};
      }
      c.max_doppler_hz = hz;
      base = base.substr(0, dash);
    }
  }
  auto profile = find_tdl_profile(base);
  if (!profile) {
    return Error{fmt::format("profile '{}' is unknown (awgn, rayleigh, tdl-a..tdl-e, tdla30, tdlb100, tdlc300[-<doppler hz>])",
                             c.profile)};
  }
  const Mode mode = c.block_fading ? Mode::block : (c.max_doppler_hz > 0.0 ? Mode::doppler : Mode::fixed);
  std::vector<double> delays(profile->delays.begin(), profile->delays.end());
  std::vector<double> powers;
  for (double& d : delays) d *= profile->delays_in_ns ? 1e-9 : c.delay_spread_s;
  for (double db : profile->powers_db) powers.push_back(std::pow(10.0, db / 10.0));
  return std::unique_ptr<ChannelModel>(std::make_unique<FadingChannel>(c, std::string(profile->name), mode, std::move(delays),
                                                                      std::move(powers), profile->los));
}

}  // namespace airan::phy
