// The GPU front end's kernels, run on the CPU: every thread of every kernel of
// detail/pusch_front_end_kernels.hpp in a loop (the denoising block's steps as the kernel
// orders them), on host buffers of the GPU layout, against PuschReceiver::soft_bits. This
// checks the descriptors, indexing and orchestration of the GPU code without a GPU; what only
// a device can check (barriers, shuffles, launch sizes, the CUDA runtime) is left to tests/gpu.
// The tolerance is the GPU tests': the DFT denoiser here also sums directly, not by FFT.
#include <gtest/gtest.h>

#include "../../support/random_channel.hpp"

#include <fftw3.h>

#include <cmath>
#include <mutex>
#include <numbers>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "airan/phy/coding/llr.hpp"
#include "airan/phy/detail/pusch_front_end_kernels.hpp"
#include "airan/phy/fftw_planner.hpp"
#include "airan/phy/pusch/pusch_receiver.hpp"
#include "airan/phy/pusch/pusch_transmitter.hpp"

namespace airan::phy {
namespace {

using detail::ComplexF;

Complex cn(std::mt19937_64& e) { return test::random_cn(e); }

// The GPU front end's buffers in host memory, sized as create() sizes them.
struct HostFrontEnd {
  int max_prbs;
  std::vector<detail::UeDescriptor> ues;
  std::vector<detail::QamDemapTable> tables;
  std::vector<ComplexF> grid, pairs, channel, symbols;
  std::vector<double> residuals;
  std::vector<std::uint32_t> dmrs_words, scrambling_words;
  std::vector<float> noise, llrs, noise_variances;
  std::vector<ComplexF> tp_dmrs, tp_work, tp_filters;
  detail::FrontEndBuffers b{};

  HostFrontEnd(int max_ues, int max_prbs_, int grid_prbs, int max_rx, int max_layers, int max_qm, int cells = 1)
      : max_prbs(max_prbs_), ues(static_cast<std::size_t>(max_ues)), tables(detail::kDemapMaxBitsPerDim + 1) {
    for (int k = 2; k <= detail::kDemapMaxBitsPerDim; ++k) tables[k] = detail::qam_demap_table(k);
    b.max_rx = max_rx;
    b.max_layers = max_layers;
    b.max_subcarriers = 12 * max_prbs;
    b.max_symbols = static_cast<std::size_t>(b.max_subcarriers) * kSymbolsPerSlot * max_layers;
    b.max_llrs = b.max_symbols * static_cast<std::size_t>(max_qm);
    b.max_scrambling_words = static_cast<int>((b.max_llrs + 31) / 32);
    b.grid_subcarriers = 12 * grid_prbs;
    const auto u = static_cast<std::size_t>(max_ues);
    const std::size_t links = u * detail::kFrontEndMaxGroups * max_rx * max_layers;
    grid.resize(static_cast<std::size_t>(cells) * max_rx * kSymbolsPerSlot * b.grid_subcarriers);
    pairs.resize(links * detail::kMaxPairs);
    channel.resize(links * b.max_subcarriers);
    residuals.resize(links);
    dmrs_words.resize(u * detail::kFrontEndMaxDmrsSymbols * detail::kDmrsWordsPerSymbol);
    scrambling_words.resize(u * b.max_scrambling_words);
    symbols.resize(u * b.max_symbols);
    noise.resize(u * b.max_symbols);
    llrs.resize(u * b.max_llrs);
    noise_variances.resize(u);
    b.ues = ues.data();
    b.qam_tables = tables.data();
    b.grid = grid.data();
    b.pair_estimates = pairs.data();
    b.channel = channel.data();
    b.residuals = residuals.data();
    b.dmrs_words = dmrs_words.data();
    b.scrambling_words = scrambling_words.data();
    b.symbols = symbols.data();
    b.symbol_noise = noise.data();
    b.llrs = llrs.data();
    b.noise_variances = noise_variances.data();
  }

