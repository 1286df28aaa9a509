// Transport block size determination of TS 38.214 5.1.3.2 (PDSCH), reused verbatim by 6.1.4.2
// (PUSCH).
#pragma once

#include <span>

#include "airan/phy/coding/mcs.hpp"
#include "airan/phy/expected.hpp"

namespace airan::phy {

// Largest number of PRBs of one carrier (TS 38.101: 275 PRBs at 30 kHz / 120 kHz).
inline constexpr int kMaxTbsPrbs = 275;
// Above this N_info the TBS comes from a formula instead of Table 5.1.3.2-1.
inline constexpr int kTbsTableMaxInfoBits = 3824;

struct TbsConfig {
  int n_prb = 0;                  // n_PRB: allocated PRBs, 1..275
  int n_symb_sh = 0;              // N_symb^sh: symbols of the PDSCH/PUSCH allocation, 1..14
  int n_dmrs_prb = 0;             // N_DMRS^PRB: DM-RS REs per PRB, CDM groups without data included
  int n_oh_prb = 0;               // N_oh^PRB: xOverhead, one of 0, 6, 12, 18
  double target_code_rate = 0.0;  // R, in (0, 1): e.g. 449 / 1024.0
  int modulation_order = 0;       // Qm: 1, 2, 4, 6, 8 or 10
  int n_layers = 1;               // v: 1..8
  double tb_scaling = 1.0;        // S of Table 5.1.3.2-2: 1, 0.5 or 0.25
};

// Checks every field against the range above, and that the PRB has data REs left
// (12 * n_symb_sh > n_dmrs_prb + n_oh_prb).
Status validate(const TbsConfig& config);

// Step 1-2 of 5.1.3.2: N_info = N_RE * R * Qm * v * S with N_RE = min(156, N'_RE) * n_PRB.
Expected<double> tbs_info_bits(const TbsConfig& config);

// The TBS in bits (steps 1-4 of 5.1.3.2).
Expected<int> tbs_determine(const TbsConfig& config);

// Same, with Qm and R taken from an MCS entry (config's modulation_order and target_code_rate
// are ignored). Reserved entries are errors: a retransmission reuses the initial TBS.
Expected<int> tbs_determine(TbsConfig config, const McsEntry& mcs);

// Table 5.1.3.2-1: the 93 TBS values for N_info <= 3824, ascending.
std::span<const int> tbs_table();

}  // namespace airan::phy
