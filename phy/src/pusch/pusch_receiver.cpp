#include "airan/phy/pusch/pusch_receiver.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "airan/phy/coding/llr.hpp"
#include "airan/phy/coding/scrambling.hpp"
#include "airan/phy/detail/channel_estimation_math.hpp"
#include "airan/phy/modulation/modulation.hpp"
#include "airan/phy/modulation/transform_precoding.hpp"
#include "airan/phy/pusch/pusch_transmitter.hpp"

namespace airan::phy {
namespace {

using Clock = std::chrono::steady_clock;

double microseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

// Linear interpolation weights in time between the DMRS groups around `symbol` (held constant
// before the first and after the last group).
detail::TimeInterpolationWeight time_weights(const PuschChannelEstimate& est, int symbol) {
  return detail::time_interpolation_weight(est.group_symbol.data(), est.num_groups, symbol);
}

}  // namespace

Status validate(const PuschReceiverConfig& config) {
  if (!(config.llr_gain >= 0.0F && config.llr_gain <= 64.0F)) {
    return Error{fmt::format("llr_gain={} is outside [0, 64] (0 = normalised per slot)", config.llr_gain)};
  }
  return validate(config.decoder);
}

Expected<std::unique_ptr<PuschReceiver>> PuschReceiver::create(const PuschReceiverConfig& config, CpuIsa isa) {
  if (Status s = validate(config); !s) return s.error();
  ChannelEstimatorConfig estimator_config = config.estimator;
  estimator_config.noise_covariance = estimator_config.noise_covariance || config.interference_rejection;
  auto estimator = PuschChannelEstimator::create(estimator_config);
  if (!estimator) return estimator.error();
  auto decoder = SchDecoder::create(config.decoder, isa);
  if (!decoder) return decoder.error();
  return std::unique_ptr<PuschReceiver>(new PuschReceiver(config, std::move(*estimator), std::move(*decoder)));
}

Expected<PuschReceiveResult> PuschReceiver::receive(const PuschPlan& plan, const ResourceGrid& rx, bool new_data,
                                                    HarqSoftBuffer& harq, std::span<std::uint8_t> tb_bits) {
  const PuschConfig& c = plan.config;
  const int layers = c.num_layers;
  if (rx.ports() < layers || rx.ports() > kMaxEqualizerRx) {
    return Error{fmt::format("{} receive ports cannot separate {} layers (1..{} ports, at least one per layer)",
                             rx.ports(), layers, kMaxEqualizerRx)};
  }
  if (static_cast<int>(tb_bits.size()) != plan.tbs) {
    return Error{fmt::format("TB buffer has {} bits, the plan's TBS is {}", tb_bits.size(), plan.tbs)};
  }
  PuschReceiveResult result;
  if (Status s = estimate_and_equalize(plan, rx, result); !s) return s.error();
  const std::size_t symbols = symbols_.size();

  auto start = Clock::now();
  auto modulation = modulation_from_order(plan.modulation_order, c.tp_pi2bpsk && plan.modulation_order == 1);
  if (!modulation) return modulation.error();
  llrs_.resize(static_cast<std::size_t>(plan.g));
  float gain = config_.llr_gain;
  const bool keep_gain = gain == 0.0F && !new_data && harq.matches(plan.sch) && harq.llr_gain() > 0.0F;
  if (keep_gain) {
    gain = harq.llr_gain();  // a retransmission: the first transmission's scale (HarqSoftBuffer)
  } else if (gain == 0.0F) {
    // Normalise: the mean |LLR| of every 16th symbol sets the gain, then one int8 demapping pass.
    constexpr std::size_t kStride = 16;
    const std::size_t samples = (symbols + kStride - 1) / kStride;
    const int qm = plan.modulation_order;
    sample_symbols_.resize(samples);
    sample_noise_.resize(samples);
    for (std::size_t i = 0; i < samples; ++i) {
      sample_symbols_[i] = symbols_[i * kStride];
      sample_noise_[i] = noise_[i * kStride];
    }
    float_llrs_.resize(samples * static_cast<std::size_t>(qm));
    demodulate_soft(*modulation, sample_symbols_, sample_noise_, float_llrs_);
    double magnitude = 0.0;
    for (float l : float_llrs_) magnitude += std::abs(l);
    magnitude /= static_cast<double>(std::max<std::size_t>(float_llrs_.size(), 1));
    gain = static_cast<float>(kTargetMeanLlr / std::max(magnitude, 1e-9));
  }
  demodulate_soft(*modulation, symbols_, noise_, gain, llrs_);

  // Quality metrics from the equalised symbols: EVM against the nearest points, mean SINR.
  hard_symbols_.resize(symbols);
  hard_decision(*modulation, symbols_, hard_symbols_);
  double error_power = 0.0;
  double sinr_sum = 0.0;
  for (std::size_t i = 0; i < symbols; ++i) {
    error_power += std::norm(symbols_[i] - hard_symbols_[i]);
    sinr_sum += 1.0 / std::max(noise_[i], 1e-6F);
  }
  result.evm_percent = symbols ? 100.0 * std::sqrt(error_power / static_cast<double>(symbols)) : 0.0;
  result.sinr_db = symbols ? 10.0 * std::log10(sinr_sum / static_cast<double>(symbols)) : 0.0;

  descramble_llrs(plan.scrambling_c_init, llrs_);
  result.times.demapping_us = microseconds_since(start);

  start = Clock::now();
  auto decoded = decoder_->decode(plan.sch, llrs_, new_data, harq, tb_bits);
  if (!decoded) return decoded.error();
  if (new_data) harq.set_llr_gain(gain);  // decode() reset the buffer for the new TB
  result.times.decoding_us = microseconds_since(start);
  result.decode = *decoded;
  result.tb_crc_ok = decoded->tb_crc_ok;
  return result;
}

Status PuschReceiver::estimate_and_equalize(const PuschPlan& plan, const ResourceGrid& rx, PuschReceiveResult& result) {
  const PuschConfig& c = plan.config;
  const int layers = c.num_layers;
  auto start = Clock::now();
  if (Status s = estimator_->estimate(plan, rx, estimate_); !s) return s.error();
  result.times.channel_estimation_us = microseconds_since(start);
  result.noise_variance = estimate_.noise_variance;
  result.timing_offset_s = estimate_.timing_offset_s;
  result.dmrs_snr_db = estimate_.snr_db;

  // MMSE-IRC: whiten the received grid and the channel estimate with the noise-plus-interference
  // covariance (R = L L^H: y' = L^-1 y, H' = L^-1 H), after which the noise is white with unit
  // variance and plain MMSE rejects the interference.
  const bool whiten = config_.interference_rejection && rx.ports() > 1;
  if (whiten) whiten_inputs(plan, rx);

  // Equalisation symbol by symbol over the whole allocation, then the data REs are picked out
  // in mapping order, straight into codeword order (layer demapping of 6.3.1.3).
  start = Clock::now();
  const int subcarriers = plan.num_subcarriers();
  const std::size_t symbols = static_cast<std::size_t>(plan.data_res) * layers;
  symbols_.resize(symbols);
  noise_.resize(symbols);
  symbol_x_.resize(static_cast<std::size_t>(subcarriers) * layers);
  symbol_nv_.resize(symbol_x_.size());
  std::size_t re = 0;
  for (int l = c.start_symbol; l < c.start_symbol + c.num_symbols; ++l) {
    equalize_symbol(plan, whiten ? whitened_grid_ : rx, whiten ? whitened_estimate_ : estimate_, l);
    const auto copy_re = [&](int k) {
      for (int v = 0; v < layers; ++v) {
        symbols_[re * layers + v] = symbol_x_[static_cast<std::size_t>(k) * layers + v];
        noise_[re * layers + v] = symbol_nv_[static_cast<std::size_t>(k) * layers + v];
      }
      ++re;
    };
    if (!plan.is_dmrs_symbol[l]) {
      for (int k = 0; k < subcarriers; ++k) copy_re(k);
    } else {
      for (int k = 0; k < subcarriers; ++k) {
        if ((plan.dmrs_symbol_data_mask >> (k % 12)) & 1U) copy_re(k);
      }
    }
  }
  if (c.transform_precoding) {
    // Back from DFT-s-OFDM, block by block; the IDFT spreads each RE's noise over the block,
    // so every symbol of a block gets the block's mean noise variance.
    if (!transform_precoder_ || transform_precoder_->subcarriers() != plan.num_subcarriers()) {
      auto precoder = TransformPrecoder::create(c.rb_size);
      if (!precoder) return precoder.error();
      transform_precoder_.emplace(std::move(*precoder));
    }
    if (Status s = transform_precoder_->apply_inverse(symbols_, symbols_); !s) return s.error();
    const std::size_t m = static_cast<std::size_t>(plan.num_subcarriers());
    for (std::size_t block = 0; block + m <= noise_.size(); block += m) {
      double sum = 0.0;
      for (std::size_t i = 0; i < m; ++i) sum += noise_[block + i];
      std::fill(noise_.begin() + static_cast<std::ptrdiff_t>(block),
                noise_.begin() + static_cast<std::ptrdiff_t>(block + m), static_cast<float>(sum / static_cast<double>(m)));
    }
  }
  result.times.equalization_us = microseconds_since(start);
  return Status::ok();
}

Status PuschReceiver::soft_bits(const PuschPlan& plan, const ResourceGrid& rx, std::span<float> llrs) {
  const int layers = plan.config.num_layers;
  if (rx.ports() < layers || rx.ports() > kMaxEqualizerRx) {
    return Error{fmt::format("{} receive ports cannot separate {} layers (1..{} ports, at least one per layer)",
                             rx.ports(), layers, kMaxEqualizerRx)};
  }
  if (static_cast<int>(llrs.size()) != plan.g) {
    return Error{fmt::format("LLR buffer has {} entries, the plan's G is {}", llrs.size(), plan.g)};
  }
  PuschReceiveResult result;
  if (Status s = estimate_and_equalize(plan, rx, result); !s) return s;
  auto modulation = modulation_from_order(plan.modulation_order, plan.config.tp_pi2bpsk && plan.modulation_order == 1);
  if (!modulation) return modulation.error();
  demodulate_soft(*modulation, symbols_, noise_, llrs);
  descramble_llrs(plan.scrambling_c_init, llrs);
  return Status::ok();
}

namespace {

// Lower Cholesky factor of an n x n Hermitian matrix (row-major), with diagonal loading.
void cholesky_lower(const std::vector<Complex>& a, int n, float loading, std::vector<Complex>& l) {
  l.assign(static_cast<std::size_t>(n) * n, Complex{});
  for (int j = 0; j < n; ++j) {
    double d = a[static_cast<std::size_t>(j) * n + j].real() + loading;
    for (int k = 0; k < j; ++k) d -= std::norm(l[static_cast<std::size_t>(j) * n + k]);
    const double ljj = std::sqrt(std::max(d, 1e-20));
    l[static_cast<std::size_t>(j) * n + j] = static_cast<float>(ljj);
    for (int i = j + 1; i < n; ++i) {
      Complex sum = a[static_cast<std::size_t>(i) * n + j];
      for (int k = 0; k < j; ++k) {
        sum -= l[static_cast<std::size_t>(i) * n + k] * std::conj(l[static_cast<std::size_t>(j) * n + k]);
      }
      l[static_cast<std::size_t>(i) * n + j] = sum / static_cast<float>(ljj);
    }
  }
}

// v = L^-1 v for a vector spread over n arrays at index k (forward substitution).
void forward_substitute(const std::vector<Complex>& l, int n, Complex* v) {
  for (int i = 0; i < n; ++i) {
    Complex sum = v[i];
    for (int k = 0; k < i; ++k) sum -= l[static_cast<std::size_t>(i) * n + k] * v[k];
    v[i] = sum / l[static_cast<std::size_t>(i) * n + i].real();
  }
}

}  // namespace

void PuschReceiver::whiten_inputs(const PuschPlan& plan, const ResourceGrid& rx) {
  const PuschConfig& c = plan.config;
  const int ports = rx.ports();
  cholesky_lower(estimate_.noise_covariance, ports, 1e-3F * std::max(estimate_.noise_variance, 1e-12F), whitening_);
  if (whitened_grid_.ports() != ports || whitened_grid_.subcarriers() != rx.subcarriers()) {
    whitened_grid_.resize(ports, rx.symbols(), rx.subcarriers());
  }
  Complex v[kMaxEqualizerRx];
  const int first = plan.first_subcarrier();
  for (int l = c.start_symbol; l < c.start_symbol + c.num_symbols; ++l) {
    for (int k = first; k < first + plan.num_subcarriers(); ++k) {
      for (int r = 0; r < ports; ++r) v[r] = rx.at(r, l, k);
      forward_substitute(whitening_, ports, v);
      for (int r = 0; r < ports; ++r) whitened_grid_.at(r, l, k) = v[r];
    }
  }
  whitened_estimate_ = estimate_;
  for (int g = 0; g < estimate_.num_groups; ++g) {
    for (int p = 0; p < estimate_.layers; ++p) {
      for (int k = 0; k < estimate_.subcarriers; ++k) {
        for (int r = 0; r < ports; ++r) v[r] = estimate_.at(g, r, p)[k];
        forward_substitute(whitening_, ports, v);
        for (int r = 0; r < ports; ++r) whitened_estimate_.at(g, r, p)[k] = v[r];
      }
    }
  }
  whitened_estimate_.noise_variance = 1.0F;  // white, unit variance after whitening
}

void PuschReceiver::equalize_symbol(const PuschPlan& plan, const ResourceGrid& rx, const PuschChannelEstimate& estimate,
                                    int symbol) {
  const int layers = plan.config.num_layers;
  const int rx_ports = rx.ports();
  const int first = plan.first_subcarrier();
  const detail::TimeInterpolationWeight tw = time_weights(estimate, symbol);
  const Complex* h0[kMaxEqualizerRx * kMaxEqualizerLayers];
  const Complex* h1[kMaxEqualizerRx * kMaxEqualizerLayers];
  const Complex* y[kMaxEqualizerRx];
  for (int r = 0; r < rx_ports; ++r) {
    y[r] = rx.symbol(r, symbol).data() + first;
    for (int v = 0; v < layers; ++v) {
      h0[r * layers + v] = estimate.at(tw.g0, r, v);
      h1[r * layers + v] = estimate.at(tw.g1, r, v);
    }
  }
  const auto links = static_cast<std::size_t>(rx_ports * layers);
  equalize_interpolated(config_.equalizer, rx_ports, layers, plan.num_subcarriers(), std::span(h0, links),
                        std::span(h1, links), tw.w1, std::span(y, static_cast<std::size_t>(rx_ports)),
                        estimate.noise_variance, symbol_x_.data(), symbol_nv_.data(), scratch_);
}

}  // namespace airan::phy
