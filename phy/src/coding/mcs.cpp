#include "airan/phy/coding/mcs.hpp"

#include <array>
#include <cstddef>
#include <string>

namespace airan::phy {
namespace {

// One printed row of a table. qm == kQ stands for the spec's "q" (tp-pi2BPSK dependent); such
// rows hold the q = 1 code rate, as the spec prints them as "x/q".
struct McsRow {
  int qm;
  double rate_x1024;
};

constexpr int kQ = 0;
constexpr double kReserved = -1.0;

using McsRows = std::array<McsRow, kMcsIndexCount>;

// Eight rows per line (indices 0-7, 8-15, ...), then the reserved rows on a line of their own.
// clang-format off

// TS 38.214 Table 5.1.3.1-1: MCS index table 1 for PDSCH (up to 64QAM).
constexpr McsRows kQam64 = {{
    {2, 120}, {2, 157}, {2, 193}, {2, 251}, {2, 308}, {2, 379}, {2, 449}, {2, 526},
    {2, 602}, {2, 679}, {4, 340}, {4, 378}, {4, 434}, {4, 490}, {4, 553}, {4, 616},
    {4, 658}, {6, 438}, {6, 466}, {6, 517}, {6, 567}, {6, 616}, {6, 666}, {6, 719},
    {6, 772}, {6, 822}, {6, 873}, {6, 910}, {6, 948},
    {2, kReserved}, {4, kReserved}, {6, kReserved},
}};

// TS 38.214 Table 5.1.3.1-2: MCS index table 2 for PDSCH (up to 256QAM).
constexpr McsRows kQam256 = {{
    {2, 120}, {2, 193}, {2, 308}, {2, 449}, {2, 602}, {4, 378}, {4, 434}, {4, 490},
    {4, 553}, {4, 616}, {4, 658}, {6, 466}, {6, 517}, {6, 567}, {6, 616}, {6, 666},
    {6, 719}, {6, 772}, {6, 822}, {6, 873}, {8, 682.5}, {8, 711}, {8, 754}, {8, 797},
    {8, 841}, {8, 885}, {8, 916.5}, {8, 948},
    {2, kReserved}, {4, kReserved}, {6, kReserved}, {8, kReserved},
}};

// TS 38.214 Table 5.1.3.1-3: MCS index table 3 for PDSCH (64QAM, low spectral efficiency).
constexpr McsRows kQam64LowSe = {{
    {2, 30},  {2, 40},  {2, 50},  {2, 64},  {2, 78},  {2, 99},  {2, 120}, {2, 157},
    {2, 193}, {2, 251}, {2, 308}, {2, 379}, {2, 449}, {2, 526}, {2, 602}, {4, 340},
    {4, 378}, {4, 434}, {4, 490}, {4, 553}, {4, 616}, {6, 438}, {6, 466}, {6, 517},
    {6, 567}, {6, 616}, {6, 666}, {6, 719}, {6, 772},
    {2, kReserved}, {4, kReserved}, {6, kReserved},
}};

// TS 38.214 Table 5.1.3.1-4: MCS index table 4 for PDSCH (up to 1024QAM).
constexpr McsRows kQam1024 = {{
    {2, 120}, {2, 193}, {2, 449},   {4, 378}, {4, 490},    {4, 616},  {6, 466},    {6, 517},
    {6, 567}, {6, 616}, {6, 666},   {6, 719}, {6, 772},    {6, 822},  {6, 873},    {8, 682.5},
    {8, 711}, {8, 754}, {8, 797},   {8, 841}, {8, 885},    {8, 916.5}, {8, 948},   {10, 805.5},
    {10, 853}, {10, 900.5}, {10, 948},
    {2, kReserved}, {4, kReserved}, {6, kReserved}, {8, kReserved}, {10, kReserved},
}};

// TS 38.214 Table 6.1.4.1-1: MCS index table for PUSCH with transform precoding and 64QAM.
constexpr McsRows kTpQam64 = {{
    {kQ, 240}, {kQ, 314}, {2, 193}, {2, 251}, {2, 308}, {2, 379}, {2, 449}, {2, 526},
    {2, 602},  {2, 679},  {4, 340}, {4, 378}, {4, 434}, {4, 490}, {4, 553}, {4, 616},
    {4, 658},  {6, 466},  {6, 517}, {6, 567}, {6, 616}, {6, 666}, {6, 719}, {6, 772},
    {6, 822},  {6, 873},  {6, 910}, {6, 948},
    {kQ, kReserved}, {2, kReserved}, {4, kReserved}, {6, kReserved},
}};

// TS 38.214 Table 6.1.4.1-2: MCS index table 2 for PUSCH with transform precoding and 64QAM.
// Row 26 is 666/1024 (spectral efficiency 3.9023 = 6 * 666 / 1024); one public implementation
// carries 666.5 there, which contradicts the printed efficiency.
constexpr McsRows kTpQam64LowSe = {{
    {kQ, 60}, {kQ, 80}, {kQ, 100}, {kQ, 128}, {kQ, 156}, {kQ, 198}, {2, 120}, {2, 157},
    {2, 193}, {2, 251}, {2, 308},  {2, 379},  {2, 449},  {2, 526},  {2, 602}, {2, 679},
    {4, 378}, {4, 434}, {4, 490},  {4, 553},  {4, 616},  {4, 658},  {4, 699}, {4, 772},
    {6, 567}, {6, 616}, {6, 666},  {6, 772},
    {kQ, kReserved}, {2, kReserved}, {4, kReserved}, {6, kReserved},
}};

// clang-format on

constexpr std::array kAllTables = {
    McsTable::qam64,   McsTable::qam256,   McsTable::qam64_low_se,
    McsTable::qam1024, McsTable::tp_qam64, McsTable::tp_qam64_low_se,
};

const McsRows* rows_of(McsTable table) {
  switch (table) {
    case McsTable::qam64:
      return &kQam64;
    case McsTable::qam256:
      return &kQam256;
    case McsTable::qam64_low_se:
      return &kQam64LowSe;
    case McsTable::qam1024:
      return &kQam1024;
    case McsTable::tp_qam64:
      return &kTpQam64;
    case McsTable::tp_qam64_low_se:
      return &kTpQam64LowSe;
  }
  return nullptr;  // a value cast from an out-of-range integer
}

std::string allowed_table_names() {
  std::string names;
  for (McsTable table : kAllTables) {
    if (!names.empty()) names += ", ";
    names += to_string(table);
  }
  return names;
}

}  // namespace

Expected<McsEntry> mcs_lookup(McsTable table, int mcs_index, bool tp_pi2bpsk) {
  const McsRows* rows = rows_of(table);
  if (rows == nullptr) {
    return Error{"mcs_table: unknown table value " + std::to_string(static_cast<int>(table))};
  }
  if (mcs_index < 0 || mcs_index >= kMcsIndexCount) {
    return Error{"mcs_index: " + std::to_string(mcs_index) + " is outside [0, " +
                 std::to_string(kMcsIndexCount - 1) + "]"};
  }
  const McsRow& row = (*rows)[static_cast<std::size_t>(mcs_index)];
  // 6.1.4.1: q = 1 with tp-pi2BPSK (pi/2-BPSK), q = 2 otherwise (QPSK at half the printed rate).
  const int q = tp_pi2bpsk ? 1 : 2;
  McsEntry entry;
  entry.modulation_order = row.qm == kQ ? q : row.qm;
  entry.reserved = row.rate_x1024 == kReserved;
  if (!entry.reserved) {
    entry.target_code_rate_x1024 = row.qm == kQ ? row.rate_x1024 / q : row.rate_x1024;
    entry.spectral_efficiency = entry.modulation_order * entry.target_code_rate();
  }
  return entry;
}

std::string_view to_string(McsTable table) {
  switch (table) {
    case McsTable::qam64:
      return "qam64";
    case McsTable::qam256:
      return "qam256";
    case McsTable::qam64_low_se:
      return "qam64_low_se";
    case McsTable::qam1024:
      return "qam1024";
    case McsTable::tp_qam64:
      return "tp_qam64";
    case McsTable::tp_qam64_low_se:
      return "tp_qam64_low_se";
  }
  return "unknown";
}

Expected<McsTable> parse_mcs_table(std::string_view name) {
  for (McsTable table : kAllTables) {
    if (to_string(table) == name) return table;
  }
  return Error{"mcs_table: unknown name '" + std::string(name) + "', expected one of " +
               allowed_table_names()};
}

std::span<const McsTable> all_mcs_tables() { return kAllTables; }

}  // namespace airan::phy
