// PUSCH configuration and plan: DMRS positions against TS 38.211 Tables 6.4.1.1.3-3/-4, the
// DMRS port parameters of Tables 6.4.1.1.3-1/-2, data REs, G and TBS (38.214 6.1.4.2), and
// the validation errors.
#include "airan/phy/pusch/pusch_config.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <string>
#include <vector>

namespace airan::phy {
namespace {

std::string describe(const PuschConfig& c) {
  return std::string("mapping ") + (c.mapping_type == PuschMappingType::a ? "A" : "B") +
         " start " + std::to_string(c.start_symbol) + " length " + std::to_string(c.num_symbols) + " typeA-pos " +
         std::to_string(c.dmrs.type_a_position) + " addpos " + std::to_string(c.dmrs.additional_position) +
         " dmrs length " + std::to_string(c.dmrs.length);
}

std::vector<int> dmrs_symbols(const PuschPlan& plan) {
  return {plan.dmrs_symbols.begin(), plan.dmrs_symbols.begin() + plan.num_dmrs_symbols};
}

PuschConfig small_config() {
  PuschConfig c;
  c.bwp_size = 20;
  c.rb_start = 0;
  c.rb_size = 10;
  c.dmrs.additional_position = 1;
  return c;
}

struct PositionCase {
  PuschMappingType type;
  int start;
  int length;
  int type_a_position;
  int additional_position;
  int dmrs_length;
  std::vector<int> expected;  // slot symbol indices, hand-read from the tables
};

// Table 6.4.1.1.3-3 (single symbol) and -4 (double symbol), intra-slot hopping disabled.
// Type A: l-bar counts from the slot start, l0 = dmrs-TypeA-Position, l_d = start + length.
// Type B: l-bar counts from the allocation start, l0 = 0, l_d = length.
const PositionCase kPositionCases[] = {
    // Single-symbol, type A.
    {PuschMappingType::a, 0, 14, 2, 0, 1, {2}},
    {PuschMappingType::a, 0, 14, 2, 1, 1, {2, 11}},
    {PuschMappingType::a, 0, 14, 2, 2, 1, {2, 7, 11}},
    {PuschMappingType::a, 0, 14, 2, 3, 1, {2, 5, 8, 11}},
    {PuschMappingType::a, 0, 14, 3, 1, 1, {3, 11}},
    {PuschMappingType::a, 0, 14, 3, 2, 1, {3, 7, 11}},
    {PuschMappingType::a, 0, 13, 2, 1, 1, {2, 11}},
    {PuschMappingType::a, 0, 13, 2, 2, 1, {2, 7, 11}},
    {PuschMappingType::a, 0, 12, 2, 1, 1, {2, 9}},
    {PuschMappingType::a, 0, 12, 2, 2, 1, {2, 6, 9}},
    {PuschMappingType::a, 0, 12, 2, 3, 1, {2, 5, 8, 11}},
    {PuschMappingType::a, 0, 11, 2, 3, 1, {2, 6, 9}},
    {PuschMappingType::a, 0, 10, 2, 1, 1, {2, 9}},
    {PuschMappingType::a, 0, 10, 2, 2, 1, {2, 6, 9}},
    {PuschMappingType::a, 0, 9, 3, 1, 1, {3, 7}},
    {PuschMappingType::a, 0, 8, 2, 3, 1, {2, 7}},
    {PuschMappingType::a, 0, 7, 2, 3, 1, {2}},
    {PuschMappingType::a, 0, 4, 2, 3, 1, {2}},
    {PuschMappingType::a, 1, 10, 2, 1, 1, {2, 9}},      // l_d = 11
    {PuschMappingType::a, 2, 12, 2, 1, 1, {2, 11}},     // l_d = 14
    {PuschMappingType::a, 3, 10, 3, 2, 1, {3, 7, 11}},  // l_d = 13
    // Single-symbol, type B.
    {PuschMappingType::b, 4, 7, 2, 1, 1, {4, 8}},
    {PuschMappingType::b, 0, 14, 2, 0, 1, {0}},
    {PuschMappingType::b, 0, 14, 2, 1, 1, {0, 10}},
    {PuschMappingType::b, 0, 14, 2, 2, 1, {0, 5, 10}},
    {PuschMappingType::b, 0, 14, 2, 3, 1, {0, 3, 6, 9}},
    {PuschMappingType::b, 2, 12, 2, 2, 1, {2, 7, 12}},
    {PuschMappingType::b, 5, 8, 2, 2, 1, {5, 8, 11}},
    {PuschMappingType::b, 5, 8, 2, 1, 1, {5, 11}},
    {PuschMappingType::b, 1, 10, 2, 1, 1, {1, 9}},
    {PuschMappingType::b, 1, 10, 2, 2, 1, {1, 5, 9}},
    {PuschMappingType::b, 1, 10, 2, 3, 1, {1, 4, 7, 10}},
    {PuschMappingType::b, 3, 11, 2, 1, 1, {3, 11}},
    {PuschMappingType::b, 0, 5, 2, 2, 1, {0, 4}},
    {PuschMappingType::b, 10, 4, 2, 3, 1, {10}},
    {PuschMappingType::b, 3, 9, 3, 3, 1, {3, 6, 9}},  // typeA position irrelevant for B
    // Double-symbol, type A.
    {PuschMappingType::a, 0, 14, 2, 0, 2, {2, 3}},
    {PuschMappingType::a, 0, 14, 2, 1, 2, {2, 3, 10, 11}},
    {PuschMappingType::a, 0, 13, 3, 1, 2, {3, 4, 10, 11}},
    {PuschMappingType::a, 0, 12, 3, 1, 2, {3, 4, 8, 9}},
    {PuschMappingType::a, 0, 10, 2, 1, 2, {2, 3, 8, 9}},
    {PuschMappingType::a, 0, 9, 2, 1, 2, {2, 3}},
    {PuschMappingType::a, 1, 13, 2, 1, 2, {2, 3, 10, 11}},
    // Double-symbol, type B.
    {PuschMappingType::b, 0, 14, 2, 1, 2, {0, 1, 9, 10}},
    {PuschMappingType::b, 3, 8, 2, 1, 2, {3, 4, 8, 9}},
    {PuschMappingType::b, 2, 10, 2, 1, 2, {2, 3, 9, 10}},
    {PuschMappingType::b, 1, 12, 2, 1, 2, {1, 2, 10, 11}},
    {PuschMappingType::b, 6, 5, 2, 1, 2, {6, 7}},
    {PuschMappingType::b, 4, 9, 2, 0, 2, {4, 5}},
};

TEST(PuschConfig, DmrsPositionsFollowTables) {
  for (const PositionCase& t : kPositionCases) {
    PuschConfig c = small_config();
    c.mapping_type = t.type;
    c.start_symbol = t.start;
    c.num_symbols = t.length;
    c.dmrs.type_a_position = t.type_a_position;
    c.dmrs.additional_position = t.additional_position;
    c.dmrs.length = t.dmrs_length;
    auto plan = plan_pusch(c);
    ASSERT_TRUE(plan.has_value()) << describe(c) << ": " << plan.error().message;
    EXPECT_EQ(dmrs_symbols(*plan), t.expected) << describe(c);
    for (int i = 0; i < plan->num_dmrs_symbols; ++i) {
      EXPECT_EQ(plan->dmrs_l_prime[i], t.dmrs_length == 2 ? i % 2 : 0) << describe(c) << " DMRS " << i;
    }
    for (int l = 0; l < kSymbolsPerSlot; ++l) {
      bool expected = false;
      for (int s : t.expected) expected |= s == l;
      EXPECT_EQ(plan->is_dmrs_symbol[l], expected) << describe(c) << " symbol " << l;
    }
  }
}

// Table 6.4.1.1.3-3, first row: PUSCH mapping type B with a duration below 4 symbols has its
// DMRS at l0 (38.214 Table 6.1.2.1-1 allows type B lengths 1..14).
TEST(PuschConfig, DmrsTypeBShortDurations) {
  for (int length = 2; length <= 3; ++length) {
    PuschConfig c = small_config();
    c.mapping_type = PuschMappingType::b;
    c.start_symbol = 9;
    c.num_symbols = length;
    c.dmrs.additional_position = 1;
    auto plan = plan_pusch(c);
    if (!plan) {
      FAIL() << "regression: plan_pusch rejects PUSCH mapping type B with " << length
                   << " symbols (38.211 Table 6.4.1.1.3-3 row l_d < 4: DMRS at l0; 38.214 Table 6.1.2.1-1 allows "
                      "L = 1..14): "
                   << plan.error().message;
    }
    EXPECT_EQ(dmrs_symbols(*plan), std::vector<int>{9}) << "length " << length;
  }
}

// Tables 6.4.1.1.3-1 (type 1) and 6.4.1.1.3-2 (type 2).
TEST(PuschConfig, DmrsPortParametersType1) {
  struct Row {
    int port, lambda, delta, wf1, wt1;
  };
  const Row rows[] = {{0, 0, 0, 1, 1},   {1, 0, 0, -1, 1}, {2, 1, 1, 1, 1},  {3, 1, 1, -1, 1},
                      {4, 0, 0, 1, -1},  {5, 0, 0, -1, -1}, {6, 1, 1, 1, -1}, {7, 1, 1, -1, -1}};
  for (const Row& r : rows) {
    const DmrsPortParameters p = dmrs_port_parameters(1, r.port);
    EXPECT_EQ(p.cdm_group, r.lambda) << "port " << r.port;
    EXPECT_EQ(p.delta, r.delta) << "port " << r.port;
    EXPECT_EQ(p.w_f[0], 1) << "port " << r.port;
    EXPECT_EQ(p.w_f[1], r.wf1) << "port " << r.port;
    EXPECT_EQ(p.w_t[0], 1) << "port " << r.port;
    EXPECT_EQ(p.w_t[1], r.wt1) << "port " << r.port;
  }
}

TEST(PuschConfig, DmrsPortParametersType2) {
  struct Row {
    int port, lambda, delta, wf1, wt1;
  };
  const Row rows[] = {{0, 0, 0, 1, 1},  {1, 0, 0, -1, 1},  {2, 1, 2, 1, 1},   {3, 1, 2, -1, 1},
                      {4, 2, 4, 1, 1},  {5, 2, 4, -1, 1},  {6, 0, 0, 1, -1},  {7, 0, 0, -1, -1},
                      {8, 1, 2, 1, -1}, {9, 1, 2, -1, -1}, {10, 2, 4, 1, -1}, {11, 2, 4, -1, -1}};
  for (const Row& r : rows) {
    const DmrsPortParameters p = dmrs_port_parameters(2, r.port);
    EXPECT_EQ(p.cdm_group, r.lambda) << "port " << r.port;
    EXPECT_EQ(p.delta, r.delta) << "port " << r.port;
    EXPECT_EQ(p.w_f[0], 1) << "port " << r.port;
    EXPECT_EQ(p.w_f[1], r.wf1) << "port " << r.port;
    EXPECT_EQ(p.w_t[0], 1) << "port " << r.port;
    EXPECT_EQ(p.w_t[1], r.wt1) << "port " << r.port;
  }
}

struct ReCase {
  int config_type;
  int dmrs_length;
  int additional_position;
  int cdm_groups;
  int num_symbols;
  std::uint16_t data_mask;  // data subcarriers of a PRB on a DMRS symbol
  int data_res_per_prb;
};

// Hand counts: 12 * symbols - (DMRS symbols) * (12 - data subcarriers on a DMRS symbol).
const ReCase kReCases[] = {
    // type 1: CDM group 0 = even subcarriers, group 1 = odd ones.
    {1, 1, 1, 2, 14, 0x000, 168 - 2 * 12},  // 144
    {1, 1, 1, 1, 14, 0xAAA, 168 - 2 * 6},   // 156: the odd subcarriers carry data
    {1, 1, 0, 1, 14, 0xAAA, 168 - 6},       // 162
    {1, 1, 3, 2, 14, 0x000, 168 - 4 * 12},  // 120
    {1, 2, 1, 1, 14, 0xAAA, 168 - 4 * 6},   // 144
    // type 2: group lambda = subcarriers 6n + 2 lambda + {0, 1}.
    {2, 1, 1, 1, 14, 0xF3C, 168 - 2 * 4},   // data on k % 6 in 2..5
    {2, 1, 1, 2, 14, 0xC30, 168 - 2 * 8},   // data on k % 6 in 4..5
    {2, 1, 1, 3, 14, 0x000, 168 - 2 * 12},
    {2, 2, 1, 3, 14, 0x000, 168 - 4 * 12},  // 120
    {2, 2, 0, 2, 12, 0xC30, 144 - 2 * 8},   // 128
};

TEST(PuschConfig, DataResAndG) {
  for (const ReCase& t : kReCases) {
    for (int layers : {1, 2}) {
      PuschConfig c = small_config();
      c.num_symbols = t.num_symbols;
      c.dmrs.config_type = t.config_type;
      c.dmrs.length = t.dmrs_length;
      c.dmrs.additional_position = t.additional_position;
      c.dmrs.num_cdm_groups_without_data = t.cdm_groups;
      c.num_layers = layers;
      c.num_antenna_ports = layers;
      c.dmrs.ports = {0, 1, 2, 3};
      c.rb_size = 7;
      c.rb_start = 3;
      c.mcs_index = 12;  // 16QAM
      const std::string what = "type " + std::to_string(t.config_type) + " length " + std::to_string(t.dmrs_length) +
                               " addpos " + std::to_string(t.additional_position) + " cdm " +
                               std::to_string(t.cdm_groups) + " layers " + std::to_string(layers);
      auto plan = plan_pusch(c);
      ASSERT_TRUE(plan.has_value()) << what << ": " << plan.error().message;
      EXPECT_EQ(plan->dmrs_symbol_data_mask, t.data_mask) << what;
      EXPECT_EQ(plan->data_res_per_prb, t.data_res_per_prb) << what;
      EXPECT_EQ(plan->data_res, t.data_res_per_prb * 7) << what;
      EXPECT_EQ(plan->modulation_order, 4) << what;
      EXPECT_EQ(plan->g, t.data_res_per_prb * 7 * 4 * layers) << what;
      EXPECT_EQ(plan->first_subcarrier(), 36) << what;
      EXPECT_EQ(plan->num_subcarriers(), 84) << what;
      EXPECT_NEAR(plan->beta_dmrs, std::sqrt(static_cast<double>(t.cdm_groups)), 1e-12) << what;
      EXPECT_EQ(plan->sch.tbs(), plan->tbs) << what;
    }
  }
}

TEST(PuschConfig, DataResTypeBShortAllocation) {
  // Type B, symbols 4..10, DMRS on 4 and 8, type 1 with both CDM groups empty of data.
  PuschConfig c = small_config();
  c.mapping_type = PuschMappingType::b;
  c.start_symbol = 4;
  c.num_symbols = 7;
  c.rb_size = 5;
  c.mcs_index = 2;  // QPSK
  auto plan = plan_pusch(c);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  EXPECT_EQ(plan->data_res_per_prb, 7 * 12 - 2 * 12);
  EXPECT_EQ(plan->data_res, 60 * 5);
  EXPECT_EQ(plan->g, 60 * 5 * 2);
}

TEST(PuschConfig, TbsHandComputed) {
  // 10 PRB, 14 symbols, DMRS type 1 on 2 symbols with 2 CDM groups: N'_RE = 168 - 24 = 144.
  // MCS 10 of the 64QAM table: Qm 4, R 340/1024. N_info = 1440 * 340/1024 * 4 = 1912.5;
  // n = max(3, floor(log2 1912.5) - 6) = 4, N'_info = 16 * floor(1912.5 / 16) = 1904;
  // Table 5.1.3.2-1: smallest TBS >= 1904 is 1928.
  PuschConfig c = small_config();
  c.mcs_index = 10;
  auto plan = plan_pusch(c);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  EXPECT_EQ(plan->tbs, 1928);
  EXPECT_EQ(plan->g, 1440 * 4);

  // xOverhead 6: N'_RE = 138, N_info = 1380 * 4 * 340 / 1024 = 1832.8125, n = 4,
  // N'_info = 16 * 114 = 1824 -> TBS 1864. G is unchanged.
  c.x_overhead = 6;
  plan = plan_pusch(c);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  EXPECT_EQ(plan->tbs, 1864);
  EXPECT_EQ(plan->g, 1440 * 4);
}

TEST(PuschConfig, TbsLargeTwoLayers) {
  // 273 PRB, 14 symbols, 24 DMRS REs/PRB, 2 layers, 256QAM table MCS 27: Qm 8, R 948/1024.
  // N_RE = 144 * 273 = 39312; N_info = 39312 * 948/1024 * 8 * 2 = 582309.
  // n = floor(log2(582309 - 24)) - 5 = 14; N'_info = 2^14 * round(582285 / 2^14 = 35.54) = 589824.
  // R > 1/4: C = ceil((589824 + 24) / 8424) = 71; TBS = 8 * 71 * ceil(589848 / 568) - 24
  // = 568 * 1039 - 24 = 590128.
  PuschConfig c;
  c.bwp_size = 273;
  c.rb_size = 273;
  c.num_layers = 2;
  c.num_antenna_ports = 2;
  c.mcs_table = McsTable::qam256;
  c.mcs_index = 27;
  c.dmrs.additional_position = 1;
  auto plan = plan_pusch(c);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  EXPECT_EQ(plan->modulation_order, 8);
  EXPECT_EQ(plan->tbs, 590128);
  EXPECT_EQ(plan->g, 39312 * 8 * 2);
  EXPECT_EQ(plan->sch.segmentation.num_blocks, 71);
}

TEST(PuschConfig, TbsCappedAt156RePerPrb) {
  // One DMRS symbol, type 1 with one CDM group without data: N'_RE = 168 - 6 = 162, capped at
  // 156 for the TBS (N_RE = 156 * 4 = 624) but not for G (162 * 4 REs).
  // MCS 5 (QPSK, R 379): N_info = 624 * 2 * 379 / 1024 = 461.9; n = 3; N'_info = 8 * 57 = 456;
  // Table 5.1.3.2-1 holds 456.
  PuschConfig c = small_config();
  c.rb_size = 4;
  c.dmrs.additional_position = 0;
  c.dmrs.num_cdm_groups_without_data = 1;
  c.mcs_index = 5;
  auto plan = plan_pusch(c);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  EXPECT_EQ(plan->tbs, 456);
  EXPECT_EQ(plan->data_res, 162 * 4);
  EXPECT_EQ(plan->g, 162 * 4 * 2);
}

TEST(PuschConfig, TbsLowSeSmallest) {
  // Low-SE table MCS 0: QPSK R 30/1024; 1 PRB, 144 REs: N_info = 8.4 -> N'_info = max(24, 8) = 24.
  PuschConfig c = small_config();
  c.rb_size = 1;
  c.mcs_table = McsTable::qam64_low_se;
  c.mcs_index = 0;
  auto plan = plan_pusch(c);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  EXPECT_EQ(plan->tbs, 24);
  EXPECT_EQ(plan->g, 144 * 2);
}

TEST(PuschConfig, ScramblingIdDefaultsToCellId) {
  PuschConfig c = small_config();
  c.n_cell_id = 777;
  auto plan = plan_pusch(c);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  EXPECT_EQ(plan->data_scrambling_id, 777);
  c.data_scrambling_id = 1001;
  plan = plan_pusch(c);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  EXPECT_EQ(plan->data_scrambling_id, 1001);
}

void expect_error(const PuschConfig& c, const std::string& field, const std::string& what) {
  auto plan = plan_pusch(c);
  ASSERT_FALSE(plan.has_value()) << what << ": accepted";
  EXPECT_NE(plan.error().message.find(field), std::string::npos)
      << what << ": message '" << plan.error().message << "' does not name " << field;
  EXPECT_FALSE(validate(c)) << what;
}

TEST(PuschConfig, ValidationErrorsNameTheirField) {
  const PuschConfig base = small_config();
  ASSERT_TRUE(validate(base));
  ASSERT_TRUE(plan_pusch(base).has_value());
  {
    PuschConfig c = base;
    c.n_cell_id = 1008;
    expect_error(c, "n_cell_id", "n_cell_id 1008");
    c.n_cell_id = -1;
    expect_error(c, "n_cell_id", "n_cell_id -1");
  }
  {
    PuschConfig c = base;
    c.numerology = 7;
    expect_error(c, "numerology", "mu 7");
  }
  {
    PuschConfig c = base;
    c.numerology = 1;
    c.slot_number = 20;
    expect_error(c, "slot_number", "slot 20 at mu 1");
    c.numerology = 0;
    c.slot_number = 10;
    expect_error(c, "slot_number", "slot 10 at mu 0");
    c.slot_number = -1;
    expect_error(c, "slot_number", "slot -1");
    c.numerology = 1;
    c.slot_number = 19;
    EXPECT_TRUE(plan_pusch(c).has_value());
  }
  {
    PuschConfig c = base;
    c.bwp_size = 276;
    c.rb_size = 1;
    expect_error(c, "bwp_size", "bwp_size 276");
    c.bwp_size = 0;
    expect_error(c, "bwp_size", "bwp_size 0");
    c.bwp_size = 100;
    c.bwp_start = 176;
    expect_error(c, "bwp_start", "BWP 176 + 100");
  }
  {
    PuschConfig c = base;  // BWP of 20
    c.rb_start = 15;
    c.rb_size = 6;
    expect_error(c, "rb_start", "PRBs 15 + 6 in a BWP of 20");
    c.rb_start = 0;
    c.rb_size = 0;
    expect_error(c, "rb_size", "rb_size 0");
    c.rb_start = -1;
    c.rb_size = 4;
    expect_error(c, "rb_start", "rb_start -1");
  }
  {
    PuschConfig c = base;
    c.mapping_type = PuschMappingType::b;
    c.start_symbol = 10;
    c.num_symbols = 5;
    expect_error(c, "num_symbols", "symbols 10 + 5");
    c.start_symbol = -1;
    expect_error(c, "start_symbol", "start -1");
    c.start_symbol = 0;
    c.num_symbols = 0;
    expect_error(c, "num_symbols", "no symbols");
  }
  {
    PuschConfig c = base;
    c.mapping_type = PuschMappingType::a;
    c.dmrs.type_a_position = 2;
    c.start_symbol = 3;
    c.num_symbols = 11;
    expect_error(c, "start_symbol", "type A start 3 after typeA position 2");
    c.dmrs.type_a_position = 3;
    EXPECT_TRUE(plan_pusch(c).has_value()) << "start 3 with typeA position 3";
    c.start_symbol = 0;
    c.num_symbols = 3;
    expect_error(c, "symbols", "type A with 3 symbols");
  }
  {
    PuschConfig c = base;
    c.mapping_type = PuschMappingType::b;
    c.dmrs.length = 2;
    c.start_symbol = 2;
    c.num_symbols = 4;
    expect_error(c, "symbols", "type B double-symbol DMRS in 4 symbols");
  }
  {
    PuschConfig c = base;
    c.num_layers = 5;
    c.num_antenna_ports = 4;
    expect_error(c, "num_layers", "5 layers");
    c.num_layers = 0;
    expect_error(c, "num_layers", "0 layers");
  }
  {
    PuschConfig c = base;
    c.num_layers = 1;
    c.num_antenna_ports = 2;
    expect_error(c, "num_antenna_ports", "non-codebook 1 layer on 2 ports");
    c.num_antenna_ports = 3;
    c.num_layers = 2;
    expect_error(c, "num_antenna_ports", "non-codebook 2 layers on 3 ports");
    c.num_layers = 3;
    c.dmrs.ports = {0, 1, 2, 3};
    EXPECT_TRUE(plan_pusch(c).has_value()) << "non-codebook 3 layers on 3 ports";
    c.codebook_precoding = true;
    expect_error(c, "num_antenna_ports", "codebook on 3 ports");
  }
  {
    PuschConfig c = base;
    c.codebook_precoding = true;
    c.num_layers = 1;
    c.num_antenna_ports = 1;
    expect_error(c, "ports", "codebook with 1 port");
    c.num_layers = 3;
    c.num_antenna_ports = 2;
    expect_error(c, "layers", "codebook 3 layers on 2 ports");
  }
  {
    PuschConfig c = base;
    c.dmrs.num_cdm_groups_without_data = 1;
    c.num_layers = 2;
    c.num_antenna_ports = 2;
    c.dmrs.ports = {0, 2, 0, 0};  // port 2 is in CDM group 1, which carries data
    expect_error(c, "dmrs.ports[1]", "type 1 port 2 with one CDM group without data");
    c.dmrs.config_type = 2;
    c.dmrs.num_cdm_groups_without_data = 2;
    c.dmrs.ports = {0, 4, 0, 0};  // type 2 port 4 is in CDM group 2
    expect_error(c, "dmrs.ports[1]", "type 2 port 4 with two CDM groups without data");
  }
  {
    PuschConfig c = base;
    c.num_layers = 3;
    c.num_antenna_ports = 3;
    c.num_antenna_ports = 4;
    c.num_layers = 4;
    c.dmrs.ports = {0, 1, 2, 1};
    expect_error(c, "dmrs.ports", "duplicate port 1");
  }
  {
    PuschConfig c = base;
    c.dmrs.ports = {4, 0, 0, 0};  // port 4 needs a double-symbol DMRS (type 1)
    expect_error(c, "dmrs.ports[0]", "type 1 single port 4");
    c.dmrs.config_type = 2;
    c.dmrs.ports = {6, 0, 0, 0};
    expect_error(c, "dmrs.ports[0]", "type 2 single port 6");
    c.dmrs.ports = {-1, 0, 0, 0};
    expect_error(c, "dmrs.ports[0]", "port -1");
  }
  {
    PuschConfig c = base;
    c.dmrs.config_type = 3;
    expect_error(c, "dmrs.config_type", "type 3");
  }
  {
    PuschConfig c = base;
    c.dmrs.length = 3;
    expect_error(c, "dmrs.length", "length 3");
  }
  {
    PuschConfig c = base;
    c.dmrs.additional_position = 4;
    expect_error(c, "dmrs.additional_position", "addpos 4");
    c.dmrs.length = 2;
    c.dmrs.additional_position = 2;
    expect_error(c, "dmrs.additional_position", "double symbol addpos 2");
  }
  {
    PuschConfig c = base;
    c.dmrs.type_a_position = 4;
    expect_error(c, "dmrs.type_a_position", "typeA position 4");
  }
  {
    PuschConfig c = base;
    c.dmrs.num_cdm_groups_without_data = 3;  // type 1 has two
    expect_error(c, "dmrs.num_cdm_groups_without_data", "type 1 with 3 CDM groups");
    c.dmrs.num_cdm_groups_without_data = 0;
    expect_error(c, "dmrs.num_cdm_groups_without_data", "0 CDM groups");
  }
  {
    PuschConfig c = base;
    c.dmrs.n_scid = 2;
    expect_error(c, "dmrs.n_scid", "n_scid 2");
  }
  {
    PuschConfig c = base;
    c.rv = 4;
    expect_error(c, "rv", "rv 4");
  }
  {
    PuschConfig c = base;
    c.x_overhead = 3;
    expect_error(c, "x_overhead", "xOverhead 3");
  }
  {
    PuschConfig c = base;
    c.mcs_table = McsTable::tp_qam64;
    expect_error(c, "mcs_table", "tp_qam64");
    c.mcs_table = McsTable::tp_qam64_low_se;
    expect_error(c, "mcs_table", "tp_qam64_low_se");
  }
}

TEST(PuschConfig, McsErrors) {
  PuschConfig c = small_config();
  for (int index : {29, 30, 31}) {
    c.mcs_table = McsTable::qam64;
    c.mcs_index = index;
    auto plan = plan_pusch(c);
    ASSERT_FALSE(plan.has_value()) << "qam64 MCS " << index;
    EXPECT_NE(plan.error().message.find("mcs_index"), std::string::npos) << plan.error().message;
    EXPECT_NE(plan.error().message.find("reserved"), std::string::npos) << plan.error().message;
  }
  c.mcs_table = McsTable::qam256;
  c.mcs_index = 28;
  auto plan = plan_pusch(c);
  ASSERT_FALSE(plan.has_value()) << "qam256 MCS 28 is reserved";
  EXPECT_NE(plan.error().message.find("mcs_index"), std::string::npos) << plan.error().message;
  c.mcs_index = 27;
  EXPECT_TRUE(plan_pusch(c).has_value());
  c.mcs_index = 32;
  plan = plan_pusch(c);
  ASSERT_FALSE(plan.has_value());
  EXPECT_NE(plan.error().message.find("mcs_index"), std::string::npos) << plan.error().message;
  c.mcs_index = -1;
  plan = plan_pusch(c);
  ASSERT_FALSE(plan.has_value());
  EXPECT_NE(plan.error().message.find("mcs_index"), std::string::npos) << plan.error().message;
}

// 38.211 6.4.1.1.3: "The case dmrs-AdditionalPosition equals 3 is only supported when
// dmrs-TypeA-Position is equal to 2."
TEST(PuschConfig, AdditionalPosition3NeedsTypeAPosition2) {
  PuschConfig c = small_config();
  c.dmrs.type_a_position = 3;
  c.dmrs.additional_position = 3;
  auto plan = plan_pusch(c);
  if (plan.has_value()) {
    FAIL() << "regression: plan_pusch accepts dmrs.additional_position=3 with dmrs.type_a_position=3 (38.211 "
                    "6.4.1.1.3 supports additional position 3 only with typeA position 2); it places DMRS at "
                 << plan->dmrs_symbols[0] << "," << plan->dmrs_symbols[1] << "," << plan->dmrs_symbols[2] << ","
                 << plan->dmrs_symbols[3];
  }
  EXPECT_NE(plan.error().message.find("additional_position"), std::string::npos) << plan.error().message;
}

}  // namespace
}  // namespace airan::phy