  // As create() with GpuPuschFrontEndConfig::transform_precoding: the buffers and the filter
  // spectra (FFTW in place of cuFFT).
  void enable_transform_precoding() {
    const int n_fft = detail::transform_precoding_fft_size(max_prbs);
    const int filters = detail::transform_precoding_filter_count(max_prbs);
    tp_dmrs.assign(ues.size() * 2 * detail::kMaxPairs, ComplexF{0.0F, 0.0F});
    tp_work.assign(ues.size() * kSymbolsPerSlot * n_fft, ComplexF{0.0F, 0.0F});
    tp_filters.assign(static_cast<std::size_t>(filters) * n_fft, ComplexF{0.0F, 0.0F});
    int row = 0;
    for (int n = 1; n <= max_prbs; ++n) {
      if (detail::transform_precoding_filter_index(n) < 0) continue;
      EXPECT_EQ(detail::transform_precoding_filter_index(n), row);
      for (int i = 0; i < n_fft; ++i) {
        tp_filters[static_cast<std::size_t>(row) * n_fft + i] = detail::tp_filter_element(i, 12 * n, n_fft);
      }
      ++row;
    }
    fft_rows(tp_filters, filters, n_fft, FFTW_FORWARD);
    b.tp_dmrs = tp_dmrs.data();
    b.tp_work = tp_work.data();
    b.tp_filters = tp_filters.data();
    b.tp_fft_size = n_fft;
  }

  // The batched cuFFT C2C transform (unnormalised, in place) on the CPU.
  static void fft_rows(std::vector<ComplexF>& data, int rows, int n, int sign) {
    fftwf_plan plan = nullptr;
    {
      std::lock_guard lock(fftw_planner_mutex());
      auto* p = reinterpret_cast<fftwf_complex*>(data.data());
      plan = fftwf_plan_many_dft(1, &n, rows, p, nullptr, 1, n, p, nullptr, 1, n, sign, FFTW_ESTIMATE);
    }
    ASSERT_NE(plan, nullptr);
    fftwf_execute(plan);
    std::lock_guard lock(fftw_planner_mutex());
    fftwf_destroy_plan(plan);
  }

  // The transform-precoding kernels between equalize and demap, in the launch order.
  void transform_precoding() {
    if (b.tp_fft_size == 0) return;
    const int n_ues = static_cast<int>(ues.size());
    for (int u = 0; u < n_ues; ++u) {
      for (int block = 0; block < kSymbolsPerSlot; ++block) detail::tp_noise_block_serial(b, u, block);
      for (std::size_t t = 0; t < detail::tp_row_threads(b); ++t) detail::tp_pre_thread(b, u, t);
    }
    fft_rows(tp_work, n_ues * kSymbolsPerSlot, b.tp_fft_size, FFTW_FORWARD);
    for (int u = 0; u < n_ues; ++u) {
      for (std::size_t t = 0; t < detail::tp_row_threads(b); ++t) detail::tp_filter_thread(b, u, t);
    }
    fft_rows(tp_work, n_ues * kSymbolsPerSlot, b.tp_fft_size, FFTW_BACKWARD);
    for (int u = 0; u < n_ues; ++u) {
      for (std::size_t t = 0; t < detail::tp_post_threads(b); ++t) detail::tp_post_thread(b, u, t);
    }
  }

