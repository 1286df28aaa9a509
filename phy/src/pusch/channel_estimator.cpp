#include "airan/phy/pusch/channel_estimator.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>

#include <fmt/format.h>

#include "airan/phy/detail/channel_estimation_math.hpp"
#include "airan/phy/fftw_planner.hpp"
#include "airan/phy/pusch/dmrs.hpp"

namespace airan::phy {
namespace {

// In-place forward and backward complex FFTs of one size, planned once.
class FftPair {
 public:
  explicit FftPair(int n) : n_(n), buffer_(static_cast<std::size_t>(n)) {
    std::lock_guard lock(fftw_planner_mutex());
    auto* data = reinterpret_cast<fftwf_complex*>(buffer_.data());
    forward_ = fftwf_plan_dft_1d(n, data, data, FFTW_FORWARD, FFTW_ESTIMATE);
    backward_ = fftwf_plan_dft_1d(n, data, data, FFTW_BACKWARD, FFTW_ESTIMATE);
  }
  ~FftPair() {
    std::lock_guard lock(fftw_planner_mutex());
    fftwf_destroy_plan(forward_);
    fftwf_destroy_plan(backward_);
  }
  FftPair(const FftPair&) = delete;
  FftPair& operator=(const FftPair&) = delete;

  std::span<Complex> buffer() { return buffer_; }
  void forward() { fftwf_execute(forward_); }
  void backward() { fftwf_execute(backward_); }
  int size() const { return n_; }

 private:
  int n_;
  std::vector<Complex> buffer_;
  fftwf_plan forward_;
  fftwf_plan backward_;
};

class CpuPuschChannelEstimator final : public PuschChannelEstimator {
 public:
  explicit CpuPuschChannelEstimator(const ChannelEstimatorConfig& config) : config_(config) {}

  Status estimate(const PuschPlan& plan, const ResourceGrid& rx, PuschChannelEstimate& out) override {
    const PuschConfig& c = plan.config;
    if (rx.symbols() != kSymbolsPerSlot || rx.subcarriers() != 12 * c.bwp_size || rx.ports() < 1) {
      return Error{fmt::format("received grid is {} ports x {} symbols x {} subcarriers; the plan needs >= 1 x 14 x {}",
                               rx.ports(), rx.symbols(), rx.subcarriers(), 12 * c.bwp_size)};
    }
    const DmrsLayout layout = dmrs_layout(c.dmrs.config_type);
    const int layers = c.num_layers;
    const int dmrs_res = layout.res_per_prb * c.rb_size;
    const int pairs = dmrs_res / 2;
    const int length = c.dmrs.length;

    out.rx_ports = rx.ports();
    out.layers = layers;
    out.subcarriers = plan.num_subcarriers();
    out.num_groups = plan.num_dmrs_symbols / length;
    out.h.resize(static_cast<std::size_t>(out.num_groups) * out.rx_ports * layers * out.subcarriers);

    // DMRS of every layer on every DMRS symbol.
    dmrs_.resize(static_cast<std::size_t>(plan.num_dmrs_symbols) * kMaxPuschLayers * dmrs_res);
    for (int s = 0; s < plan.num_dmrs_symbols; ++s) {
      for (int p = 0; p < layers; ++p) generate_pusch_dmrs(plan, p, s, dmrs_span(s, p, dmrs_res));
    }

    pair_h_.resize(static_cast<std::size_t>(pairs));
    const double beta2 = plan.beta_dmrs * plan.beta_dmrs;
    Complex phase_acc{};
    double channel_power = 0.0;
    double residual = 0.0;
    double residual_dof = 0.0;
    for (int g = 0; g < out.num_groups; ++g) {
      const int first = g * length;
      out.group_symbol[g] = plan.dmrs_symbols[first] + 0.5 * (length - 1);
      for (int r = 0; r < out.rx_ports; ++r) {
        for (int p = 0; p < layers; ++p) {
          const int delta = dmrs_port_parameters(c.dmrs.config_type, c.dmrs.ports[p]).delta;
          // Least squares per pair, despread by the layer's OCC (its DMRS values carry w_f, w_t).
          std::fill(pair_h_.begin(), pair_h_.end(), Complex{});
          for (int s = first; s < first + length; ++s) {
            const auto y = rx.symbol(r, plan.dmrs_symbols[s]);
            const auto v = dmrs_span(s, p, dmrs_res);
            for (int j = 0; j < dmrs_res; ++j) {
              pair_h_[j / 2] += detail::from_hd(
                  detail::ls_term(detail::to_hd(y[dmrs_subcarrier(plan, layout, delta, j)]), detail::to_hd(v[j])));
            }
          }
          const float norm = detail::ls_pair_normalization(length, beta2);
          for (auto& h : pair_h_) h *= norm;
          for (int n = 0; n + 1 < pairs; ++n) phase_acc += pair_h_[n + 1] * std::conj(pair_h_[n]);
          // The part of the LS estimates outside the delay window is noise: it measures the
          // noise whatever the interpolation, with (n - kept) degrees of freedom.
          const double kept = denoise(layout);
          for (int n = 0; n < pairs; ++n) residual += std::norm(pair_h_[n] - smooth_[n]);
          residual_dof += pairs - kept;
          if (config_.interpolation == FrequencyInterpolation::dft) std::copy(smooth_.begin(), smooth_.end(), pair_h_.begin());
          for (const auto& h : pair_h_) channel_power += std::norm(h);
          interpolate(layout, delta, out.at(g, r, p), out.subcarriers);
        }
      }
    }
    channel_power /= static_cast<double>(out.num_groups) * out.rx_ports * layers * pairs;

    const double scs_hz = 15e3 * (1 << c.numerology);
    out.timing_offset_s = -std::arg(phase_acc) / (2.0 * std::numbers::pi * layout.period * scs_hz);
    // A pair estimate averages 2 * length REs of noise variance sigma^2 / beta^2 each.
    out.noise_variance = detail::noise_variance_from_residual(residual, residual_dof, length, beta2);
    if (config_.noise_covariance) {
      estimate_covariance(plan, rx, out, layout, dmrs_res);
    } else {
      out.noise_covariance.clear();
    }
    out.snr_db = 10.0 * std::log10(std::max(channel_power, 1e-30) / std::max<double>(out.noise_variance, 1e-30));
    return Status::ok();
  }

