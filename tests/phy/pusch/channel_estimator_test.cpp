// PUSCH DMRS channel estimation: exact flat channels per (rx, layer) through CDM/OCC, linear
// channels through the interpolation, DFT denoising versus linear, noise variance, timing
// offset and input errors. The transmit grids come from PuschTransmitter.
#include "airan/phy/pusch/channel_estimator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "airan/phy/pusch/dmrs.hpp"
#include "airan/phy/pusch/pusch_transmitter.hpp"

namespace airan::phy {
namespace {


struct EstSetup {
  int config_type = 1;
  int dmrs_length = 1;
  int additional_position = 1;
  int layers = 1;
  std::array<int, 4> ports{0, 1, 2, 3};
  int cdm_groups = 2;
  int bwp_start = 0;
  int bwp_size = 24;
  int rb_start = 3;
  int rb_size = 12;
  int numerology = 1;
};

std::string describe(const EstSetup& s) {
  std::string ports;
  for (int v = 0; v < s.layers; ++v) ports += (v ? "," : "") + std::to_string(s.ports[v]);
  return "type " + std::to_string(s.config_type) + " length " + std::to_string(s.dmrs_length) + " addpos " +
         std::to_string(s.additional_position) + " layers " + std::to_string(s.layers) + " ports {" + ports +
         "} cdm " + std::to_string(s.cdm_groups) + " PRBs " + std::to_string(s.rb_start) + "+" +
         std::to_string(s.rb_size) + " of " + std::to_string(s.bwp_size);
}

PuschPlan make_plan(const EstSetup& s) {
  PuschConfig c;
  c.n_cell_id = 301;
  c.slot_number = 7;
  c.numerology = s.numerology;
  c.bwp_start = s.bwp_start;
  c.bwp_size = s.bwp_size;
  c.rb_start = s.rb_start;
  c.rb_size = s.rb_size;
  c.num_layers = s.layers;
  c.num_antenna_ports = s.layers;
  c.dmrs.config_type = s.config_type;
  c.dmrs.length = s.dmrs_length;
  c.dmrs.additional_position = s.additional_position;
  c.dmrs.num_cdm_groups_without_data = s.cdm_groups;
  c.dmrs.ports = s.ports;
  c.dmrs.n_id = {123, 456};
  c.mcs_index = 4;
  auto plan = plan_pusch(c);
  EXPECT_TRUE(plan.has_value()) << describe(s) << ": " << (plan ? "" : plan.error().message);
  return plan ? *plan : PuschPlan{};
}

ResourceGrid transmit(const PuschPlan& plan, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::vector<std::uint8_t> tb(static_cast<std::size_t>(plan.tbs));
  for (auto& b : tb) b = static_cast<std::uint8_t>(engine() & 1U);
  PuschTransmitter tx;
  ResourceGrid grid;
  const Status s = tx.transmit(plan, tb, grid);
  EXPECT_TRUE(s) << (s ? "" : s.message());
  return grid;
}

Complex cn(std::mt19937_64& engine) {
  std::normal_distribution<float> normal(0.0F, std::sqrt(0.5F));
  return {normal(engine), normal(engine)};
}

// rx[r][l][k] = sum_v h(r, v, k) tx[v][l][k] + noise of variance nv.
template <typename Channel>
ResourceGrid through(const ResourceGrid& tx, int rx_ports, Channel&& h, float nv, std::uint64_t seed) {
  ResourceGrid rx(rx_ports, tx.symbols(), tx.subcarriers());
  std::mt19937_64 engine(seed);
  const float sigma = std::sqrt(nv);
  for (int r = 0; r < rx_ports; ++r) {
    for (int l = 0; l < tx.symbols(); ++l) {
      auto y = rx.symbol(r, l);
      for (int v = 0; v < tx.ports(); ++v) {
        const auto x = tx.symbol(v, l);
        for (int k = 0; k < tx.subcarriers(); ++k) y[k] += h(r, v, k) * x[k];
      }
      if (nv > 0.0F) {
        for (auto& value : y) value += sigma * cn(engine);
      }
    }
  }
  return rx;
}

std::unique_ptr<PuschChannelEstimator> make_estimator(FrequencyInterpolation interpolation) {
  ChannelEstimatorConfig config;
  config.interpolation = interpolation;
  auto estimator = PuschChannelEstimator::create(config);
  EXPECT_TRUE(estimator.has_value());
  return std::move(*estimator);
}

const char* name(FrequencyInterpolation f) { return f == FrequencyInterpolation::dft ? "dft" : "linear"; }

// Layer/port sets that need CDM (w_f) and OCC (w_t) separation.
std::vector<EstSetup> flat_setups() {
  std::vector<EstSetup> out;
  auto add = [&](int type, int length, int addpos, int cdm, std::array<int, 4> ports, int layers) {
    EstSetup s;
    s.config_type = type;
    s.dmrs_length = length;
    s.additional_position = addpos;
    s.cdm_groups = cdm;
    s.ports = ports;
    s.layers = layers;
    out.push_back(s);
  };
  for (int layers = 1; layers <= 4; ++layers) {
    add(1, 1, 1, 2, {0, 1, 2, 3}, layers);  // two CDM groups, w_f within each
    add(1, 1, 3, 2, {3, 2, 1, 0}, layers);
    add(1, 2, 1, 1, {0, 1, 4, 5}, layers);  // all in CDM group 0: w_f and w_t
    add(1, 2, 0, 2, {5, 6, 0, 3}, layers);
    add(2, 1, 1, 3, {0, 1, 2, 3}, layers);
    add(2, 1, 2, 3, {4, 5, 0, 2}, layers);
    add(2, 2, 1, 1, {0, 1, 6, 7}, layers);  // CDM group 0 only
    add(2, 2, 0, 3, {11, 2, 9, 6}, layers);
  }
  add(1, 1, 0, 1, {1, 0, 0, 0}, 2);
  add(2, 1, 0, 1, {1, 0, 0, 0}, 2);
  return out;
}

TEST(PuschChannelEstimator, FlatChannelExactPerRxAndLayer) {
  std::mt19937_64 engine(31);
  for (FrequencyInterpolation f : {FrequencyInterpolation::linear, FrequencyInterpolation::dft}) {
    auto estimator = make_estimator(f);
    for (EstSetup s : flat_setups()) {
      for (int rb_size : {1, 12}) {
        s.rb_size = rb_size;
        const PuschPlan plan = make_plan(s);
        ASSERT_GT(plan.tbs, 0);
        const int rx_ports = s.layers + 1;
        std::vector<Complex> h(static_cast<std::size_t>(rx_ports) * s.layers);
        for (auto& v : h) v = cn(engine);
        const ResourceGrid tx = transmit(plan, engine());
        const ResourceGrid rx = through(tx, rx_ports, [&](int r, int v, int) { return h[r * s.layers + v]; }, 0.0F, 0);
        PuschChannelEstimate est;
        ASSERT_TRUE(estimator->estimate(plan, rx, est)) << describe(s);
        ASSERT_EQ(est.rx_ports, rx_ports);
        ASSERT_EQ(est.layers, s.layers);
        ASSERT_EQ(est.subcarriers, 12 * rb_size);
        ASSERT_EQ(est.num_groups, plan.num_dmrs_symbols / s.dmrs_length) << describe(s);
        for (int g = 0; g < est.num_groups; ++g) {
          EXPECT_DOUBLE_EQ(est.group_symbol[g], plan.dmrs_symbols[g * s.dmrs_length] + 0.5 * (s.dmrs_length - 1));
          for (int r = 0; r < rx_ports; ++r) {
            for (int v = 0; v < s.layers; ++v) {
              const Complex want = h[r * s.layers + v];
              const Complex* got = est.at(g, r, v);
              float worst = 0.0F;
              int worst_k = 0;
              for (int k = 0; k < est.subcarriers; ++k) {
                const float e = std::abs(got[k] - want);
                if (e > worst) {
                  worst = e;
                  worst_k = k;
                }
              }
              EXPECT_LT(worst, 1e-4F) << name(f) << " " << describe(s) << " group " << g << " rx " << r << " layer "
                                      << v << ": subcarrier " << worst_k << " estimate " << got[worst_k] << " want "
                                      << want;
            }
          }
        }
        EXPECT_LT(est.noise_variance, 1e-6F) << name(f) << " " << describe(s);
        EXPECT_NEAR(est.timing_offset_s, 0.0, 1e-9) << name(f) << " " << describe(s);
      }
    }
  }
}

TEST(PuschChannelEstimator, GroupSymbols) {
  auto estimator = make_estimator(FrequencyInterpolation::dft);
  EstSetup s;
  s.additional_position = 3;
  PuschPlan plan = make_plan(s);
  PuschChannelEstimate est;
  ASSERT_TRUE(estimator->estimate(plan, transmit(plan, 1), est));
  ASSERT_EQ(est.num_groups, 4);
  const double single[] = {2, 5, 8, 11};
  for (int g = 0; g < 4; ++g) EXPECT_DOUBLE_EQ(est.group_symbol[g], single[g]);

  s.dmrs_length = 2;
  s.additional_position = 1;
  plan = make_plan(s);
  ASSERT_TRUE(estimator->estimate(plan, transmit(plan, 2), est));
  ASSERT_EQ(est.num_groups, 2);
  EXPECT_DOUBLE_EQ(est.group_symbol[0], 2.5);
  EXPECT_DOUBLE_EQ(est.group_symbol[1], 10.5);
}

// A single layer, a channel linear in frequency: a pair's LS estimate is the channel at the pair
// centre, so linear interpolation reproduces the channel between the first and the last pair
// centre and holds the edge values beyond them.
TEST(PuschChannelEstimator, LinearChannelInterpolatedExactly) {
  auto estimator = make_estimator(FrequencyInterpolation::linear);
  struct Case {
    int type;
    int port;
    int cdm;
  };
  for (const Case& t : {Case{1, 0, 1}, Case{1, 2, 2}, Case{1, 3, 2}, Case{2, 0, 1}, Case{2, 2, 2}, Case{2, 5, 3}}) {
    EstSetup s;
    s.config_type = t.type;
    s.ports = {t.port, 0, 0, 0};
    s.cdm_groups = t.cdm;
    s.rb_size = 5;
    const PuschPlan plan = make_plan(s);
    const int first = plan.first_subcarrier();
    const Complex a(0.7F, -0.2F);
    const Complex b(0.011F, 0.023F);
    const ResourceGrid rx = through(
        transmit(plan, 3), 1, [&](int, int, int k) { return a + b * static_cast<float>(k - first); }, 0.0F, 0);
    PuschChannelEstimate est;
    ASSERT_TRUE(estimator->estimate(plan, rx, est));
    const DmrsLayout layout = dmrs_layout(t.type);
    const int delta = dmrs_port_parameters(t.type, t.port).delta;
    const double c0 = delta + 0.5 * layout.pair_step;
    const double c_last = c0 + layout.period * (layout.res_per_prb * s.rb_size / 2 - 1);
    for (int g = 0; g < est.num_groups; ++g) {
      const Complex* h = est.at(g, 0, 0);
      for (int k = 0; k < est.subcarriers; ++k) {
        const double x = std::clamp(static_cast<double>(k), c0, c_last);
        const Complex want = a + b * static_cast<float>(x);
        EXPECT_NEAR(std::abs(h[k] - want), 0.0F, 1e-5F)
            << "type " << t.type << " port " << t.port << " subcarrier " << k << " got " << h[k] << " want " << want;
      }
    }
  }
}

double mse(const PuschChannelEstimate& est, int first, const std::function<Complex(int)>& h) {
  double sum = 0.0;
  int n = 0;
  for (int g = 0; g < est.num_groups; ++g) {
    const Complex* e = est.at(g, 0, 0);
    for (int k = 0; k < est.subcarriers; ++k, ++n) sum += std::norm(e[k] - h(first + k));
  }
  return sum / n;
}

TEST(PuschChannelEstimator, DftBeatsLinearOnTwoTapChannelWithNoise) {
  auto linear = make_estimator(FrequencyInterpolation::linear);
  auto dft = make_estimator(FrequencyInterpolation::dft);
  for (int type : {1, 2}) {
    EstSetup s;
    s.config_type = type;
    s.cdm_groups = 2;
    s.bwp_size = 60;
    s.rb_start = 5;
    s.rb_size = 52;
    const PuschPlan plan = make_plan(s);
    const double scs = 30e3;
    const double tau = 0.4e-6;
    const Complex a0(0.8F, 0.0F);
    const Complex a1 = 0.6F * std::polar(1.0F, 1.1F);
    auto h = [&](int k) {
      return a0 + a1 * std::polar(1.0F, static_cast<float>(-2.0 * std::numbers::pi * k * scs * tau));
    };
    double mse_linear = 0.0;
    double mse_dft = 0.0;
    for (int trial = 0; trial < 4; ++trial) {
      const ResourceGrid rx =
          through(transmit(plan, 10 + trial), 1, [&](int, int, int k) { return h(k); }, 0.1F, 100 + trial);
      PuschChannelEstimate el;
      PuschChannelEstimate ed;
      ASSERT_TRUE(linear->estimate(plan, rx, el));
      ASSERT_TRUE(dft->estimate(plan, rx, ed));
      mse_linear += mse(el, plan.first_subcarrier(), h);
      mse_dft += mse(ed, plan.first_subcarrier(), h);
    }
    // Type 1 pairs are 4 subcarriers apart, type 2 pairs 6: the delay window (the cyclic prefix)
    // is a smaller part of the type 1 pair sequence's delay span, so DFT removes more noise there.
    const double factor = type == 1 ? 0.8 : 1.0;
    EXPECT_LT(mse_dft, factor * mse_linear) << "type " << type << ": DFT MSE " << mse_dft / 4 << ", linear "
                                            << mse_linear / 4;
    // And both are estimates at all: well below the channel power.
    EXPECT_LT(mse_linear / 4, 0.05) << "type " << type;
  }
}

TEST(PuschChannelEstimator, NoiseVarianceAndSnr) {
  std::mt19937_64 engine(33);
  for (FrequencyInterpolation f : {FrequencyInterpolation::linear, FrequencyInterpolation::dft}) {
    auto estimator = make_estimator(f);
    for (double snr_db : {10.0, 20.0}) {
      for (int layers : {1, 2}) {
        for (int type : {1, 2}) {
          EstSetup s;
          s.config_type = type;
          s.layers = layers;
          s.additional_position = 3;  // 4 DMRS symbols: more degrees of freedom for the estimate
          s.cdm_groups = type == 1 ? 2 : 3;
          s.bwp_size = 110;
          s.rb_start = 4;
          s.rb_size = 100;
          const PuschPlan plan = make_plan(s);
          const int rx_ports = 4;
          std::vector<Complex> h(static_cast<std::size_t>(rx_ports) * layers);
          for (auto& v : h) v = std::polar(1.0F, std::uniform_real_distribution<float>(0.0F, 6.28F)(engine));
          const auto nv = static_cast<float>(std::pow(10.0, -snr_db / 10.0));
          const ResourceGrid rx =
              through(transmit(plan, engine()), rx_ports, [&](int r, int v, int) { return h[r * layers + v]; }, nv,
                      engine());
          PuschChannelEstimate est;
          ASSERT_TRUE(estimator->estimate(plan, rx, est));
          EXPECT_NEAR(est.noise_variance, nv, 0.2 * nv)
              << name(f) << " " << describe(s) << " SNR " << snr_db << " dB";
          EXPECT_NEAR(est.snr_db, snr_db, 1.5) << name(f) << " " << describe(s);
        }
      }
    }
  }
}

// The mean over many slots of a small allocation: the estimate must be unbiased there too.
TEST(PuschChannelEstimator, NoiseVarianceUnbiasedOnSmallAllocations) {
  std::mt19937_64 engine(35);
  auto estimator = make_estimator(FrequencyInterpolation::dft);
  std::string bias;
  for (int type : {1, 2}) {
    for (int rb_size : {10, 24}) {
      EstSetup s;
      s.config_type = type;
      s.additional_position = 3;
      s.cdm_groups = type == 1 ? 2 : 3;
      s.bwp_size = 30;
      s.rb_start = 2;
      s.rb_size = rb_size;
      const PuschPlan plan = make_plan(s);
      const float nv = 0.05F;
      double sum = 0.0;
      const int trials = 40;
      for (int t = 0; t < trials; ++t) {
        const Complex h = std::polar(1.0F, std::uniform_real_distribution<float>(0.0F, 6.28F)(engine));
        const ResourceGrid rx = through(transmit(plan, engine()), 2, [&](int, int, int) { return h; }, nv, engine());
        PuschChannelEstimate est;
        ASSERT_TRUE(estimator->estimate(plan, rx, est));
        sum += est.noise_variance / nv;
      }
      const double ratio = sum / trials;  // the standard error of the mean is below 3 %
      if (std::abs(ratio - 1.0) > 0.1) {
        bias += " type " + std::to_string(type) + " " + std::to_string(rb_size) + " PRB: mean estimate / true = " +
                std::to_string(ratio) + ";";
      }
    }
  }
  if (!bias.empty()) {
    FAIL() << "regression: noise_variance biased low on small allocations:" << bias
                 << " denoise() counts (2 half + 1) / 2 kept degrees of freedom, but the mirrored (half-sample "
                    "symmetric) extension filtered to |tap| <= half projects onto half + 1 DCT-II basis vectors, "
                    "so the residual has n - half - 1 degrees of freedom, not n - half - 0.5 (type 2, 10 PRB: "
                    "n = 20, half = 17: 2 vs 2.5, i.e. 20 % low)";
  }
}

TEST(PuschChannelEstimator, TimingOffsetOfPureDelay) {
  auto estimator = make_estimator(FrequencyInterpolation::dft);
  for (int numerology : {0, 1}) {
    for (int type : {1, 2}) {
      for (double tau : {0.3e-6, -0.2e-6, 0.0}) {
        for (float nv : {0.0F, 0.01F}) {
          EstSetup s;
          s.numerology = numerology;
          s.config_type = type;
          s.rb_size = 20;
          const PuschPlan plan = make_plan(s);
          const double scs = 15e3 * (1 << numerology);
          const ResourceGrid rx = through(
              transmit(plan, 5), 2,
              [&](int, int, int k) { return std::polar(1.0F, static_cast<float>(-2.0 * std::numbers::pi * k * scs * tau)); },
              nv, 77);
          PuschChannelEstimate est;
          ASSERT_TRUE(estimator->estimate(plan, rx, est));
          EXPECT_NEAR(est.timing_offset_s, tau, 10e-9)
              << "mu " << numerology << " type " << type << " tau " << tau << " nv " << nv;
        }
      }
    }
  }
}

TEST(PuschChannelEstimator, ReusesEstimateAcrossShapes) {
  // One estimator and one estimate object through different plans: the result must not depend
  // on what was estimated before.
  std::mt19937_64 engine(34);
  auto estimator = make_estimator(FrequencyInterpolation::dft);
  PuschChannelEstimate est;
  for (int rb_size : {40, 3, 17, 40}) {
    for (int layers : {4, 1, 2}) {
      EstSetup s;
      s.bwp_size = 48;
      s.rb_start = 1;
      s.rb_size = rb_size;
      s.layers = layers;
      const PuschPlan plan = make_plan(s);
      std::vector<Complex> h(static_cast<std::size_t>(layers) * layers);
      for (auto& v : h) v = cn(engine);
      const ResourceGrid rx =
          through(transmit(plan, engine()), layers, [&](int r, int v, int) { return h[r * layers + v]; }, 0.0F, 0);
      ASSERT_TRUE(estimator->estimate(plan, rx, est));
      ASSERT_EQ(est.subcarriers, 12 * rb_size);
      for (int g = 0; g < est.num_groups; ++g) {
        for (int r = 0; r < layers; ++r) {
          for (int v = 0; v < layers; ++v) {
            for (int k = 0; k < est.subcarriers; ++k) {
              ASSERT_LT(std::abs(est.at(g, r, v)[k] - h[r * layers + v]), 1e-4F)
                  << "rb_size " << rb_size << " layers " << layers << " rx " << r << " layer " << v << " k " << k;
            }
          }
        }
      }
    }
  }
}

TEST(PuschChannelEstimator, WrongGridShapeIsAnError) {
  auto estimator = make_estimator(FrequencyInterpolation::dft);
  EstSetup s;
  const PuschPlan plan = make_plan(s);  // BWP of 24 PRBs
  PuschChannelEstimate est;
  for (auto [ports, symbols, subcarriers] :
       {std::tuple{1, 14, 12 * 23}, std::tuple{1, 14, 12 * 25}, std::tuple{1, 13, 12 * 24}, std::tuple{0, 14, 12 * 24},
        std::tuple{2, 12, 12 * 24}}) {
    ResourceGrid rx(ports, symbols, subcarriers);
    const Status st = estimator->estimate(plan, rx, est);
    ASSERT_FALSE(st) << ports << " x " << symbols << " x " << subcarriers;
    EXPECT_NE(st.message().find("grid"), std::string::npos) << st.message();
  }
  ResourceGrid ok(1, 14, 12 * 24);
  EXPECT_TRUE(estimator->estimate(plan, ok, est));
}

TEST(PuschChannelEstimator, CreateRejectsBadWindows) {
  for (auto [late, early] : {std::pair{0.0, 0.02}, std::pair{1.0, 0.02}, std::pair{-0.1, 0.0}, std::pair{0.09, 1.0},
                             std::pair{0.09, -0.01}, std::pair{std::nan(""), 0.0}}) {
    ChannelEstimatorConfig config;
    config.dft_delay_window = late;
    config.dft_early_window = early;
    auto e = PuschChannelEstimator::create(config);
    ASSERT_FALSE(e.has_value()) << late << " / " << early;
    EXPECT_NE(e.error().message.find("window"), std::string::npos) << e.error().message;
  }
  EXPECT_TRUE(PuschChannelEstimator::create(ChannelEstimatorConfig{}).has_value());
}

}  // namespace
}  // namespace airan::phy
