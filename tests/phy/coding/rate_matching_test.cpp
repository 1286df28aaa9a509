#include "airan/phy/coding/rate_matching.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace airan::phy {
namespace {

CodeBlockSegmentation seg_for(int tbs, BaseGraph bg) { return *segment_transport_block(tbs, bg); }

TEST(RateMatching, StartingPositionsOfTable5_4_2_1_2) {
  const auto seg1 = seg_for(8000, BaseGraph::bg1);  // Z = 384, N = 66Z, no LBRM
  const int z = seg1.z;
  const int k0_bg1[4] = {0, 17 * z, 33 * z, 56 * z};
  for (int rv = 0; rv < 4; ++rv) {
    auto plan = plan_rate_matching(seg1, {.g = 20000, .modulation_order = 2, .num_layers = 1, .rv = rv});
    ASSERT_TRUE(plan);
    EXPECT_EQ(plan->k0, k0_bg1[rv]) << "rv " << rv;
    EXPECT_EQ(plan->ncb, 66 * z);
  }
  const auto seg2 = seg_for(3000, BaseGraph::bg2);
  const int z2 = seg2.z;
  const int k0_bg2[4] = {0, 13 * z2, 25 * z2, 43 * z2};
  for (int rv = 0; rv < 4; ++rv) {
    auto plan = plan_rate_matching(seg2, {.g = 9000, .modulation_order = 2, .num_layers = 1, .rv = rv});
    ASSERT_TRUE(plan);
    EXPECT_EQ(plan->k0, k0_bg2[rv]);
  }
}

TEST(RateMatching, LimitedBufferShortensTheCircularBuffer) {
  const auto seg = seg_for(50184, BaseGraph::bg1);  // C = 6, N = 25344
  ASSERT_EQ(seg.num_blocks, 6);
  auto plan = plan_rate_matching(seg, {.g = 60000, .modulation_order = 2, .num_layers = 1, .rv = 2, .lbrm_tbs = 60000});
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->ncb, 3 * 60000 / (2 * 6));  // floor(TBS_LBRM / (C * 2/3)) = 15000
  EXPECT_EQ(plan->k0, (33 * 15000 / (66 * 384)) * 384);
}

TEST(RateMatching, BlockLengthsSplitG) {
  // G = 20004, Qm = 4, one layer, C = 2: G' = 5001 is odd, so block 0 gets 4*2500, block 1 4*2501.
  const auto seg = seg_for(9992, BaseGraph::bg1);
  auto plan = plan_rate_matching(seg, {.g = 20004, .modulation_order = 4, .num_layers = 1, .rv = 0});
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->e(0), 10000);
  EXPECT_EQ(plan->e(1), 10004);
  EXPECT_EQ(plan->offset(1), 10000);
  EXPECT_EQ(plan->offset(2), 20004);
}

TEST(RateMatching, InvalidConfigNamesTheParameter) {
  const auto seg = seg_for(1000, BaseGraph::bg2);
  auto check = [&](RateMatchConfig config, const char* needle) {
    auto plan = plan_rate_matching(seg, config);
    ASSERT_FALSE(plan) << needle;
    EXPECT_NE(plan.error().message.find(needle), std::string::npos) << plan.error().message;
  };
  check({.g = 3000, .modulation_order = 2, .num_layers = 1, .rv = 4}, "rv=4");
  check({.g = 3000, .modulation_order = 3, .num_layers = 1, .rv = 0}, "Qm=3");
  check({.g = 3000, .modulation_order = 2, .num_layers = 9, .rv = 0}, "layers 9");
  check({.g = 3001, .modulation_order = 2, .num_layers = 1, .rv = 0}, "G=3001");
  check({.g = 0, .modulation_order = 2, .num_layers = 1, .rv = 0}, "G=0");
  check({.g = 3000, .modulation_order = 2, .num_layers = 1, .rv = 0, .lbrm_tbs = 10}, "TBS_LBRM");
}

// Rate recovery after rate matching puts every transmitted bit back where it came from.
class RateMatchRoundTrip : public ::testing::TestWithParam<std::tuple<int, int, int>> {};

TEST_P(RateMatchRoundTrip, RecoveryIsTheInverseOnKeptBits) {
  const auto [rv, qm, g_factor] = GetParam();
  const auto seg = seg_for(2000, BaseGraph::bg2);  // has filler bits
  ASSERT_GT(seg.filler_bits(), 0);
  const int g = qm * (g_factor * seg.k / qm / 2);
  auto plan = plan_rate_matching(seg, {.g = g, .modulation_order = qm, .num_layers = 1, .rv = rv});
  ASSERT_TRUE(plan);
  std::mt19937 engine(static_cast<unsigned>(rv * 100 + qm));
  std::vector<std::uint8_t> d(static_cast<std::size_t>(seg.n));
  for (auto& b : d) b = static_cast<std::uint8_t>(engine() & 1U);
  std::fill(d.begin() + plan->filler_begin, d.begin() + plan->filler_end, 0);
  std::vector<std::uint8_t> f(static_cast<std::size_t>(plan->e(0)));
  rate_match(*plan, d, f);

  std::vector<Llr> llrs(f.size());
  for (std::size_t i = 0; i < f.size(); ++i) llrs[i] = static_cast<Llr>(f[i] ? -1 : 1);
  std::vector<Llr> soft(static_cast<std::size_t>(seg.n), 99);
  rate_recover(*plan, llrs, soft, /*combine=*/false);
  int kept = 0;
  for (int pos = 0; pos < seg.n; ++pos) {
    if (pos >= plan->filler_begin && pos < plan->filler_end) {
      EXPECT_EQ(soft[pos], kLlrMax) << "filler " << pos;
    } else if (soft[pos] != 0) {
      ++kept;
      EXPECT_EQ(soft[pos] < 0, d[pos] != 0) << "position " << pos;
    }
  }
  // Every selected bit lands somewhere: repetitions add up, so kept <= E, and = E without wrap.
  EXPECT_LE(kept, plan->e(0));
  if (plan->k0 + plan->e(0) + seg.filler_bits() <= plan->ncb) {
    EXPECT_EQ(kept, plan->e(0));
  }

  // Combining a second identical transmission doubles every kept LLR.
  std::vector<Llr> once(soft);
  rate_recover(*plan, llrs, soft, /*combine=*/true);
  for (int pos = 0; pos < seg.n; ++pos) {
    if (pos < plan->filler_begin || pos >= plan->filler_end) {
      EXPECT_EQ(soft[pos], 2 * once[pos]);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(RateMatching, RateMatchRoundTrip,
                         ::testing::Combine(::testing::Values(0, 1, 2, 3), ::testing::Values(1, 2, 4, 6, 8),
                                            ::testing::Values(1, 3, 7)));

TEST(RateMatching, RecoverySaturates) {
  const auto seg = seg_for(500, BaseGraph::bg2);
  auto plan = plan_rate_matching(seg, {.g = 600, .modulation_order = 2, .num_layers = 1, .rv = 0});
  ASSERT_TRUE(plan);
  std::vector<Llr> llrs(600, 100);
  std::vector<Llr> soft(static_cast<std::size_t>(seg.n));
  rate_recover(*plan, llrs, soft, false);
  rate_recover(*plan, llrs, soft, true);
  EXPECT_EQ(soft[0], kLlrMax);
  std::fill(llrs.begin(), llrs.end(), -100);
  rate_recover(*plan, llrs, soft, false);
  rate_recover(*plan, llrs, soft, true);
  EXPECT_EQ(soft[0], -kLlrMax);
}

}  // namespace
}  // namespace airan::phy