  // The denoise_interpolate kernel's block for one link, its steps in the kernel's order.
  void denoise_block(int ue, int link) {
    const detail::UeDescriptor& d = ues[static_cast<std::size_t>(ue)];
    int g = 0;
    int r = 0;
    int p = 0;
    if (!detail::decode_link(b, d, link, g, r, p)) return;
    const int n = d.pairs;
    const std::size_t index = detail::link_index(b, ue, g, r, p);
    std::vector<ComplexF> pair(pairs.begin() + static_cast<std::ptrdiff_t>(index * detail::kMaxPairs),
                               pairs.begin() + static_cast<std::ptrdiff_t>(index * detail::kMaxPairs + n));
    double residual = 0.0;
    if (d.taps_half > 0) {
      const int m = 2 * n;
      const int half = d.taps_half;
      double slope_re = 0.0;
      double slope_im = 0.0;
      for (int i = 0; i + 1 < n; ++i) {
        const ComplexF c = detail::mul_conj(pair[i + 1], pair[i]);
        slope_re += c.re;
        slope_im += c.im;
      }
      const double slope = std::atan2(slope_im, slope_re);
      std::vector<ComplexF> twiddle(static_cast<std::size_t>(m));
      for (int q = 0; q < m; ++q) {
        const double angle = std::numbers::pi * (2.0 * q / m);
        twiddle[q] = {static_cast<float>(std::cos(angle)), static_cast<float>(std::sin(angle))};
      }
      std::vector<ComplexF> derotated(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) {
        derotated[i] = detail::rotate(pair[i], static_cast<float>(std::cos(-slope * i)),
                                      static_cast<float>(std::sin(-slope * i)));
      }
      std::vector<ComplexF> taps(static_cast<std::size_t>(2 * half + 1));
      for (int ti = 0; ti < 2 * half + 1; ++ti) taps[ti] = detail::denoise_tap(derotated.data(), twiddle.data(), n, half, ti);
      const float scale = 1.0F / static_cast<float>(m);
      for (int i = 0; i < n; ++i) {
        const ComplexF smooth = detail::rotate(detail::denoise_element(taps.data(), twiddle.data(), n, half, i),
                                               static_cast<float>(std::cos(slope * i)),
                                               static_cast<float>(std::sin(slope * i))) *
                                scale;
        residual += detail::norm(pair[i] - smooth);
        derotated[i] = smooth;
      }
      if (d.dft) pair = derotated;
    }
    residuals[index] = residual;
    for (int k = 0; k < d.subcarriers; ++k) detail::interpolate_thread(b, d, ue, g, r, p, pair.data(), k);
  }

  void run() {
    const int n_ues = static_cast<int>(ues.size());
    for (int u = 0; u < n_ues; ++u) {
      for (std::size_t t = 0; t < detail::sequence_threads(b); ++t) detail::sequence_thread(b, u, static_cast<int>(t));
    }
    for (int u = 0; u < n_ues; ++u) {
      for (std::size_t t = 0; t < detail::ls_threads(b, max_prbs); ++t) detail::ls_thread(b, u, static_cast<int>(t));
    }
    for (int u = 0; u < n_ues; ++u) {
      for (int link = 0; link < detail::kFrontEndMaxGroups * b.max_rx * b.max_layers; ++link) denoise_block(u, link);
    }
    for (int u = 0; u < n_ues; ++u) {
      for (std::size_t t = 0; t < detail::equalize_threads(b); ++t) detail::equalize_thread(b, u, static_cast<int>(t));
    }
    transform_precoding();
    for (int u = 0; u < n_ues; ++u) {
      for (std::size_t i = 0; i < b.max_symbols; ++i) detail::demap_thread(b, u, i);
    }
  }