 private:
  std::span<Complex> dmrs_span(int symbol_index, int layer, int dmrs_res) {
    return {dmrs_.data() + (static_cast<std::size_t>(symbol_index) * kMaxPuschLayers + layer) * dmrs_res,
            static_cast<std::size_t>(dmrs_res)};
  }

  // smooth_ = the pair estimates with every tap outside the delay window dropped (noise).
  // Two steps keep the band edges clean: the mean phase slope (the timing offset) is removed
  // first, and the sequence is mirrored to twice its length, so that it has no jump where the
  // DFT wraps around; the delays then sit symmetric around zero. Returns the degrees of
  // freedom kept, in units of pair estimates.
  double denoise(const DmrsLayout& layout) {
    const int n = static_cast<int>(pair_h_.size());
    smooth_.resize(pair_h_.size());
    if (n < 4) {
      std::copy(pair_h_.begin(), pair_h_.end(), smooth_.begin());
      return n;
    }
    Complex slope_acc{};
    for (int i = 0; i + 1 < n; ++i) slope_acc += pair_h_[i + 1] * std::conj(pair_h_[i]);
    const double slope = std::arg(slope_acc);
    const int m = 2 * n;
    auto it = ffts_.find(m);
    if (it == ffts_.end()) it = ffts_.emplace(m, std::make_unique<FftPair>(m)).first;
    FftPair& fft = *it->second;
    auto buffer = fft.buffer();
    // The rotation advances by a fixed step: a double-precision phasor recursion instead of a
    // sine and cosine per element.
    const std::complex<double> step = std::polar(1.0, -slope);
    std::complex<double> phasor = 1.0;
    for (int i = 0; i < n; ++i) {
      const Complex derotated = pair_h_[i] * Complex(phasor);
      buffer[i] = derotated;
      buffer[m - 1 - i] = derotated;
      phasor *= step;
    }
    fft.backward();  // to the delay domain
    // One tap spans 1 / (m * period * scs) seconds; the symbol lasts 1 / scs. With the slope
    // removed, the channel's delays spread around zero: keep +-window.
    const double window = config_.dft_delay_window - config_.dft_early_window;
    // At most half the taps are kept, so that even a small allocation leaves residual degrees
    // of freedom to measure the noise with.
    const int half = std::clamp(static_cast<int>(std::ceil(window * m * layout.period)), 1, n / 2 - 1);
    std::fill(buffer.begin() + half + 1, buffer.end() - half, Complex{});
    fft.forward();
    const double scale = 1.0 / static_cast<double>(m);
    phasor = scale;
    for (int i = 0; i < n; ++i) {
      smooth_[i] = buffer[i] * Complex(phasor);
      phasor *= std::conj(step);
    }
    // The mirrored sequence is even, so keeping taps -half..half keeps half + 1 independent
    // (cosine) components of the n pair estimates.
    return static_cast<double>(half + 1);
  }

