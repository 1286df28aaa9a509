// The per-element functions shared with the GPU backend (detail/*_math.hpp) reproduce the CPU
// stages' outputs on random inputs: the GPU kernels run this arithmetic, so these tests pin
// down on the CPU what the GPU comparison tests (tests/gpu) can only check on a device.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <complex>
#include <random>
#include <vector>

#include "airan/phy/coding/scrambling.hpp"
#include "airan/phy/detail/channel_estimation_math.hpp"
#include "airan/phy/detail/demapper_math.hpp"
#include "airan/phy/detail/equalizer_math.hpp"
#include "airan/phy/detail/gold_math.hpp"
#include "airan/phy/mimo/equalizer.hpp"
#include "airan/phy/modulation/modulation.hpp"
#include "airan/phy/pusch/channel_estimator.hpp"
#include "airan/phy/pusch/dmrs.hpp"

namespace airan::phy {
namespace {

using detail::ComplexF;

ComplexF as_hd(Complex c) { return detail::to_hd(c); }

Complex random_complex(std::mt19937_64& engine, float scale = 1.0F) {
  std::normal_distribution<float> normal(0.0F, scale);
  return {normal(engine), normal(engine)};
}

TEST(SharedGoldMath, AnyWordEqualsTheSequentialGenerator) {
  std::mt19937_64 engine(11);
  for (int trial = 0; trial < 20; ++trial) {
    const auto c_init = static_cast<std::uint32_t>(engine() & 0x7FFFFFFFU);
    GoldSequence sequence(c_init);
    for (std::uint32_t w = 0; w < 300; ++w) {
      ASSERT_EQ(detail::gold_word(c_init, w), sequence.next_word()) << "c_init " << c_init << " word " << w;
    }
  }
  // Far into the sequence: a 256QAM 4-layer 273-PRB codeword has about 46000 words.
  const std::uint32_t c_init = pusch_scrambling_init(17921, 1003);
  GoldSequence sequence(c_init);
  std::uint32_t expected = 0;
  for (std::uint32_t w = 0; w <= 46000; ++w) expected = sequence.next_word();
  EXPECT_EQ(detail::gold_word(c_init, 46000), expected);
}

TEST(SharedGoldMath, FloatDescramblingFlipsWhereTheSequenceIsOne) {
  std::mt19937_64 engine(3);
  std::vector<float> llrs(1001);
  for (auto& l : llrs) l = std::normal_distribution<float>(0.0F, 5.0F)(engine);
  std::vector<float> descrambled = llrs;
  const std::uint32_t c_init = pusch_scrambling_init(100, 7);
  descramble_llrs(c_init, std::span<float>(descrambled));
  std::vector<std::uint8_t> c(llrs.size());
  gold_sequence(c_init, c);
  for (std::size_t i = 0; i < llrs.size(); ++i) {
    const std::uint32_t bit = (detail::gold_word(c_init, static_cast<std::uint32_t>(i / 32)) >> (i % 32)) & 1U;
    ASSERT_EQ(bit, c[i]);
    EXPECT_EQ(descrambled[i], c[i] ? -llrs[i] : llrs[i]);
  }
}

PuschPlan random_plan(std::mt19937_64& engine, int layers, int config_type, int length) {
  PuschConfig c;
  c.n_cell_id = static_cast<int>(engine() % 1008);
  c.slot_number = static_cast<int>(engine() % 20);
  c.bwp_start = static_cast<int>(engine() % 50);
  c.bwp_size = 40 + static_cast<int>(engine() % 60);
  c.rb_size = 1 + static_cast<int>(engine() % c.bwp_size);
  c.rb_start = static_cast<int>(engine() % (c.bwp_size - c.rb_size + 1));
  c.num_layers = layers;
  c.num_antenna_ports = layers;
  c.dmrs.config_type = config_type;
  c.dmrs.length = length;
  c.dmrs.additional_position = length == 2 ? 1 : static_cast<int>(engine() % 4);
  c.dmrs.num_cdm_groups_without_data = config_type == 1 ? 2 : 3;
  c.dmrs.n_scid = static_cast<int>(engine() % 2);
  c.dmrs.n_id = {static_cast<std::uint16_t>(engine() % 65536), static_cast<std::uint16_t>(engine() % 65536)};
  // Ports: with a double-symbol DMRS, those of the second OCC in time too.
  const std::array<int, 4> single1{0, 1, 2, 3};
  const std::array<int, 4> double1{0, 1, 4, 5};
  const std::array<int, 4> type2{0, 1, 2, 3};
  c.dmrs.ports = config_type == 1 ? (length == 2 ? double1 : single1) : type2;
  c.mcs_index = 10;
  auto plan = plan_pusch(c);
  EXPECT_TRUE(plan.has_value()) << (plan ? "" : plan.error().message);
  return *plan;
}

TEST(SharedChannelEstimationMath, DmrsValuesEqualTheGenerator) {
  std::mt19937_64 engine(5);
  for (int trial = 0; trial < 12; ++trial) {
    const int type = 1 + trial % 2;
    const int length = 1 + (trial / 2) % 2;
    const PuschPlan plan = random_plan(engine, 4, type, length);
    const PuschConfig& c = plan.config;
    const DmrsLayout layout = dmrs_layout(type);
    const int count = layout.res_per_prb * c.rb_size;
    std::vector<Complex> expected(static_cast<std::size_t>(count));
    for (int s = 0; s < plan.num_dmrs_symbols; ++s) {
      const std::uint32_t c_init =
          pusch_dmrs_c_init(c.slot_number, plan.dmrs_symbols[s], c.dmrs.n_id[c.dmrs.n_scid], c.dmrs.n_scid);
      for (int p = 0; p < c.num_layers; ++p) {
        generate_pusch_dmrs(plan, p, s, expected);
        const DmrsPortParameters port = dmrs_port_parameters(type, c.dmrs.ports[p]);
        const float scale = detail::dmrs_qpsk_scale(static_cast<float>(plan.beta_dmrs), port.w_t[plan.dmrs_l_prime[s]]);
        const int m_first = layout.res_per_prb * (c.bwp_start + c.rb_start);
        for (int j = 0; j < count; ++j) {
          const auto m = static_cast<std::uint32_t>(m_first + j);
          const std::uint32_t word = detail::gold_word(c_init, 2 * m / 32);
          const std::uint32_t bit = 2 * m % 32;
          const ComplexF v = detail::dmrs_value(scale, port.w_f[j % 2], (word >> bit) & 1U, (word >> (bit + 1)) & 1U);
          ASSERT_EQ(v.re, expected[j].real()) << "type " << type << " symbol " << s << " layer " << p << " RE " << j;
          ASSERT_EQ(v.im, expected[j].imag());
        }
      }
    }
  }
}

// The CPU estimator with linear interpolation, rebuilt from the shared functions alone as the
// GPU kernels do it (LS per pair with OCC despreading, then interpolation): equal to the bit.
TEST(SharedChannelEstimationMath, LeastSquaresAndInterpolationReproduceTheEstimator) {
  std::mt19937_64 engine(9);
  ChannelEstimatorConfig config;
  config.interpolation = FrequencyInterpolation::linear;
  auto estimator = PuschChannelEstimator::create(config);
  ASSERT_TRUE(estimator.has_value());
  for (int trial = 0; trial < 8; ++trial) {
    const int type = 1 + trial % 2;
    const int length = 1 + (trial / 2) % 2;
    const int layers = 1 + trial % 4;
    const PuschPlan plan = random_plan(engine, layers, type, length);
    const PuschConfig& c = plan.config;
    const int rx_ports = 2;
    ResourceGrid grid(rx_ports, kSymbolsPerSlot, 12 * c.bwp_size);
    for (auto& v : grid.data()) v = random_complex(engine);
    PuschChannelEstimate estimate;
    ASSERT_TRUE((*estimator)->estimate(plan, grid, estimate).is_ok());

    const DmrsLayout layout = dmrs_layout(type);
    const int count = layout.res_per_prb * c.rb_size;
    const int pairs = count / 2;
    std::vector<Complex> dmrs(static_cast<std::size_t>(count));
    std::vector<ComplexF> pair(static_cast<std::size_t>(pairs));
    for (int g = 0; g < estimate.num_groups; ++g) {
      for (int r = 0; r < rx_ports; ++r) {
        for (int p = 0; p < layers; ++p) {
          const int delta = dmrs_port_parameters(type, c.dmrs.ports[p]).delta;
          std::fill(pair.begin(), pair.end(), ComplexF{0.0F, 0.0F});
          for (int s = g * length; s < (g + 1) * length; ++s) {
            generate_pusch_dmrs(plan, p, s, dmrs);
            for (int j = 0; j < count; ++j) {
              const Complex y = grid.at(r, plan.dmrs_symbols[s], dmrs_subcarrier(plan, layout, delta, j));
              pair[j / 2] = pair[j / 2] + detail::ls_term(as_hd(y), as_hd(dmrs[j]));
            }
          }
          const float norm = detail::ls_pair_normalization(length, plan.beta_dmrs * plan.beta_dmrs);
          for (auto& h : pair) h = h * norm;
          const double centre0 = detail::first_pair_centre(delta, layout.pair_step);
          for (int k = 0; k < plan.num_subcarriers(); ++k) {
            const auto w = detail::frequency_interpolation_weight(k, centre0, layout.period, pairs);
            const ComplexF h = detail::interpolate(pair[w.n0], pair[w.n1], w.w);
            ASSERT_EQ(h.re, estimate.at(g, r, p)[k].real()) << "group " << g << " rx " << r << " layer " << p << " k " << k;
            ASSERT_EQ(h.im, estimate.at(g, r, p)[k].imag());
          }
        }
      }
    }
  }
}

TEST(SharedChannelEstimationMath, TimeWeightsHoldAtTheEndsAndInterpolateBetween) {
  const double groups[3] = {2.0, 7.5, 11.0};
  auto w = detail::time_interpolation_weight(groups, 3, 0);
  EXPECT_EQ(w.g0, 0);
  EXPECT_EQ(w.g1, 0);
  w = detail::time_interpolation_weight(groups, 3, 5);
  EXPECT_EQ(w.g0, 0);
  EXPECT_EQ(w.g1, 1);
  EXPECT_FLOAT_EQ(w.w1, 3.0F / 5.5F);
  w = detail::time_interpolation_weight(groups, 3, 9);
  EXPECT_EQ(w.g0, 1);
  EXPECT_EQ(w.g1, 2);
  w = detail::time_interpolation_weight(groups, 3, 13);
  EXPECT_EQ(w.g0, 2);
  EXPECT_EQ(w.g1, 2);
  EXPECT_EQ(w.w1, 0.0F);
}

template <int L>
void check_equalizer(EqualizerType type, int rx, std::mt19937_64& engine) {
  constexpr int kRes = 37;  // not a multiple of the CPU's block of 16
  std::vector<std::vector<Complex>> h0(static_cast<std::size_t>(rx * L), std::vector<Complex>(kRes));
  std::vector<std::vector<Complex>> h1 = h0;
  std::vector<std::vector<Complex>> y(static_cast<std::size_t>(rx), std::vector<Complex>(kRes));
  for (auto& row : h0) for (auto& v : row) v = random_complex(engine);
  for (auto& row : h1) for (auto& v : row) v = random_complex(engine);
  for (auto& row : y) for (auto& v : row) v = random_complex(engine, 2.0F);
  std::vector<const Complex*> h0p;
  std::vector<const Complex*> h1p;
  std::vector<const Complex*> yp;
  for (const auto& row : h0) h0p.push_back(row.data());
  for (const auto& row : h1) h1p.push_back(row.data());
  for (const auto& row : y) yp.push_back(row.data());
  const float w1 = 0.3F;
  const float nv = 0.05F;
  std::vector<Complex> x(static_cast<std::size_t>(kRes * L));
  std::vector<float> x_nv(x.size());
  EqualizerScratch scratch;
  equalize_interpolated(type, rx, L, kRes, h0p, h1p, w1, yp, nv, x.data(), x_nv.data(), scratch);
  for (int k = 0; k < kRes; ++k) {
    detail::EqualizerAccumulator<L> acc;
    for (int r = 0; r < rx; ++r) {
      ComplexF h[L];
      for (int v = 0; v < L; ++v) h[v] = detail::interpolate_in_time(as_hd(h0[r * L + v][k]), as_hd(h1[r * L + v][k]), w1);
      acc.add_port(h, as_hd(y[r][k]));
    }
    ComplexF out[L];
    float out_nv[L];
    detail::solve_equalizer<L>(type == EqualizerType::mmse, acc, nv, out, out_nv);
    for (int v = 0; v < L; ++v) {
      const std::size_t i = static_cast<std::size_t>(k) * L + v;
      ASSERT_EQ(out[v].re, x[i].real()) << L << " layers, " << rx << " rx, RE " << k << " layer " << v;
      ASSERT_EQ(out[v].im, x[i].imag());
      ASSERT_EQ(out_nv[v], x_nv[i]);
    }
  }
}

TEST(SharedEqualizerMath, PerElementSolveEqualsTheVectorisedCpuEqualiser) {
  std::mt19937_64 engine(21);
  for (EqualizerType type : {EqualizerType::zf, EqualizerType::mmse}) {
    for (int rx = 1; rx <= 4; ++rx) check_equalizer<1>(type, rx, engine);
    for (int rx = 2; rx <= 4; ++rx) check_equalizer<2>(type, rx, engine);
    for (int rx = 3; rx <= 8; ++rx) check_equalizer<3>(type, rx, engine);
    for (int rx = 4; rx <= 8; ++rx) check_equalizer<4>(type, rx, engine);
  }
}

// The CPU demapper may run its AVX2 kernel (fused multiply-add), so agreement is to float
// rounding: 1e-5 relative, or 1e-4 absolute near zero.
TEST(SharedDemapperMath, PerSymbolDemappingEqualsTheCpuDemapper) {
  std::mt19937_64 engine(33);
  for (int qm : {2, 4, 6, 8, 10}) {
    const Modulation modulation = *modulation_from_order(qm);
    constexpr int kSymbols = 203;
    std::vector<Complex> symbols(kSymbols);
    std::vector<float> noise(kSymbols);
    for (int i = 0; i < kSymbols; ++i) {
      symbols[i] = random_complex(engine, 0.8F);
      noise[i] = 0.001F + std::uniform_real_distribution<float>(0.0F, 0.5F)(engine);
    }
    symbols[0] = {0.0F, -0.0F};
    symbols[1] = {3.0F, -2.5F};  // beyond the outer points
    std::vector<float> llrs(static_cast<std::size_t>(kSymbols * qm));
    demodulate_soft(modulation, symbols, noise, llrs);
    for (int i = 0; i < kSymbols; ++i) {
      float out[10];
      const float inverse = detail::demap_inverse_variance(noise[i], 1.0F);
      if (qm == 2) {
        detail::demap_qpsk_symbol(as_hd(symbols[i]), inverse, out);
      } else {
        detail::demap_qam_symbol(detail::qam_demap_table(qm / 2), as_hd(symbols[i]), inverse, out);
      }
      for (int j = 0; j < qm; ++j) {
        const float expected = llrs[static_cast<std::size_t>(i * qm + j)];
        ASSERT_NEAR(out[j], expected, std::max(1e-4F, 1e-5F * std::abs(expected)))
            << "qm " << qm << " symbol " << i << " bit " << j;
      }
    }
  }
}

}  // namespace
}  // namespace airan::phy
