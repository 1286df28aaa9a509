// Modulation and coding scheme (MCS) tables of TS 38.214: the PDSCH/PUSCH tables 5.1.3.1-1..4
// and the PUSCH transform-precoding tables 6.1.4.1-1..2.
//
// An MCS index (5 bits of DCI) selects a modulation order Qm and a target code rate R. The top
// indices of every table are "reserved": they only carry Qm and are used for retransmissions,
// where the TBS comes from the initial transmission.
#pragma once

#include <span>
#include <string_view>

#include "airan/phy/expected.hpp"

namespace airan::phy {

// The DCI MCS field is 5 bits wide, so every table has 32 rows.
inline constexpr int kMcsIndexCount = 32;

enum class McsTable {
  qam64,            // Table 5.1.3.1-1 (also PUSCH without transform precoding)
  qam256,           // Table 5.1.3.1-2
  qam64_low_se,     // Table 5.1.3.1-3
  qam1024,          // Table 5.1.3.1-4 (Rel-16/17)
  tp_qam64,         // Table 6.1.4.1-1: PUSCH with transform precoding
  tp_qam64_low_se,  // Table 6.1.4.1-2: PUSCH with transform precoding, low spectral efficiency
};

struct McsEntry {
  int modulation_order = 0;             // Qm: 1 (pi/2-BPSK), 2, 4, 6, 8 or 10 bits per symbol
  double target_code_rate_x1024 = 0.0;  // R x 1024 as printed in the spec (682.5 stays 682.5)
  double spectral_efficiency = 0.0;     // Qm * R, unrounded (the spec prints 4 decimals)
  bool reserved = false;                // true: no code rate; rate and efficiency are then 0

  // R in [0, 1); 0 for reserved entries.
  double target_code_rate() const { return target_code_rate_x1024 / 1024.0; }
};

// Looks up one row. tp_pi2bpsk is the RRC flag tp-pi2BPSK; it only matters for the two
// transform-precoding tables, whose lowest rows use Qm = q with q = 1 when it is set and q = 2
// otherwise (the code rate is then printed as x/q). Errors on an unknown table or an index
// outside [0, 31]; reserved indices are not errors, they return reserved = true.
Expected<McsEntry> mcs_lookup(McsTable table, int mcs_index, bool tp_pi2bpsk = false);

// Command-line names, identical to the enumerator names ("qam64", "tp_qam64_low_se", ...).
std::string_view to_string(McsTable table);
Expected<McsTable> parse_mcs_table(std::string_view name);

// Every table, in enumerator order (for help texts and exhaustive tests).
std::span<const McsTable> all_mcs_tables();

}  // namespace airan::phy
