// Tests of the TS 38.214 MCS tables.
//
// The expected rows below are written out from the spec tables as printed (Qm, R x 1024 and the
// 4-decimal spectral efficiency column), cross-checked between independent public copies:
//  - Tables 5.1.3.1-1..3 and 6.1.4.1-1..2: the expected list of srsRAN_Project
//    tests/unittests/ran/pusch/pusch_mcs_table_test.cpp, Sionna's select_mcs (PUSCH tables with
//    q), and OpenAirInterface's Table_5131x / Table_6141x arrays.
//  - Table 5.1.3.1-4 (1024QAM): a MATLAB table4 listing of 38.214 V17.4.0 and US patent 11985664
//    (claim 1 lists the 10-bit rows 805.5, 853, 900.5 and 948).
// The spectral-efficiency column is an independent check of each (Qm, R) pair: a wrong code rate
// moves Qm * R / 1024 by far more than the column's 5e-5 rounding.
#include "airan/phy/coding/mcs.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <string>
#include <vector>

namespace airan::phy {
namespace {

struct SpecRow {
  int qm;
  double rate_x1024;  // kRes for reserved rows
  double se;          // spectral efficiency as printed (4 decimals)
};

constexpr double kRes = -1.0;

// clang-format off
// Table 5.1.3.1-1.
const std::vector<SpecRow> kSpecQam64 = {
    {2, 120, 0.2344}, {2, 157, 0.3066}, {2, 193, 0.3770}, {2, 251, 0.4902}, {2, 308, 0.6016},
    {2, 379, 0.7402}, {2, 449, 0.8770}, {2, 526, 1.0273}, {2, 602, 1.1758}, {2, 679, 1.3262},
    {4, 340, 1.3281}, {4, 378, 1.4766}, {4, 434, 1.6953}, {4, 490, 1.9141}, {4, 553, 2.1602},
    {4, 616, 2.4063}, {4, 658, 2.5703}, {6, 438, 2.5664}, {6, 466, 2.7305}, {6, 517, 3.0293},
    {6, 567, 3.3223}, {6, 616, 3.6094}, {6, 666, 3.9023}, {6, 719, 4.2129}, {6, 772, 4.5234},
    {6, 822, 4.8164}, {6, 873, 5.1152}, {6, 910, 5.3320}, {6, 948, 5.5547}, {2, kRes, 0},
    {4, kRes, 0},     {6, kRes, 0},
};

// Table 5.1.3.1-2.
const std::vector<SpecRow> kSpecQam256 = {
    {2, 120, 0.2344},   {2, 193, 0.3770}, {2, 308, 0.6016}, {2, 449, 0.8770},
    {2, 602, 1.1758},   {4, 378, 1.4766}, {4, 434, 1.6953}, {4, 490, 1.9141},
    {4, 553, 2.1602},   {4, 616, 2.4063}, {4, 658, 2.5703}, {6, 466, 2.7305},
    {6, 517, 3.0293},   {6, 567, 3.3223}, {6, 616, 3.6094}, {6, 666, 3.9023},
    {6, 719, 4.2129},   {6, 772, 4.5234}, {6, 822, 4.8164}, {6, 873, 5.1152},
    {8, 682.5, 5.3320}, {8, 711, 5.5547}, {8, 754, 5.8906}, {8, 797, 6.2266},
    {8, 841, 6.5703},   {8, 885, 6.9141}, {8, 916.5, 7.1602}, {8, 948, 7.4063},
    {2, kRes, 0},       {4, kRes, 0},     {6, kRes, 0},     {8, kRes, 0},
};

// Table 5.1.3.1-3.
const std::vector<SpecRow> kSpecQam64LowSe = {
    {2, 30, 0.0586},  {2, 40, 0.0781},  {2, 50, 0.0977},  {2, 64, 0.1250},  {2, 78, 0.1523},
    {2, 99, 0.1934},  {2, 120, 0.2344}, {2, 157, 0.3066}, {2, 193, 0.3770}, {2, 251, 0.4902},
    {2, 308, 0.6016}, {2, 379, 0.7402}, {2, 449, 0.8770}, {2, 526, 1.0273}, {2, 602, 1.1758},
    {4, 340, 1.3281}, {4, 378, 1.4766}, {4, 434, 1.6953}, {4, 490, 1.9141}, {4, 553, 2.1602},
    {4, 616, 2.4063}, {6, 438, 2.5664}, {6, 466, 2.7305}, {6, 517, 3.0293}, {6, 567, 3.3223},
    {6, 616, 3.6094}, {6, 666, 3.9023}, {6, 719, 4.2129}, {6, 772, 4.5234}, {2, kRes, 0},
    {4, kRes, 0},     {6, kRes, 0},
};

// Table 5.1.3.1-4.
const std::vector<SpecRow> kSpecQam1024 = {
    {2, 120, 0.2344},    {2, 193, 0.3770},   {2, 449, 0.8770},    {4, 378, 1.4766},
    {4, 490, 1.9141},    {4, 616, 2.4063},   {6, 466, 2.7305},    {6, 517, 3.0293},
    {6, 567, 3.3223},    {6, 616, 3.6094},   {6, 666, 3.9023},    {6, 719, 4.2129},
    {6, 772, 4.5234},    {6, 822, 4.8164},   {6, 873, 5.1152},    {8, 682.5, 5.3320},
    {8, 711, 5.5547},    {8, 754, 5.8906},   {8, 797, 6.2266},    {8, 841, 6.5703},
    {8, 885, 6.9141},    {8, 916.5, 7.1602}, {8, 948, 7.4063},    {10, 805.5, 7.8662},
    {10, 853, 8.3301},   {10, 900.5, 8.7939}, {10, 948, 9.2578},  {2, kRes, 0},
    {4, kRes, 0},        {6, kRes, 0},       {8, kRes, 0},        {10, kRes, 0},
};

// Table 6.1.4.1-1 with q = 2 (no tp-pi2BPSK): rows 0-1 print as q, 240/q and q, 314/q.
const std::vector<SpecRow> kSpecTpQam64 = {
    {2, 120, 0.2344}, {2, 157, 0.3066}, {2, 193, 0.3770}, {2, 251, 0.4902}, {2, 308, 0.6016},
    {2, 379, 0.7402}, {2, 449, 0.8770}, {2, 526, 1.0273}, {2, 602, 1.1758}, {2, 679, 1.3262},
    {4, 340, 1.3281}, {4, 378, 1.4766}, {4, 434, 1.6953}, {4, 490, 1.9141}, {4, 553, 2.1602},
    {4, 616, 2.4063}, {4, 658, 2.5703}, {6, 466, 2.7305}, {6, 517, 3.0293}, {6, 567, 3.3223},
    {6, 616, 3.6094}, {6, 666, 3.9023}, {6, 719, 4.2129}, {6, 772, 4.5234}, {6, 822, 4.8164},
    {6, 873, 5.1152}, {6, 910, 5.3320}, {6, 948, 5.5547}, {2, kRes, 0},     {2, kRes, 0},
    {4, kRes, 0},     {6, kRes, 0},
};

// Table 6.1.4.1-2 with q = 2: rows 0-5 print as q, {60, 80, 100, 128, 156, 198}/q.
const std::vector<SpecRow> kSpecTpQam64LowSe = {
    {2, 30, 0.0586},  {2, 40, 0.0781},  {2, 50, 0.0977},  {2, 64, 0.1250},  {2, 78, 0.1523},
    {2, 99, 0.1934},  {2, 120, 0.2344}, {2, 157, 0.3066}, {2, 193, 0.3770}, {2, 251, 0.4902},
    {2, 308, 0.6016}, {2, 379, 0.7402}, {2, 449, 0.8770}, {2, 526, 1.0273}, {2, 602, 1.1758},
    {2, 679, 1.3262}, {4, 378, 1.4766}, {4, 434, 1.6953}, {4, 490, 1.9141}, {4, 553, 2.1602},
    {4, 616, 2.4063}, {4, 658, 2.5703}, {4, 699, 2.7305}, {4, 772, 3.0156}, {6, 567, 3.3223},
    {6, 616, 3.6094}, {6, 666, 3.9023}, {6, 772, 4.5234}, {2, kRes, 0},     {2, kRes, 0},
    {4, kRes, 0},     {6, kRes, 0},
};

// clang-format on

const std::vector<SpecRow>& spec_rows(McsTable table) {
  switch (table) {
    case McsTable::qam64:
      return kSpecQam64;
    case McsTable::qam256:
      return kSpecQam256;
    case McsTable::qam64_low_se:
      return kSpecQam64LowSe;
    case McsTable::qam1024:
      return kSpecQam1024;
    case McsTable::tp_qam64:
      return kSpecTpQam64;
    case McsTable::tp_qam64_low_se:
      return kSpecTpQam64LowSe;
  }
  return kSpecQam64;
}

McsEntry lookup(McsTable table, int index, bool tp_pi2bpsk = false) {
  Expected<McsEntry> entry = mcs_lookup(table, index, tp_pi2bpsk);
  EXPECT_TRUE(entry.has_value()) << to_string(table) << " index " << index;
  return entry.has_value() ? *entry : McsEntry{};
}

bool is_tp_table(McsTable table) {
  return table == McsTable::tp_qam64 || table == McsTable::tp_qam64_low_se;
}

TEST(McsTable, EveryRowMatchesTheSpec) {
  for (McsTable table : all_mcs_tables()) {
    const std::vector<SpecRow>& rows = spec_rows(table);
    ASSERT_EQ(static_cast<int>(rows.size()), kMcsIndexCount) << to_string(table);
    for (int i = 0; i < kMcsIndexCount; ++i) {
      SCOPED_TRACE(std::string(to_string(table)) + " index " + std::to_string(i));
      const McsEntry entry = lookup(table, i);
      const SpecRow& want = rows[i];
      EXPECT_EQ(entry.modulation_order, want.qm);
      if (want.rate_x1024 == kRes) {
        EXPECT_TRUE(entry.reserved);
        EXPECT_EQ(entry.target_code_rate_x1024, 0.0);
        EXPECT_EQ(entry.spectral_efficiency, 0.0);
      } else {
        EXPECT_FALSE(entry.reserved);
        EXPECT_EQ(entry.target_code_rate_x1024, want.rate_x1024);
        // The spec column is Qm * R rounded to 4 decimals.
        EXPECT_NEAR(entry.spectral_efficiency, want.se, 5.01e-5);
      }
    }
  }
}

TEST(McsTable, SpotChecks) {
  // Table 2 index 27: 256QAM, 948/1024.
  McsEntry e = lookup(McsTable::qam256, 27);
  EXPECT_EQ(e.modulation_order, 8);
  EXPECT_EQ(e.target_code_rate_x1024, 948.0);
  EXPECT_DOUBLE_EQ(e.target_code_rate(), 948.0 / 1024.0);
  EXPECT_DOUBLE_EQ(e.spectral_efficiency, 8 * 948.0 / 1024.0);
  // Table 1 index 28: 64QAM, 948/1024 (the last non-reserved row of table 1).
  e = lookup(McsTable::qam64, 28);
  EXPECT_EQ(e.modulation_order, 6);
  EXPECT_EQ(e.target_code_rate_x1024, 948.0);
  // Half-integer rates are kept exactly.
  EXPECT_EQ(lookup(McsTable::qam256, 20).target_code_rate_x1024, 682.5);
  EXPECT_EQ(lookup(McsTable::qam256, 26).target_code_rate_x1024, 916.5);
  EXPECT_EQ(lookup(McsTable::qam1024, 23).modulation_order, 10);
  EXPECT_EQ(lookup(McsTable::qam1024, 23).target_code_rate_x1024, 805.5);
  EXPECT_EQ(lookup(McsTable::qam1024, 25).target_code_rate_x1024, 900.5);
  // Lowest rate of all tables: low-SE table index 0 is QPSK 30/1024.
  e = lookup(McsTable::qam64_low_se, 0);
  EXPECT_EQ(e.modulation_order, 2);
  EXPECT_DOUBLE_EQ(e.target_code_rate(), 30.0 / 1024.0);
}

TEST(McsTable, ReservedIndicesCarryOnlyModulation) {
  struct Case {
    McsTable table;
    int first_reserved;
    std::vector<int> qm;
  };
  const std::vector<Case> cases = {
      {McsTable::qam64, 29, {2, 4, 6}},
      {McsTable::qam256, 28, {2, 4, 6, 8}},
      {McsTable::qam64_low_se, 29, {2, 4, 6}},
      {McsTable::qam1024, 27, {2, 4, 6, 8, 10}},
      {McsTable::tp_qam64, 28, {2, 2, 4, 6}},         // index 28 is q, here q = 2
      {McsTable::tp_qam64_low_se, 28, {2, 2, 4, 6}},  // index 28 is q, here q = 2
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(to_string(c.table));
    EXPECT_FALSE(lookup(c.table, c.first_reserved - 1).reserved);
    for (int i = c.first_reserved; i < kMcsIndexCount; ++i) {
      const McsEntry e = lookup(c.table, i);
      EXPECT_TRUE(e.reserved) << i;
      EXPECT_EQ(e.modulation_order, c.qm[i - c.first_reserved]) << i;
      EXPECT_EQ(e.target_code_rate(), 0.0) << i;
    }
  }
}

TEST(McsTable, TransformPrecodingPi2BpskUsesQEqualsOne) {
  // 6.1.4.1: with tp-pi2BPSK q = 1, so rows "q, x/q" become pi/2-BPSK at rate x/1024.
  McsEntry e = lookup(McsTable::tp_qam64, 0, /*tp_pi2bpsk=*/true);
  EXPECT_EQ(e.modulation_order, 1);
  EXPECT_EQ(e.target_code_rate_x1024, 240.0);
  e = lookup(McsTable::tp_qam64, 1, true);
  EXPECT_EQ(e.modulation_order, 1);
  EXPECT_EQ(e.target_code_rate_x1024, 314.0);
  // Without it q = 2: QPSK at half the printed numerator, same spectral efficiency.
  e = lookup(McsTable::tp_qam64, 1, false);
  EXPECT_EQ(e.modulation_order, 2);
  EXPECT_EQ(e.target_code_rate_x1024, 157.0);
  EXPECT_DOUBLE_EQ(e.spectral_efficiency, lookup(McsTable::tp_qam64, 1, true).spectral_efficiency);

  const double low_se_numerators[] = {60, 80, 100, 128, 156, 198};
  for (int i = 0; i < 6; ++i) {
    e = lookup(McsTable::tp_qam64_low_se, i, true);
    EXPECT_EQ(e.modulation_order, 1) << i;
    EXPECT_EQ(e.target_code_rate_x1024, low_se_numerators[i]) << i;
    EXPECT_NEAR(e.spectral_efficiency, kSpecTpQam64LowSe[i].se, 5.01e-5) << i;
  }
  // Row 6 onwards does not depend on q.
  EXPECT_EQ(lookup(McsTable::tp_qam64_low_se, 6, true).modulation_order, 2);
  EXPECT_EQ(lookup(McsTable::tp_qam64, 2, true).modulation_order, 2);
  // The reserved row 28 reports Qm = q.
  EXPECT_EQ(lookup(McsTable::tp_qam64, 28, true).modulation_order, 1);
  EXPECT_TRUE(lookup(McsTable::tp_qam64, 28, true).reserved);
  EXPECT_EQ(lookup(McsTable::tp_qam64_low_se, 28, true).modulation_order, 1);
  EXPECT_EQ(lookup(McsTable::tp_qam64_low_se, 29, true).modulation_order, 2);
}

TEST(McsTable, Pi2BpskFlagIgnoredWithoutTransformPrecoding) {
  for (McsTable table : all_mcs_tables()) {
    if (is_tp_table(table)) continue;
    for (int i = 0; i < kMcsIndexCount; ++i) {
      const McsEntry a = lookup(table, i, false);
      const McsEntry b = lookup(table, i, true);
      EXPECT_EQ(a.modulation_order, b.modulation_order);
      EXPECT_EQ(a.target_code_rate_x1024, b.target_code_rate_x1024);
    }
  }
}

TEST(McsTable, SpectralEfficiencyIncreasesOverNonReservedRows) {
  // Every table is sorted by spectral efficiency with one exception printed in the spec itself:
  // Table 5.1.3.1-1 index 17 (64QAM 438/1024, 2.5664) sits just below index 16 (16QAM 658/1024,
  // 2.5703). Any other dip would be a typo in our tables.
  std::vector<std::string> dips;
  for (McsTable table : all_mcs_tables()) {
    for (bool pi2bpsk : {false, true}) {
      double previous = 0.0;
      int non_reserved = 0;
      for (int i = 0; i < kMcsIndexCount; ++i) {
        const McsEntry e = lookup(table, i, pi2bpsk);
        if (e.reserved) continue;
        ++non_reserved;
        if (!(e.spectral_efficiency > previous)) {
          dips.push_back(std::string(to_string(table)) + "/" + std::to_string(i) +
                         (pi2bpsk ? "/pi2bpsk" : ""));
        }
        EXPECT_GT(e.target_code_rate(), 0.0);
        EXPECT_LT(e.target_code_rate(), 1.0);
        previous = e.spectral_efficiency;
      }
      EXPECT_GE(non_reserved, 27) << to_string(table);
    }
  }
  const std::vector<std::string> expected = {"qam64/17", "qam64/17/pi2bpsk"};
  EXPECT_EQ(dips, expected);
}

TEST(McsTable, ModulationOrderNeverDecreases) {
  // Reserved rows are at the end, so over the non-reserved rows Qm only grows.
  for (McsTable table : all_mcs_tables()) {
    int previous = 0;
    for (int i = 0; i < kMcsIndexCount; ++i) {
      const McsEntry e = lookup(table, i, true);
      if (e.reserved) break;
      EXPECT_GE(e.modulation_order, previous) << to_string(table) << " index " << i;
      previous = e.modulation_order;
    }
  }
}

TEST(McsTable, BadIndexIsAnError) {
  for (int index : {-1, 32, 33, 100, INT_MIN, INT_MAX}) {
    const Expected<McsEntry> e = mcs_lookup(McsTable::qam256, index);
    ASSERT_FALSE(e.has_value()) << index;
    EXPECT_NE(e.error().message.find("mcs_index"), std::string::npos) << e.error().message;
    EXPECT_NE(e.error().message.find(std::to_string(index)), std::string::npos);
    EXPECT_NE(e.error().message.find("[0, 31]"), std::string::npos) << e.error().message;
  }
}

TEST(McsTable, UnknownTableValueIsAnError) {
  const auto bogus = static_cast<McsTable>(42);
  const Expected<McsEntry> e = mcs_lookup(bogus, 0);
  ASSERT_FALSE(e.has_value());
  EXPECT_NE(e.error().message.find("mcs_table"), std::string::npos) << e.error().message;
  EXPECT_EQ(to_string(bogus), "unknown");
}

TEST(McsTable, NamesRoundTrip) {
  EXPECT_EQ(all_mcs_tables().size(), 6u);
  for (McsTable table : all_mcs_tables()) {
    const Expected<McsTable> parsed = parse_mcs_table(to_string(table));
    ASSERT_TRUE(parsed.has_value()) << to_string(table);
    EXPECT_EQ(*parsed, table);
  }
  EXPECT_EQ(to_string(McsTable::qam64), "qam64");
  EXPECT_EQ(to_string(McsTable::qam256), "qam256");
  EXPECT_EQ(to_string(McsTable::qam64_low_se), "qam64_low_se");
  EXPECT_EQ(to_string(McsTable::qam1024), "qam1024");
  EXPECT_EQ(to_string(McsTable::tp_qam64), "tp_qam64");
  EXPECT_EQ(to_string(McsTable::tp_qam64_low_se), "tp_qam64_low_se");
}

TEST(McsTable, ParseRejectsUnknownNames) {
  for (const char* name : {"", "QAM64", "qam512", "qam64 ", "qam64LowSE"}) {
    const Expected<McsTable> parsed = parse_mcs_table(name);
    ASSERT_FALSE(parsed.has_value()) << name;
    EXPECT_NE(parsed.error().message.find("mcs_table"), std::string::npos);
    // The message lists the accepted names.
    EXPECT_NE(parsed.error().message.find("tp_qam64_low_se"), std::string::npos);
  }
}

}  // namespace
}  // namespace airan::phy
