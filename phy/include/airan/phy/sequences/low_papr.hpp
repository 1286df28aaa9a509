// Low-PAPR sequences type 1 of TS 38.211 5.2.2 (5.2.2.1 and 5.2.2.2) and the sequence group and
// number of the PUSCH DM-RS with transform precoding (6.4.1.1.1.2). PUCCH formats 0/1/3/4 and
// SRS use the same base sequences; their own hopping rules arrive with them.
//
//   r_{u,v}^{(alpha,delta)}(n) = e^{j alpha n} rbar_{u,v}(n),  0 <= n < M_ZC,
//   M_ZC = m N_sc^RB / 2^delta.
//
// Base sequences rbar_{u,v}, group u = 0..29, number v = 0..1:
//   M_ZC in {6, 12, 18, 24}: rbar(n) = e^{j phi(n) pi / 4}, phi from Tables 5.2.2.2-1..-4;
//   M_ZC = 30:               rbar(n) = e^{-j pi (u+1)(n+1)(n+2) / 31};
//   M_ZC >= 36:              rbar(n) = x_q(n mod N_ZC), x_q(m) = e^{-j pi q m (m+1) / N_ZC},
//                            N_ZC the largest prime below M_ZC,
//                            q = floor(qbar + 1/2) + v (-1)^floor(2 qbar), qbar = N_ZC (u+1) / 31.
// Only lengths M_ZC >= 6 N_sc^RB = 72 have a second base sequence (v = 1) per group.
//
// Valid lengths here: multiples of 6 from 6 to kMaxLowPaprLength (M_ZC = m 12 / 2^delta with
// whole m for PUSCH DM-RS (delta = 1), PUCCH (delta = 0) and SRS (K_TC = 2^delta in 2, 4, 8)).
//
// Not here yet: low-PAPR sequences type 2 (5.2.3, pi/2-BPSK DM-RS).
#pragma once

#include <span>

#include "airan/phy/expected.hpp"
#include "airan/phy/resource_grid.hpp"

namespace airan::phy {

inline constexpr int kLowPaprGroups = 30;             // u = 0..29
inline constexpr int kMinLowPaprLengthTwoBases = 72;  // v = 1 exists only for M_ZC >= 6 N_sc^RB
inline constexpr int kMaxLowPaprLength = 275 * 12;    // 3300: 275 PRBs, delta = 0

// OK when m_zc is a multiple of 6 in [6, kMaxLowPaprLength]; otherwise an error naming m_zc.
Status validate_low_papr_length(int m_zc);
// validate_low_papr_length, plus u in 0..29 and v in 0..1 with v = 0 when m_zc < 72.
Status validate_low_papr_parameters(int u, int v, int m_zc);

// N_ZC of 5.2.2.1: the largest prime below m_zc (m_zc >= 36; e.g. 31 for 36, 1637 for 1650).
int low_papr_zc_length(int m_zc);

// Writes r_{u,v}^{(alpha,delta)}(0..m_zc-1) into out (out.size() == m_zc). Preconditions
// (validate_low_papr_parameters OK, out.size() == m_zc) are asserted only; does not allocate.
// Each element is computed on its own, in double precision, with the Zadoff-Chu phase reduced
// exactly in integers, so the error stays at float rounding for every length.
void low_papr_sequence_type1(int u, int v, double alpha, int m_zc, std::span<Complex> out);

// The same after checking the parameters and out.size(); the error names the bad one.
Status generate_low_papr_sequence_type1(int u, int v, double alpha, int m_zc, std::span<Complex> out);

// Group and sequence hopping of the PUSCH DM-RS with transform precoding (6.4.1.1.1.2),
// chosen by higher-layer sequenceGroupHopping / sequenceHopping (at most one of the two).
enum class LowPaprHopping {
  kNeither,   // f_gh = 0, v = 0 (the default)
  kGroup,     // f_gh = (sum_{m=0}^{7} 2^m c(8 (N_symb^slot n_s + l) + m)) mod 30, v = 0,
              //   c_init = floor(n_ID^RS / 30)
  kSequence,  // f_gh = 0, v = c(N_symb^slot n_s + l) when M_ZC >= 72 else 0, c_init = n_ID^RS
};

struct LowPaprHoppingConfig {
  LowPaprHopping mode = LowPaprHopping::kNeither;
};

struct LowPaprGroup {
  int u = 0;  // sequence group, (f_gh + n_ID^RS) mod 30
  int v = 0;  // base sequence number
  friend bool operator==(const LowPaprGroup&, const LowPaprGroup&) = default;
};

// Limits of the inputs of pusch_dmrs_sequence_group.
inline constexpr int kMaxLowPaprNid = 1023;        // n_ID^RS (nPUSCH-Identity or N_ID^cell, 0..1007)
inline constexpr int kMaxSlotsPerFrame = 10 << 6;  // 640 slots per frame at mu = 6

// OK when n_id in 0..1023, symbols_per_slot is 12 or 14, symbol in 0..symbols_per_slot-1,
// slot_number (n_s,f^mu, the slot in the frame) in 0..639 and m_zc a valid length.
Status validate_pusch_dmrs_sequence_group(int n_id, int slot_number, int symbol, int symbols_per_slot, int m_zc);

// (u, v) for the DM-RS of OFDM symbol `symbol` (l; for a double-symbol DM-RS, the first of the
// two symbols) of slot `slot_number` of the frame. The pseudo-random sequence restarts each
// radio frame, which is why only the slot within the frame matters. Preconditions
// (validate_pusch_dmrs_sequence_group OK) are asserted only; does not allocate.
LowPaprGroup pusch_dmrs_sequence_group(const LowPaprHoppingConfig& hopping, int n_id, int slot_number, int symbol,
                                       int symbols_per_slot, int m_zc);

}  // namespace airan::phy
