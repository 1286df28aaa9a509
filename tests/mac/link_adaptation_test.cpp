#include "airan/mac/link_adaptation.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace airan::mac {
namespace {

McsSelector make_selector(phy::McsTable table) {
  auto selector = McsSelector::create(table);
  EXPECT_TRUE(selector) << selector.error().message;
  return *selector;
}

TEST(LinkAdaptation, SinrThresholdsFollowTheAttenuatedShannonBound) {
  const McsSelector selector = make_selector(phy::McsTable::qam256);
  EXPECT_EQ(selector.max_mcs(), 27);
  for (int mcs = 0; mcs <= selector.max_mcs(); ++mcs) {
    const double se = selector.entry(mcs).spectral_efficiency;
    const double sinr = std::pow(10.0, selector.required_sinr_db(mcs) / 10.0);
    EXPECT_NEAR(0.75 * std::log2(1.0 + sinr), se, 1e-9) << mcs;
    // At exactly its threshold an MCS is chosen; just below, a lower one.
    EXPECT_EQ(selector.select(selector.required_sinr_db(mcs) + 1e-9), mcs);
    if (mcs > 0) {
      EXPECT_LT(selector.select(selector.required_sinr_db(mcs) - 1e-6), mcs);
    }
  }
  EXPECT_EQ(selector.select(-30.0), 0);
  EXPECT_EQ(selector.select(60.0), 27);
  EXPECT_TRUE(std::isinf(selector.required_sinr_db(28)));  // reserved rows are never selected
  // 64QAM table: max spectral efficiency 5.5547 needs 2^(5.5547/0.75) - 1, about 22.27 dB.
  const McsSelector qam64 = make_selector(phy::McsTable::qam64);
  EXPECT_EQ(qam64.max_mcs(), 28);
  EXPECT_NEAR(qam64.required_sinr_db(28), 22.27, 0.01);
  EXPECT_FALSE(McsSelector::create(phy::McsTable::qam64, 0.0));
}

TEST(LinkAdaptation, CqiMapsToTheMcsOfEqualOrLowerEfficiency) {
  const McsSelector qam256 = make_selector(phy::McsTable::qam256);
  // CQI table 2 and MCS table 2 share their rows from CQI 2 on: the mapping hits them exactly.
  for (int cqi = 2; cqi <= 15; ++cqi) {
    auto mcs = cqi_to_mcs(qam256, CqiTable::table2_qam256, cqi);
    ASSERT_TRUE(mcs);
    EXPECT_NEAR(qam256.entry(*mcs).spectral_efficiency, *cqi_spectral_efficiency(CqiTable::table2_qam256, cqi), 1e-9)
        << cqi;
  }
  EXPECT_EQ(*cqi_to_mcs(qam256, CqiTable::table2_qam256, 15), 27);  // 256QAM, 948/1024
  EXPECT_EQ(*cqi_to_mcs(qam256, CqiTable::table2_qam256, 1), 0);    // below every MCS: the lowest
  const McsSelector qam64 = make_selector(phy::McsTable::qam64);
  EXPECT_EQ(*cqi_to_mcs(qam64, CqiTable::table1_qam64, 15), 28);    // 64QAM, 948/1024
  EXPECT_EQ(*cqi_to_mcs(qam64, CqiTable::table1_qam64, 7), 11);     // 16QAM 378: the same row
  EXPECT_EQ(*cqi_to_mcs(qam64, CqiTable::table1_qam64, 6), 8);      // QPSK 602 (1.1758): MCS 8 is 602
  for (int cqi = 2; cqi <= 15; ++cqi) {
    EXPECT_LE(*cqi_to_mcs(qam64, CqiTable::table1_qam64, cqi - 1), *cqi_to_mcs(qam64, CqiTable::table1_qam64, cqi));
  }
  auto out_of_range = cqi_to_mcs(qam64, CqiTable::table1_qam64, 0);
  ASSERT_FALSE(out_of_range);
  EXPECT_NE(out_of_range.error().message.find("out of range"), std::string::npos);
  EXPECT_FALSE(cqi_to_mcs(qam64, CqiTable::table1_qam64, 16));
}

TEST(LinkAdaptation, ConfigValidationNamesTheField) {
  EXPECT_TRUE(LinkAdaptationConfig{}.validate());
  EXPECT_NE(LinkAdaptationConfig{.bler_target = 0.0}.validate().message().find("bler_target"), std::string::npos);
  EXPECT_NE(LinkAdaptationConfig{.step_up_db = -1}.validate().message().find("step_up_db"), std::string::npos);
  EXPECT_NE(LinkAdaptationConfig{.initial_offset_db = 50}.validate().message().find("initial_offset_db"),
            std::string::npos);
  EXPECT_NEAR((LinkAdaptationConfig{.bler_target = 0.1, .step_up_db = 0.05}.step_down_db()), 0.45, 1e-12);
}

TEST(LinkAdaptation, OuterLoopIsClamped) {
  OuterLoop loop(LinkAdaptationConfig{.step_up_db = 1.0, .min_offset_db = -3.0, .max_offset_db = 2.0});
  for (int i = 0; i < 10; ++i) loop.on_ack();
  EXPECT_DOUBLE_EQ(loop.offset_db(), 2.0);
  for (int i = 0; i < 10; ++i) loop.on_nack();
  EXPECT_DOUBLE_EQ(loop.offset_db(), -3.0);
}

// A synthetic link whose real receiver needs `model_error_db` more than the SINR model says, with
// a logistic BLER curve around that threshold, and a fading SINR. The OLLA must find the offset
// that gives the 10% BLER target although every MCS decision is discrete.
double run_outer_loop(double model_error_db, double bler_target, int transmissions, double* final_offset) {
  const McsSelector selector = make_selector(phy::McsTable::qam256);
  const LinkAdaptationConfig config{.bler_target = bler_target, .step_up_db = 0.05};
  OuterLoop loop(config);
  std::mt19937 rng(7);
  std::normal_distribution<double> fading_db(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  int errors = 0;
  int counted = 0;
  for (int n = 0; n < transmissions; ++n) {
    const double reported_sinr_db = 15.0;
    const double actual_sinr_db = reported_sinr_db + fading_db(rng);
    const int mcs = selector.select(reported_sinr_db + loop.offset_db());
    const double margin_db = actual_sinr_db - (selector.required_sinr_db(mcs) + model_error_db);
    const double bler = 1.0 / (1.0 + std::exp(margin_db / 0.4));
    const bool error = uniform(rng) < bler;
    if (error) {
      loop.on_nack();
    } else {
      loop.on_ack();
    }
    if (n >= transmissions / 5) {  // after convergence
      errors += error ? 1 : 0;
      ++counted;
    }
  }
  *final_offset = loop.offset_db();
  return static_cast<double>(errors) / counted;
}

TEST(LinkAdaptation, OuterLoopConvergesToTheBlerTarget) {
  for (double model_error_db : {-3.0, 0.0, 4.0}) {
    double offset = 0.0;
    const double bler = run_outer_loop(model_error_db, 0.1, 50000, &offset);
    EXPECT_NEAR(bler, 0.1, 0.01) << "model error " << model_error_db << " dB";
    // The offset compensates the model error (roughly: fading and MCS granularity add a margin).
    EXPECT_LT(offset, -model_error_db + 1.0) << model_error_db;
    EXPECT_GT(offset, -model_error_db - 5.0) << model_error_db;
  }
  double offset = 0.0;
  EXPECT_NEAR(run_outer_loop(2.0, 0.01, 200000, &offset), 0.01, 0.003);
}

}  // namespace
}  // namespace airan::mac