  std::span<const float> llrs_of(int ue) const {
    return {llrs.data() + static_cast<std::size_t>(ue) * b.max_llrs, static_cast<std::size_t>(ues[ue].g)};
  }
};

// As tests/gpu: |difference| <= 1e-3 (mean |LLR| + |LLR|) for 99.9% of LLRs, 99.9% sign agreement.
std::string compare(std::span<const float> got, std::span<const float> cpu) {
  if (got.size() != cpu.size()) return "sizes differ";
  double mean = 0.0;
  for (float v : cpu) mean += std::abs(v);
  mean /= static_cast<double>(std::max<std::size_t>(cpu.size(), 1));
  std::size_t outside = 0;
  std::size_t signed_count = 0;
  std::size_t flips = 0;
  double worst = 0.0;
  for (std::size_t i = 0; i < cpu.size(); ++i) {
    const double tolerance = 1e-3 * (mean + std::abs(cpu[i]));
    const double difference = std::abs(static_cast<double>(got[i]) - cpu[i]);
    worst = std::max(worst, difference / mean);
    if (!(difference <= tolerance)) ++outside;
    if (std::abs(cpu[i]) > tolerance) {
      ++signed_count;
      flips += (got[i] < 0.0F) != (cpu[i] < 0.0F);
    }
  }
  if (static_cast<double>(outside) <= 1e-3 * static_cast<double>(cpu.size()) &&
      static_cast<double>(flips) <= 1e-3 * static_cast<double>(signed_count)) {
    return "";
  }
  std::ostringstream s;
  s << outside << " of " << cpu.size() << " outside the tolerance, " << flips << " sign flips; worst "
    << worst << " x mean |LLR| (" << mean << ")";
  return s.str();
}

PuschPlan make_plan(std::mt19937_64& e, int layers, int mcs, int bwp_start, int bwp_size, int rb_start, int rb_size,
                    int dmrs_type, int dmrs_length, int additional_position, int cdm_groups_without_data) {
  PuschConfig c;
  c.n_cell_id = static_cast<int>(e() % 1008);
  c.slot_number = static_cast<int>(e() % 20);
  c.bwp_start = bwp_start;
  c.bwp_size = bwp_size;
  c.rb_start = rb_start;
  c.rb_size = rb_size;
  c.rnti = static_cast<std::uint16_t>(1 + e() % 65000);
  c.num_layers = layers;
  c.num_antenna_ports = layers;
  c.dmrs.config_type = dmrs_type;
  c.dmrs.length = dmrs_length;
  c.dmrs.additional_position = additional_position;
  c.dmrs.num_cdm_groups_without_data = cdm_groups_without_data;
  c.dmrs.n_scid = static_cast<int>(e() % 2);
  c.dmrs.n_id = {static_cast<std::uint16_t>(e() % 65536), static_cast<std::uint16_t>(e() % 65536)};
  c.mcs_table = McsTable::qam256;
  c.mcs_index = mcs;
  auto plan = plan_pusch(c);
  EXPECT_TRUE(plan.has_value()) << (plan ? "" : plan.error().message);
  return *plan;
}

std::vector<std::uint8_t> add_ue(const PuschPlan& plan, std::mt19937_64& e, ResourceGrid& rx) {
  std::vector<std::uint8_t> tb(static_cast<std::size_t>(plan.tbs));
  for (auto& bit : tb) bit = static_cast<std::uint8_t>(e() & 1U);
  PuschTransmitter transmitter;
  ResourceGrid tx;
  EXPECT_TRUE(transmitter.transmit(plan, tb, tx).is_ok());
  test::add_through_random_channel(tx, plan.config.num_layers, rx, 0, e);
  return tb;
}

// True when the LLRs decode to `tb` (CRC and bits).
bool decodes(std::span<const float> llrs, const PuschPlan& plan, const std::vector<std::uint8_t>& tb) {
  double mean = 0.0;
  for (float v : llrs) mean += std::abs(v);
  mean /= static_cast<double>(std::max<std::size_t>(llrs.size(), 1));
  std::vector<Llr> soft(llrs.size());
  quantize_llrs(llrs, static_cast<float>(kTargetMeanLlr / mean), soft);
  auto decoder = SchDecoder::create(LdpcDecoderConfig{});
  if (!decoder) return false;
  HarqSoftBuffer harq;
  std::vector<std::uint8_t> decoded(tb.size(), 2);
  auto result = (*decoder)->decode(plan.sch, soft, true, harq, decoded);
  return result.has_value() && result->tb_crc_ok && decoded == tb;
}

struct Scenario {
  FrequencyInterpolation interpolation;
  EqualizerType equalizer;
};

// Three UEs (1, 2 and 4 layers; 256QAM, 64QAM, 16QAM; DMRS types 1 and 2, single and double
// symbol) in one BWP that starts 20 PRBs into a 273-PRB cell grid, 4 receive ports.
void check(const Scenario& scenario, std::uint64_t seed) {
  std::mt19937_64 e(seed);
  constexpr int kRx = 4;
  constexpr int kCellPrbs = 273;
  constexpr int kBwpPrbs = 250;
  constexpr int kBwpOffset = 20;
  std::vector<PuschPlan> plans;
  // Data beside the DMRS for the first two (CDM groups without data 1 and 2), none for the third.
  plans.push_back(make_plan(e, 1, 24, 3, kBwpPrbs, 0, 120, 1, 1, 2, 1));
  plans.push_back(make_plan(e, 2, 15, 3, kBwpPrbs, 120, 3, 2, 2, 1, 2));
  plans.push_back(make_plan(e, 4, 8, 3, kBwpPrbs, 123, 127, 2, 1, 1, 3));
  ResourceGrid bwp(kRx, kSymbolsPerSlot, 12 * kBwpPrbs);
  std::vector<std::vector<std::uint8_t>> tbs;
  for (const auto& plan : plans) tbs.push_back(add_ue(plan, e, bwp));
  const float sigma = std::pow(10.0F, -20.0F / 20.0F);
  for (auto& v : bwp.data()) v += sigma * cn(e);

  HostFrontEnd front_end(static_cast<int>(plans.size()), 273, kCellPrbs, kRx, 4, 8);
  for (auto& v : front_end.grid) v = ComplexF{9.0F, -9.0F};  // outside the BWP: must not be read
  for (int r = 0; r < kRx; ++r) {
    for (int l = 0; l < kSymbolsPerSlot; ++l) {
      for (int k = 0; k < bwp.subcarriers(); ++k) {
        const Complex v = bwp.at(r, l, k);
        front_end.grid[(static_cast<std::size_t>(r) * kSymbolsPerSlot + l) * front_end.b.grid_subcarriers +
                       12 * kBwpOffset + k] = {v.real(), v.imag()};
      }
    }
  }
  PuschReceiverConfig cpu_config;
  cpu_config.equalizer = scenario.equalizer;
  cpu_config.estimator.interpolation = scenario.interpolation;
  for (std::size_t u = 0; u < plans.size(); ++u) {
    const Status s = detail::fill_ue_descriptor(plans[u], 12 * kBwpOffset, kRx, 12 * kCellPrbs, 273, 4, 8,
                                                scenario.equalizer == EqualizerType::mmse, cpu_config.estimator,
                                                front_end.ues[u]);
    ASSERT_TRUE(s.is_ok()) << s.message();
  }
  front_end.run();
  auto receiver = PuschReceiver::create(cpu_config);
  ASSERT_TRUE(receiver.has_value());
  int decoded_blocks = 0;
  for (std::size_t u = 0; u < plans.size(); ++u) {
    std::vector<float> expected(static_cast<std::size_t>(plans[u].g));
    ASSERT_TRUE((*receiver)->soft_bits(plans[u], bwp, expected).is_ok());
    EXPECT_EQ(compare(front_end.llrs_of(static_cast<int>(u)), expected), "") << "UE " << u;
    const float cpu_noise = (*receiver)->last_channel_estimate().noise_variance;
    EXPECT_NEAR(front_end.noise_variances[u], cpu_noise, 1e-3F * cpu_noise) << "UE " << u;
    // And they decode as the CPU's do (scaled as PuschReceiver scales: mean |LLR| to
    // kTargetMeanLlr, then quantised): the same CRC verdict, the transmitted TB when it passes.
    const bool emulated_ok = decodes(front_end.llrs_of(static_cast<int>(u)), plans[u], tbs[u]);
    const bool cpu_ok = decodes(expected, plans[u], tbs[u]);
    EXPECT_EQ(emulated_ok, cpu_ok) << "UE " << u;
    decoded_blocks += cpu_ok ? 1 : 0;
  }
  EXPECT_GE(decoded_blocks, 2) << "the scenario should mostly decode";
}

TEST(GpuFrontEndEmulation, KernelsOnTheCpuMatchSoftBitsWithDftInterpolationAndMmse) {
  check({FrequencyInterpolation::dft, EqualizerType::mmse}, 1);
}

TEST(GpuFrontEndEmulation, KernelsOnTheCpuMatchSoftBitsWithLinearInterpolationAndZf) {
  check({FrequencyInterpolation::linear, EqualizerType::zf}, 2);
}

// DFT-s-OFDM: transform-precoded UEs (1 layer, low-PAPR DMRS, sizes M = 12 n_prb of 2, 3
// and 5 only, down to one PRB and the 2-PRB tabulated-sequence case, up to 270 PRBs) next to a
// plain CP-OFDM UE in one slot, 2 receive ports, against PuschReceiver::soft_bits (which
// applies TransformPrecoder::apply_inverse and the block-mean noise). The inverse DFT here is
// the GPU's Bluestein convolution (FFTW for cuFFT), the CPU's a direct FFTW transform of size M;
// the worst LLR difference seen was 2.7e-5 x mean |LLR|, inside the 1e-3 tolerance of compare().
void check_transform_precoding(const Scenario& scenario, std::uint64_t seed, const std::vector<std::pair<int, int>>& ues) {
  std::mt19937_64 e(seed);
  constexpr int kRx = 2;
  constexpr int kBwpPrbs = 273;
  std::vector<PuschPlan> plans;
  int start = 0;
  for (const auto& [prbs, mcs] : ues) {
    PuschPlan plan = make_plan(e, 1, mcs, 0, kBwpPrbs, start, prbs, 1, 1 + static_cast<int>(e() % 2),
                               static_cast<int>(e() % 2), 2);
    PuschConfig c = plan.config;
    c.transform_precoding = prbs != 3;  // the 3-PRB UE stays CP-OFDM, beside the others
    if (e() % 2) c.tp_dmrs_n_id = static_cast<std::uint16_t>(e() % 1008);
    auto replanned = plan_pusch(c);
    ASSERT_TRUE(replanned.has_value()) << replanned.error().message;
    plans.push_back(*replanned);
    start += prbs;
  }
  ResourceGrid bwp(kRx, kSymbolsPerSlot, 12 * kBwpPrbs);
  std::vector<std::vector<std::uint8_t>> tbs;
  for (const auto& plan : plans) tbs.push_back(add_ue(plan, e, bwp));
  const float sigma = std::pow(10.0F, -24.0F / 20.0F);
  for (auto& v : bwp.data()) v += sigma * cn(e);

  HostFrontEnd front_end(static_cast<int>(plans.size()), 273, kBwpPrbs, kRx, 4, 8);
  front_end.enable_transform_precoding();
  for (int r = 0; r < kRx; ++r) {
    for (int l = 0; l < kSymbolsPerSlot; ++l) {
      for (int k = 0; k < bwp.subcarriers(); ++k) {
        front_end.grid[(static_cast<std::size_t>(r) * kSymbolsPerSlot + l) * front_end.b.grid_subcarriers + k] =
            detail::to_hd(bwp.at(r, l, k));
      }
    }
  }
  PuschReceiverConfig cpu_config;
  cpu_config.equalizer = scenario.equalizer;
  cpu_config.estimator.interpolation = scenario.interpolation;
  for (std::size_t u = 0; u < plans.size(); ++u) {
    const Status s = detail::fill_ue_descriptor(plans[u], 0, kRx, 12 * kBwpPrbs, 273, 4, 8,
                                                scenario.equalizer == EqualizerType::mmse, cpu_config.estimator, true,
                                                front_end.ues[u], front_end.tp_dmrs.data() + u * 2 * detail::kMaxPairs);
    ASSERT_TRUE(s.is_ok()) << s.message();
    EXPECT_EQ(front_end.ues[u].transform_precoding, plans[u].config.transform_precoding ? 1 : 0);
  }
  front_end.run();
  auto receiver = PuschReceiver::create(cpu_config);
  ASSERT_TRUE(receiver.has_value());
  int decoded_blocks = 0;
  for (std::size_t u = 0; u < plans.size(); ++u) {
    std::vector<float> expected(static_cast<std::size_t>(plans[u].g));
    ASSERT_TRUE((*receiver)->soft_bits(plans[u], bwp, expected).is_ok());
    const std::string what = "UE " + std::to_string(u) + " (" + std::to_string(plans[u].config.rb_size) + " PRBs, Qm " +
                             std::to_string(plans[u].modulation_order) +
                             (plans[u].config.transform_precoding ? ", transform precoded)" : ")");
    EXPECT_EQ(compare(front_end.llrs_of(static_cast<int>(u)), expected), "") << what;
    const float cpu_noise = (*receiver)->last_channel_estimate().noise_variance;
    EXPECT_NEAR(front_end.noise_variances[u], cpu_noise, 1e-3F * cpu_noise) << what;
    const bool emulated_ok = decodes(front_end.llrs_of(static_cast<int>(u)), plans[u], tbs[u]);
    const bool cpu_ok = decodes(expected, plans[u], tbs[u]);
    EXPECT_EQ(emulated_ok, cpu_ok) << what;
    decoded_blocks += cpu_ok ? 1 : 0;
  }
  EXPECT_GE(decoded_blocks, static_cast<int>(plans.size()) - 1) << "the scenario should mostly decode";
}

TEST(GpuFrontEndEmulation, TransformPrecodedUesMatchSoftBitsWithDftInterpolationAndMmse) {
  // (PRBs, MCS of the 256QAM table): QPSK, 16QAM, 64QAM, 256QAM; 1 and 2 PRBs use the tabulated
  // low-PAPR sequences, 100 and 270 the Zadoff-Chu ones; 270 PRBs is the largest M (3240).
  check_transform_precoding({FrequencyInterpolation::dft, EqualizerType::mmse}, 11,
                            {{1, 2}, {2, 6}, {3, 12}, {100, 15}, {160, 22}});
  check_transform_precoding({FrequencyInterpolation::dft, EqualizerType::mmse}, 12, {{270, 20}});
}

TEST(GpuFrontEndEmulation, TransformPrecodedUesMatchSoftBitsWithLinearInterpolationAndZf) {
  check_transform_precoding({FrequencyInterpolation::linear, EqualizerType::zf}, 13, {{25, 8}, {3, 4}, {45, 17}});
}

TEST(GpuFrontEndEmulation, TransformPrecodingSizesAndRefusal) {
  // 12 n_prb must be 2^a 3^b 5^c: 7 and 11 PRBs are not allowed sizes, 270 is the largest.
  EXPECT_EQ(detail::transform_precoding_filter_index(1), 0);
  EXPECT_EQ(detail::transform_precoding_filter_index(7), -1);
  EXPECT_EQ(detail::transform_precoding_filter_index(11), -1);
  EXPECT_EQ(detail::transform_precoding_filter_index(8), 6);  // 1 2 3 4 5 6 8
  EXPECT_EQ(detail::transform_precoding_fft_size(273), 8192);
  EXPECT_EQ(detail::transform_precoding_fft_size(10), 256);  // M = 120: 239 -> 256
  EXPECT_EQ(detail::transform_precoding_filter_count(273), detail::transform_precoding_filter_index(270) + 1);
  // A transform-precoded UE where the front end has no transform precoding: refused, naming it.
  std::mt19937_64 e(5);
  PuschConfig c = make_plan(e, 1, 10, 0, 100, 0, 50, 1, 1, 1, 2).config;
  c.transform_precoding = true;
  auto plan = plan_pusch(c);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  detail::UeDescriptor d{};
  const ChannelEstimatorConfig estimator;
  Status s = detail::fill_ue_descriptor(*plan, 0, 4, 1200, 273, 4, 8, true, estimator, d);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("transform_precoding = false"), std::string::npos) << s.message();
  std::vector<ComplexF> dmrs(2 * detail::kMaxPairs);
  ASSERT_TRUE(detail::fill_ue_descriptor(*plan, 0, 4, 1200, 273, 4, 8, true, estimator, true, d, dmrs.data()).is_ok());
  EXPECT_EQ(d.tp_blocks * 12 * 50, plan->data_res);
  EXPECT_EQ(d.tp_filter, detail::transform_precoding_filter_index(50));
}

TEST(GpuFrontEndEmulation, DescriptorNamesWhatExceedsTheLimits) {
  std::mt19937_64 e(4);
  const PuschPlan plan = make_plan(e, 2, 10, 0, 100, 0, 60, 1, 1, 1, 2);
  detail::UeDescriptor d{};
  const ChannelEstimatorConfig estimator;
  Status s = detail::fill_ue_descriptor(plan, 0, 4, 1200, 50, 4, 8, true, estimator, d);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("60 PRBs"), std::string::npos) << s.message();
  s = detail::fill_ue_descriptor(plan, 0, 1, 1200, 273, 4, 8, true, estimator, d);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("receive ports"), std::string::npos) << s.message();
  s = detail::fill_ue_descriptor(plan, 12 * 50, 4, 1200, 273, 4, 8, true, estimator, d);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("does not fit"), std::string::npos) << s.message();
  s = detail::fill_ue_descriptor(plan, 0, 4, 1200, 273, 4, 2, true, estimator, d);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("modulation order"), std::string::npos) << s.message();
  EXPECT_TRUE(detail::fill_ue_descriptor(plan, 0, 4, 1200, 273, 4, 8, true, estimator, d).is_ok());
  EXPECT_EQ(d.data_res, plan.data_res);
}

