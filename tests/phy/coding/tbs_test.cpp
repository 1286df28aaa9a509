// Tests of the TBS determination of TS 38.214 5.1.3.2 / 6.1.4.2.
//
// Expected values come from two places, never from this implementation:
//  - hand computations from the spec formulas, with the arithmetic in the comments;
//  - MATLAB-generated vectors published by srsRAN_Project in
//    tests/unittests/ran/sch/tbs_calculator_test_data.h ("generated using
//    srsTBSCalculatorUnittest.m", i.e. MATLAB's nrTBS), an independent oracle.
#include "airan/phy/coding/tbs.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "airan/phy/coding/mcs.hpp"

namespace airan::phy {
namespace {

TbsConfig make(int n_prb, int n_symb_sh, int n_dmrs_prb, int n_oh_prb, double rate, int qm,
               int layers = 1, double scaling = 1.0) {
  TbsConfig c;
  c.n_prb = n_prb;
  c.n_symb_sh = n_symb_sh;
  c.n_dmrs_prb = n_dmrs_prb;
  c.n_oh_prb = n_oh_prb;
  c.target_code_rate = rate;
  c.modulation_order = qm;
  c.n_layers = layers;
  c.tb_scaling = scaling;
  return c;
}

int tbs_of(const TbsConfig& c) {
  const Expected<int> tbs = tbs_determine(c);
  EXPECT_TRUE(tbs.has_value()) << (tbs.has_value() ? "" : tbs.error().message);
  return tbs.has_value() ? *tbs : -1;
}

double info_bits_of(const TbsConfig& c) {
  const Expected<double> n_info = tbs_info_bits(c);
  EXPECT_TRUE(n_info.has_value());
  return n_info.has_value() ? *n_info : -1.0;
}

TEST(TbsTable, MatchesTable5_1_3_2_1) {
  const std::span<const int> table = tbs_table();
  ASSERT_EQ(table.size(), 93u);
  EXPECT_EQ(table.front(), 24);
  EXPECT_EQ(table.back(), 3824);
  // Spot entries (index: value) of Table 5.1.3.2-1, where the step between entries changes.
  EXPECT_EQ(table[21], 192);
  EXPECT_EQ(table[22], 208);
  EXPECT_EQ(table[33], 384);
  EXPECT_EQ(table[34], 408);
  EXPECT_EQ(table[52], 984);
  EXPECT_EQ(table[53], 1032);
  EXPECT_EQ(table[77], 2408);
  EXPECT_EQ(table[85], 2976);
  EXPECT_EQ(table[91], 3752);
  for (std::size_t i = 0; i < table.size(); ++i) {
    EXPECT_EQ(table[i] % 8, 0) << i;
    if (i > 0) {
      EXPECT_GT(table[i], table[i - 1]) << i;
    }
  }
}

// --- Hand-computed cases -----------------------------------------------------------------------

TEST(TbsDetermine, SmallBranchHandComputed) {
  // 6 PRB, 12 symbols, 6 DMRS REs, QPSK, R = 102.4/1024 = 0.1, 1 layer:
  //   N'_RE = 12*12 - 6 - 0 = 138, N_RE = 138*6 = 828, N_info = 828*0.1*2 = 165.6
  //   n = max(3, floor(log2 165.6) - 6) = max(3, 1) = 3
  //   N'_info = max(24, 8*floor(165.6/8)) = 8*20 = 160 -> smallest TBS >= 160 is 160.
  EXPECT_EQ(tbs_of(make(6, 12, 6, 0, 0.1, 2)), 160);

  // 52 PRB (20 MHz @ 30 kHz), 12 symbols, 12 DMRS REs, 6 xOverhead, table 1 MCS 9 (QPSK 679):
  //   N'_RE = 144 - 12 - 6 = 126, N_RE = 126*52 = 6552
  //   N_info = 6552*679/1024*2 = 8689.21875 > 3824 -> step 4 (checked in LargeBranch below)
  // Here MCS 2 (QPSK 193): N_info = 6552*193/1024*2 = 2469.796875
  //   n = max(3, 11 - 6) = 5, N'_info = 32*floor(77.18) = 32*77 = 2464 -> TBS 2472.
  EXPECT_EQ(tbs_of(make(52, 12, 12, 6, 193 / 1024.0, 2)), 2472);

  // Tiny allocation: 1 PRB, 1 symbol, 6 DMRS REs, QPSK 30/1024:
  //   N_RE = 6, N_info = 6*30/1024*2 = 0.3516, n = 3, N'_info = max(24, 8*0) = 24 -> TBS 24.
  EXPECT_EQ(tbs_of(make(1, 1, 6, 0, 30 / 1024.0, 2)), 24);

  // 1 PRB, 14 symbols, no DMRS, 256QAM 948/1024: N'_RE = 168 is capped at 156:
  //   N_info = 156*948/1024*8 = 1155.375, n = max(3, 10 - 6) = 4,
  //   N'_info = 16*floor(72.21) = 1152 -> smallest TBS >= 1152 is 1160.
  EXPECT_EQ(tbs_of(make(1, 14, 0, 0, 948 / 1024.0, 8)), 1160);
}

TEST(TbsDetermine, BoundaryBetweenTableAndFormula) {
  // N_info = 3824 exactly: 239 PRB, 2 symbols, 8 DMRS REs (type 2, two CDM groups), QPSK R = 1/2:
  //   N'_RE = 24 - 8 = 16, N_RE = 16*239 = 3824, N_info = 3824*0.5*2 = 3824 (<= 3824: table)
  //   n = max(3, floor(log2 3824) - 6) = 11 - 6 = 5, N'_info = 32*floor(119.5) = 3808 -> 3824.
  const TbsConfig at = make(239, 2, 8, 0, 0.5, 2);
  EXPECT_EQ(info_bits_of(at), 3824.0);
  EXPECT_EQ(tbs_of(at), 3824);

  // N_info = 3825: 25 PRB, 13 symbols, 12 DMRS REs, QPSK R = 544/1024:
  //   N'_RE = 156 - 12 = 144, N_RE = 3600, N_info = 3600*544/1024*2 = 3825 (> 3824: formula)
  //   n = floor(log2(3825 - 24)) - 5 = 11 - 5 = 6, round(3801/64 = 59.39) = 59,
  //   N'_info = max(3840, 64*59 = 3776) = 3840; R > 1/4 and N'_info <= 8424:
  //   TBS = 8*ceil((3840 + 24)/8) - 24 = 3840.
  const TbsConfig above = make(25, 13, 12, 0, 544 / 1024.0, 2);
  EXPECT_EQ(info_bits_of(above), 3825.0);
  EXPECT_EQ(tbs_of(above), 3840);
}

TEST(TbsDetermine, LowRateBranchUsesSmallerCodeBlocks) {
  // 273 PRB, 12 symbols, 12 DMRS REs, QPSK, 1 layer: N'_RE = 132, N_RE = 132*273 = 36036.
  // R = 256/1024 = 1/4 exactly (R <= 1/4 branch):
  //   N_info = 36036*0.25*2 = 18018, n = floor(log2 17994) - 5 = 14 - 5 = 9,
  //   N'_info = 512*round(17994/512 = 35.14) = 512*35 = 17920,
  //   C = ceil((17920 + 24)/3816) = ceil(4.70) = 5, TBS = 40*ceil(17944/40 = 448.6) - 24 = 17936.
  EXPECT_EQ(tbs_of(make(273, 12, 12, 0, 0.25, 2)), 17936);
  // R = 257/1024, just above 1/4 (R > 1/4, N'_info > 8424 branch):
  //   N_info = 36036*257/1024*2 = 18088.38, n = 9, N'_info = 512*round(35.28) = 17920 (same),
  //   C = ceil(17944/8424) = ceil(2.13) = 3, TBS = 24*ceil(17944/24 = 747.67) - 24 = 17928.
  EXPECT_EQ(tbs_of(make(273, 12, 12, 0, 257 / 1024.0, 2)), 17928);
}

TEST(TbsDetermine, LargeBranchAroundOneCodeBlock) {
  // N'_info = 8448 > 8424: 100 PRB, 8 symbols, 12 DMRS REs, QPSK R = 1/2:
  //   N'_RE = 96 - 12 = 84, N_RE = 8400, N_info = 8400, n = floor(log2 8376) - 5 = 8,
  //   N'_info = 256*round(8376/256 = 32.72) = 256*33 = 8448,
  //   C = ceil(8472/8424) = 2, TBS = 16*ceil(8472/16 = 529.5) - 24 = 16*530 - 24 = 8456.
  EXPECT_EQ(tbs_of(make(100, 8, 12, 0, 0.5, 2)), 8456);
  // N'_info = 8192 <= 8424: 92 PRB, 8 symbols, 6 DMRS REs, QPSK R = 1/2:
  //   N'_RE = 90, N_RE = 8280, N_info = 8280, n = 8, N'_info = 256*round(8256/256 = 32.25) = 8192,
  //   TBS = 8*ceil(8216/8) - 24 = 8192.
  EXPECT_EQ(tbs_of(make(92, 8, 6, 0, 0.5, 2)), 8192);
}

TEST(TbsDetermine, QuantizationRoundsHalfUp) {
  // 64 PRB, 10 symbols, 8 DMRS REs, QPSK, R = 596/1024:
  //   N'_RE = 112, N_RE = 7168, N_info = 7168*596/1024*2 = 8344, n = floor(log2 8320) - 5 = 8,
  //   (N_info - 24)/2^n = 8320/256 = 32.5 exactly -> round half up = 33 (half-to-even gives 32),
  //   N'_info = 8448 -> TBS 8456 as above (8192 if the tie went down).
  const TbsConfig tie = make(64, 10, 8, 0, 596 / 1024.0, 2);
  EXPECT_EQ(info_bits_of(tie), 8344.0);
  EXPECT_EQ(tbs_of(tie), 8456);
}

TEST(TbsDetermine, FullCarrierPeakCases) {
  // 273 PRB, 14 symbols, no DMRS, 256QAM 948/1024, 4 layers (N'_RE = 168 capped at 156):
  //   N_RE = 156*273 = 42588, N_info = 42588*948/1024*8*4 = 1261669.5,
  //   n = floor(log2 1261645.5) - 5 = 20 - 5 = 15, round(1261645.5/32768 = 38.50) = 39,
  //   N'_info = 39*32768 = 1277952, C = ceil(1277976/8424 = 151.71) = 152,
  //   TBS = 1216*ceil(1277976/1216 = 1050.97) - 24 = 1216*1051 - 24 = 1277992.
  EXPECT_EQ(tbs_of(make(273, 14, 0, 0, 948 / 1024.0, 8, 4)), 1277992);
  // 273 PRB, 12 symbols, 12 DMRS REs, table 2 MCS 27 (256QAM 948/1024), 4 layers:
  //   N_RE = 132*273 = 36036, N_info = 36036*948/1024*32 = 1067566.5,
  //   n = floor(log2 1067542.5) - 5 = 15, round(1067542.5/32768 = 32.58) = 33,
  //   N'_info = 33*32768 = 1081344, C = ceil(1081368/8424 = 128.37) = 129,
  //   TBS = 1032*ceil(1081368/1032 = 1047.84) - 24 = 1032*1048 - 24 = 1081512.
  const TbsConfig alloc = make(273, 12, 12, 0, 0.0, 0, 4);
  const Expected<McsEntry> mcs = mcs_lookup(McsTable::qam256, 27);
  ASSERT_TRUE(mcs.has_value());
  const Expected<int> tbs = tbs_determine(alloc, *mcs);
  ASSERT_TRUE(tbs.has_value()) << tbs.error().message;
  EXPECT_EQ(*tbs, 1081512);
}

TEST(TbsDetermine, TbScalingFactor) {
  // 273 PRB, 14 symbols, QPSK R = 1/2: N_RE = 156*273 = 42588, N_info = 42588*S.
  // S = 0.5: N_info = 21294, n = floor(log2 21270) - 5 = 9, round(21270/512 = 41.54) = 42,
  //   N'_info = 21504, C = ceil(21528/8424) = 3, TBS = 24*ceil(21528/24 = 897) - 24 = 21504.
  EXPECT_EQ(tbs_of(make(273, 14, 0, 0, 0.5, 2, 1, 0.5)), 21504);
  // S = 0.25: N_info = 10647, n = floor(log2 10623) - 5 = 8, round(10623/256 = 41.50) = 41
  //   (41.496), N'_info = 10496, C = ceil(10520/8424) = 2, TBS = 16*ceil(657.5) - 24 = 10504.
  EXPECT_EQ(tbs_of(make(273, 14, 0, 0, 0.5, 2, 1, 0.25)), 10504);
}

TEST(TbsDetermine, McsEntryOverloadUsesTheEntry) {
  // Table 1 MCS 2 is QPSK 193/1024: same as the explicit 52-PRB case above (2472). The config's
  // own rate and modulation order are ignored.
  const Expected<McsEntry> mcs = mcs_lookup(McsTable::qam64, 2);
  ASSERT_TRUE(mcs.has_value());
  const Expected<int> tbs = tbs_determine(make(52, 12, 12, 6, 0.9, 8), *mcs);
  ASSERT_TRUE(tbs.has_value());
  EXPECT_EQ(*tbs, 2472);
  // pi/2-BPSK (Qm = 1) from the transform-precoding table with tp-pi2BPSK: TP table 1 MCS 0 is
  // 1, 240/1024. 10 PRB, 12 symbols, 12 DMRS REs: N_RE = 1320, N_info = 1320*240/1024 = 309.375,
  //   n = max(3, 8 - 6) = 3, N'_info = 8*38 = 304 -> TBS 304.
  const Expected<McsEntry> bpsk = mcs_lookup(McsTable::tp_qam64, 0, /*tp_pi2bpsk=*/true);
  ASSERT_TRUE(bpsk.has_value());
  ASSERT_EQ(bpsk->modulation_order, 1);
  const Expected<int> bpsk_tbs = tbs_determine(make(10, 12, 12, 0, 0.0, 0), *bpsk);
  ASSERT_TRUE(bpsk_tbs.has_value());
  EXPECT_EQ(*bpsk_tbs, 304);
}

TEST(TbsDetermine, ReservedMcsEntryIsAnError) {
  const Expected<McsEntry> mcs = mcs_lookup(McsTable::qam256, 29);
  ASSERT_TRUE(mcs.has_value());
  ASSERT_TRUE(mcs->reserved);
  const Expected<int> tbs = tbs_determine(make(52, 12, 12, 0, 0.5, 2), *mcs);
  ASSERT_FALSE(tbs.has_value());
  EXPECT_NE(tbs.error().message.find("reserved"), std::string::npos) << tbs.error().message;
}

// --- MATLAB-generated vectors (srsRAN_Project tbs_calculator_test_data.h)
// -------------------------

struct MatlabCase {
  int n_symb_sh;
  int n_dmrs_prb;
  int n_oh_prb;
  int qm;
  double rate_x1024;
  int layers;
  int scaling_field;  // DCI TB scaling field: 0, 1, 2 -> S = 1, 0.5, 0.25
  int n_prb;
  int tbs;
};

TEST(TbsDetermine, MatchesMatlabGeneratedVectors) {
  // A subset of the 256 vectors, chosen to cover every modulation, both DMRS/overhead settings,
  // 1 and 4 layers, S = 1 and 0.25, the table branch, the R <= 1/4 formula branch (R = 0.1 with
  // N_info > 3824) and the C > 1 branch. 921.6/1024 = 0.9 and 102.4/1024 = 0.1 are not exact in
  // binary, which also checks that floating-point rounding does not move a quantization step.
  const std::vector<MatlabCase> cases = {
      {12, 6, 0, 2, 102.4, 1, 0, 6, 160},      {12, 6, 12, 2, 102.4, 1, 2, 6, 32},
      {12, 36, 12, 2, 102.4, 1, 2, 6, 24},     {12, 6, 0, 2, 921.6, 1, 0, 6, 1544},
      {12, 6, 12, 2, 921.6, 4, 0, 11, 9992},   {12, 6, 0, 2, 921.6, 4, 0, 11, 11016},
      {12, 36, 0, 2, 921.6, 4, 0, 11, 8456},   {12, 36, 12, 2, 921.6, 4, 0, 11, 7552},
      {12, 6, 12, 4, 102.4, 1, 2, 11, 136},    {12, 36, 12, 4, 921.6, 1, 0, 11, 3824},
      {12, 36, 0, 4, 921.6, 1, 0, 11, 4224},   {12, 6, 0, 4, 921.6, 4, 0, 11, 22032},
      {12, 6, 12, 4, 921.6, 4, 0, 11, 19968},  {12, 36, 12, 4, 921.6, 4, 2, 11, 3824},
      {12, 36, 0, 4, 921.6, 4, 0, 6, 9224},    {12, 36, 12, 4, 921.6, 4, 0, 6, 8192},
      {12, 6, 0, 6, 921.6, 4, 0, 11, 32776},   {12, 6, 12, 6, 921.6, 4, 0, 11, 29704},
      {12, 36, 0, 6, 921.6, 4, 0, 11, 25608},  {12, 36, 12, 6, 102.4, 4, 0, 11, 2536},
      {12, 6, 0, 6, 921.6, 1, 0, 6, 4480},     {12, 6, 12, 6, 921.6, 1, 0, 6, 4032},
      {12, 6, 0, 6, 102.4, 4, 0, 11, 3624},    {12, 6, 0, 8, 921.6, 4, 0, 11, 44040},
      {12, 6, 12, 8, 921.6, 4, 0, 11, 39936},  {12, 36, 0, 8, 921.6, 4, 0, 11, 33816},
      {12, 36, 12, 8, 921.6, 4, 0, 11, 30216}, {12, 36, 0, 8, 102.4, 4, 0, 11, 3824},
      {12, 36, 12, 8, 102.4, 4, 0, 11, 3368},  {12, 6, 0, 8, 102.4, 4, 0, 6, 2664},
      {12, 6, 0, 8, 102.4, 4, 0, 11, 4872},    {12, 6, 12, 8, 102.4, 4, 0, 11, 4360},
      {12, 6, 12, 8, 921.6, 4, 2, 11, 9992},
  };
  const double scaling[] = {1.0, 0.5, 0.25};
  for (const MatlabCase& m : cases) {
    const TbsConfig c = make(m.n_prb, m.n_symb_sh, m.n_dmrs_prb, m.n_oh_prb, m.rate_x1024 / 1024.0,
                             m.qm, m.layers, scaling[m.scaling_field]);
    EXPECT_EQ(tbs_of(c), m.tbs) << "n_prb " << m.n_prb << " dmrs " << m.n_dmrs_prb << " oh "
                                << m.n_oh_prb << " qm " << m.qm << " R*1024 " << m.rate_x1024
                                << " layers " << m.layers << " S field " << m.scaling_field;
  }
}

// --- Properties over a sweep ---------------------------------------------------------------------

TEST(TbsDetermine, SweepIsByteAlignedAndMonotoneInPrbs) {
  // Every TBS is a multiple of 8 and at least 24; more PRBs never give a smaller TBS; and the
  // TBS stays close to N_info: within the quantization step and alignment, or the widest gap of
  // Table 5.1.3.2-1 (928 -> 984, 6 %).
  for (McsTable table : {McsTable::qam64, McsTable::qam256, McsTable::qam1024}) {
    for (int mcs_index : {0, 5, 10, 15, 20, 26}) {
      const Expected<McsEntry> mcs = mcs_lookup(table, mcs_index);
      ASSERT_TRUE(mcs.has_value());
      for (int layers : {1, 2, 4, 8}) {
        int previous = 0;
        for (int n_prb = 1; n_prb <= kMaxTbsPrbs; ++n_prb) {
          const TbsConfig c = make(n_prb, 12, 18, 6, 0.0, 0, layers);
          const Expected<int> tbs = tbs_determine(c, *mcs);
          ASSERT_TRUE(tbs.has_value());
          EXPECT_EQ(*tbs % 8, 0);
          EXPECT_GE(*tbs, 24);
          EXPECT_GE(*tbs, previous) << to_string(table) << " mcs " << mcs_index << " n_prb "
                                    << n_prb << " layers " << layers;
          TbsConfig with_rate = c;
          with_rate.modulation_order = mcs->modulation_order;
          with_rate.target_code_rate = mcs->target_code_rate();
          const double n_info = info_bits_of(with_rate);
          EXPECT_LT(std::abs(*tbs - n_info), std::max(24.0, 0.07 * n_info)) << n_prb;
          previous = *tbs;
        }
      }
    }
  }
}

// --- Validation ----------------------------------------------------------------------------------

void expect_error_naming(const TbsConfig& c, const std::string& field) {
  const Status status = validate(c);
  ASSERT_FALSE(status.is_ok()) << field;
  EXPECT_NE(status.message().find(field), std::string::npos) << status.message();
  const Expected<int> tbs = tbs_determine(c);
  ASSERT_FALSE(tbs.has_value()) << field;
  EXPECT_EQ(tbs.error().message, status.message());
  EXPECT_FALSE(tbs_info_bits(c).has_value());
}

TEST(TbsValidate, AcceptsTheExtremes) {
  EXPECT_TRUE(validate(make(1, 1, 0, 0, 1e-6, 1)).is_ok());
  EXPECT_TRUE(validate(make(275, 14, 0, 18, 0.999, 10, 8, 0.25)).is_ok());
  // 275 PRB, 8 layers, 1024QAM: the largest N_info (~3.4 Mbit) still fits an int.
  const int tbs = tbs_of(make(275, 14, 0, 0, 948 / 1024.0, 10, 8));
  EXPECT_GT(tbs, 3'000'000);
}

TEST(TbsValidate, RejectsEachBadField) {
  const TbsConfig good = make(52, 12, 12, 6, 0.5, 4, 2, 1.0);
  ASSERT_TRUE(validate(good).is_ok());

  for (int v : {0, -1, 276, INT_MIN, INT_MAX}) {
    TbsConfig c = good;
    c.n_prb = v;
    expect_error_naming(c, "n_prb");
  }
  for (int v : {0, -3, 15, INT_MAX}) {
    TbsConfig c = good;
    c.n_symb_sh = v;
    expect_error_naming(c, "n_symb_sh");
  }
  for (int v : {-1, 145, INT_MIN, INT_MAX}) {
    TbsConfig c = good;
    c.n_dmrs_prb = v;
    expect_error_naming(c, "n_dmrs_prb");
  }
  for (int v : {-6, 1, 5, 24, INT_MAX}) {
    TbsConfig c = good;
    c.n_oh_prb = v;
    expect_error_naming(c, "n_oh_prb");
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (double v : {0.0, -0.5, 1.0, 1.5, 948.0, nan, inf, -inf}) {
    TbsConfig c = good;
    c.target_code_rate = v;
    expect_error_naming(c, "target_code_rate");
  }
  for (int v : {0, -2, 3, 5, 7, 12, INT_MAX}) {
    TbsConfig c = good;
    c.modulation_order = v;
    expect_error_naming(c, "modulation_order");
  }
  for (int v : {0, -1, 9, INT_MAX}) {
    TbsConfig c = good;
    c.n_layers = v;
    expect_error_naming(c, "n_layers");
  }
  for (double v : {0.0, 2.0, 0.75, 0.125, -1.0, nan}) {
    TbsConfig c = good;
    c.tb_scaling = v;
    expect_error_naming(c, "tb_scaling");
  }
}

TEST(TbsValidate, RejectsAllocationsWithoutDataRes) {
  // 1 symbol: 12 REs per PRB; 6 DMRS + 6 overhead leaves nothing.
  expect_error_naming(make(10, 1, 6, 6, 0.5, 2), "n_dmrs_prb + n_oh_prb");
  // DMRS alone filling the PRB.
  expect_error_naming(make(10, 2, 24, 0, 0.5, 2), "n_dmrs_prb + n_oh_prb");
  // One RE left is fine.
  EXPECT_TRUE(validate(make(10, 2, 17, 6, 0.5, 2)).is_ok());
}

TEST(TbsValidate, ErrorsGiveTheValueAndRange) {
  TbsConfig c = make(300, 12, 12, 0, 0.5, 2);
  Status status = validate(c);
  ASSERT_FALSE(status.is_ok());
  EXPECT_NE(status.message().find("300"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("[1, 275]"), std::string::npos) << status.message();

  c = make(10, 12, 12, 0, 1.25, 2);
  status = validate(c);
  ASSERT_FALSE(status.is_ok());
  EXPECT_NE(status.message().find("1.25 is outside (0, 1)"), std::string::npos) << status.message();

  c = make(10, 12, 12, 7, 0.5, 2);
  status = validate(c);
  ASSERT_FALSE(status.is_ok());
  EXPECT_NE(status.message().find("{0, 6, 12, 18}"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace airan::phy