  // Linear interpolation from pair centres to every subcarrier of the allocation; flat beyond
  // the first and last centre.
  void interpolate(const DmrsLayout& layout, int delta, Complex* h, int subcarriers) const {
    const int pairs = static_cast<int>(pair_h_.size());
    const double centre0 = detail::first_pair_centre(delta, layout.pair_step);
    for (int k = 0; k < subcarriers; ++k) {
      const detail::InterpolationWeight w = detail::frequency_interpolation_weight(k, centre0, layout.period, pairs);
      h[k] = detail::from_hd(detail::interpolate(detail::to_hd(pair_h_[w.n0]), detail::to_hd(pair_h_[w.n1]), w.w));
    }
  }

  // Residual outer products e e^H over the DMRS REs (e: received minus every layer's estimated
  // contribution, across receive ports), scaled to the calibrated scalar noise variance.
  void estimate_covariance(const PuschPlan& plan, const ResourceGrid& rx, PuschChannelEstimate& est,
                           const DmrsLayout& layout, int dmrs_res) {
    const PuschConfig& c = plan.config;
    const int ports = est.rx_ports;
    est.noise_covariance.assign(static_cast<std::size_t>(ports) * ports, Complex{});
    std::vector<std::complex<double>> acc(static_cast<std::size_t>(ports) * ports);
    Complex e[kMaxRxPortsForCovariance];
    const int length = c.dmrs.length;
    for (int g = 0; g < est.num_groups; ++g) {
      for (int s = g * length; s < (g + 1) * length; ++s) {
        const int symbol = plan.dmrs_symbols[s];
        for (int group = 0; group < 3; ++group) {
          bool used = false;
          for (int p = 0; p < c.num_layers; ++p) {
            used = used || dmrs_port_parameters(c.dmrs.config_type, c.dmrs.ports[p]).cdm_group == group;
          }
          if (!used) continue;
          const int delta = c.dmrs.config_type == 1 ? group : 2 * group;
          for (int j = 0; j < dmrs_res; ++j) {
            const int sc = dmrs_subcarrier(plan, layout, delta, j);
            const int k = sc - plan.first_subcarrier();
            for (int r = 0; r < ports; ++r) {
              Complex v = rx.at(r, symbol, sc);
              for (int p = 0; p < c.num_layers; ++p) {
                if (dmrs_port_parameters(c.dmrs.config_type, c.dmrs.ports[p]).cdm_group != group) continue;
                v -= est.at(g, r, p)[k] * dmrs_span(s, p, dmrs_res)[j];
              }
              e[r] = v;
            }
            for (int a = 0; a < ports; ++a) {
              for (int b = 0; b < ports; ++b) acc[static_cast<std::size_t>(a) * ports + b] += e[a] * std::conj(e[b]);
            }
          }
        }
      }
    }
    double trace = 0.0;
    for (int a = 0; a < ports; ++a) trace += acc[static_cast<std::size_t>(a) * ports + a].real();
    const double scale = trace > 0.0 ? ports * static_cast<double>(est.noise_variance) / trace : 0.0;
    for (std::size_t i = 0; i < acc.size(); ++i) est.noise_covariance[i] = Complex(acc[i] * scale);
  }

  static constexpr int kMaxRxPortsForCovariance = 16;
  ChannelEstimatorConfig config_;
  std::vector<Complex> dmrs_;
  std::vector<Complex> pair_h_;
  std::vector<Complex> smooth_;
  std::map<int, std::unique_ptr<FftPair>> ffts_;
};

}  // namespace

Expected<std::unique_ptr<PuschChannelEstimator>> PuschChannelEstimator::create(const ChannelEstimatorConfig& config) {
  if (!(config.dft_delay_window > 0.0 && config.dft_delay_window < 1.0) ||
      !(config.dft_early_window >= 0.0 && config.dft_early_window < 1.0)) {
    return Error{fmt::format("channel estimator DFT windows {} / {} must lie in (0, 1) and [0, 1)",
                             config.dft_delay_window, config.dft_early_window)};
  }
  return std::unique_ptr<PuschChannelEstimator>(new CpuPuschChannelEstimator(config));
}

}  // namespace airan::phy