// A cell group: two cells' grids back to back, a UE in each; each UE reads its own cell's grid
// from its descriptor's grid_base (GpuPuschLimits::max_cells), and its LLRs are the CPU's on that
// cell's grid.
TEST(GpuFrontEndEmulation, UesOfTwoCellsReadTheirOwnGrids) {
  std::mt19937_64 e(77);
  constexpr int kRx = 2;
  constexpr int kCellPrbs = 52;
  std::vector<PuschPlan> plans;
  plans.push_back(make_plan(e, 1, 20, 0, kCellPrbs, 0, 30, 1, 1, 1, 1));
  plans.push_back(make_plan(e, 2, 12, 0, kCellPrbs, 10, 40, 1, 1, 1, 2));
  std::vector<ResourceGrid> cells;
  for (const PuschPlan& plan : plans) {
    ResourceGrid grid(kRx, kSymbolsPerSlot, 12 * kCellPrbs);
    add_ue(plan, e, grid);
    const float sigma = std::pow(10.0F, -25.0F / 20.0F);
    for (auto& v : grid.data()) v += sigma * cn(e);
    cells.push_back(std::move(grid));
  }
  HostFrontEnd front_end(2, kCellPrbs, kCellPrbs, kRx, 2, 8, 2);
  const std::size_t cell_elements = static_cast<std::size_t>(kRx) * kSymbolsPerSlot * front_end.b.grid_subcarriers;
  for (std::size_t c = 0; c < cells.size(); ++c) {
    for (int r = 0; r < kRx; ++r) {
      for (int l = 0; l < kSymbolsPerSlot; ++l) {
        for (int k = 0; k < cells[c].subcarriers(); ++k) {
          const Complex v = cells[c].at(r, l, k);
          front_end.grid[c * cell_elements + (static_cast<std::size_t>(r) * kSymbolsPerSlot + l) * front_end.b.grid_subcarriers +
                         static_cast<std::size_t>(k)] = {v.real(), v.imag()};
        }
      }
    }
  }
  PuschReceiverConfig cpu_config;
  for (std::size_t u = 0; u < plans.size(); ++u) {
    const Status s = detail::fill_ue_descriptor(plans[u], 0, kRx, 12 * kCellPrbs, kCellPrbs, 2, 8, true,
                                                cpu_config.estimator, front_end.ues[u]);
    ASSERT_TRUE(s.is_ok()) << s.message();
    front_end.ues[u].grid_base = u * cell_elements;  // as GpuPuschFrontEnd::setup for UE u in cell u
  }
  front_end.run();
  auto receiver = PuschReceiver::create(cpu_config);
  ASSERT_TRUE(receiver.has_value());
  for (std::size_t u = 0; u < plans.size(); ++u) {
    std::vector<float> expected(static_cast<std::size_t>(plans[u].g));
    ASSERT_TRUE((*receiver)->soft_bits(plans[u], cells[u], expected).is_ok());
    EXPECT_EQ(compare(front_end.llrs_of(static_cast<int>(u)), expected), "") << "UE " << u;
    // Reading the other cell's grid would not match: the check can tell the cells apart.
    std::vector<float> other(static_cast<std::size_t>(plans[u].g));
    ASSERT_TRUE((*receiver)->soft_bits(plans[u], cells[1 - u], other).is_ok());
    EXPECT_NE(compare(front_end.llrs_of(static_cast<int>(u)), other), "") << "UE " << u;
  }
}

}  // namespace
}  // namespace airan::phy
