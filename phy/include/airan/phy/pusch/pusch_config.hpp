// PUSCH configuration (TS 38.211 6.3.1, 6.4.1.1; TS 38.214 6.1.4) and the allocation derived
// from it once per configuration: DMRS positions, data resource elements, TBS and G.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "airan/phy/coding/mcs.hpp"
#include "airan/phy/coding/sch.hpp"
#include "airan/phy/expected.hpp"

namespace airan::phy {

inline constexpr int kMaxPuschLayers = 4;
inline constexpr int kMaxDmrsSymbols = 8;  // 4 positions x double symbol
inline constexpr int kSymbolsPerSlot = 14;  // normal cyclic prefix

enum class PuschMappingType { a, b };

struct DmrsConfig {
  int config_type = 1;                  // 1 or 2
  int length = 1;                       // 1: single-symbol, 2: double-symbol
  int additional_position = 1;          // dmrs-AdditionalPosition 0..3 (0..1 when length = 2)
  int type_a_position = 2;              // dmrs-TypeA-Position: 2 or 3
  int num_cdm_groups_without_data = 2;  // 1..2 (type 1), 1..3 (type 2)
  std::array<int, kMaxPuschLayers> ports{0, 1, 2, 3};  // antenna ports p~ of each layer
  int n_scid = 0;                                      // 0 or 1
  std::array<std::uint16_t, 2> n_id{0, 0};             // N_ID^0, N_ID^1 (0..65535)
};

struct PuschConfig {
  // Carrier and bandwidth part. The grid a transmitter writes and a receiver reads covers the
  // BWP: subcarrier 0 of the grid is subcarrier 0 of its first PRB.
  int n_cell_id = 0;   // 0..1007
  int slot_number = 0;  // slot within the frame
  int numerology = 1;   // mu: 15 * 2^mu kHz
  int bwp_start = 0;    // first CRB of the BWP (DMRS sequences start at CRB 0)
  int bwp_size = 273;   // PRBs
  // Allocation within the BWP.
  int rb_start = 0;
  int rb_size = 273;
  int start_symbol = 0;
  int num_symbols = 14;
  PuschMappingType mapping_type = PuschMappingType::a;
  // Identities.
  std::uint16_t rnti = 1;
  std::optional<std::uint16_t> data_scrambling_id;  // n_ID of 6.3.1.1; default N_ID^cell
  // Layers and ports.
  int num_layers = 1;
  int num_antenna_ports = 1;
  bool codebook_precoding = false;  // with it, layers are precoded to antenna ports by the TPMI
  int tpmi = 0;
  // DFT-s-OFDM (6.3.1.4): one layer, DMRS type 1 from low-PAPR sequences (6.4.1.1.1.2), no
  // data beside the DMRS. tp_pi2bpsk selects pi/2-BPSK for the q = 1 rows of the tp MCS tables.
  bool transform_precoding = false;
  bool tp_pi2bpsk = false;
  std::optional<std::uint16_t> tp_dmrs_n_id;  // n_ID^RS (nPUSCH-Identity); default N_ID^cell
  DmrsConfig dmrs;
  // Modulation and coding.
  McsTable mcs_table = McsTable::qam64;
  int mcs_index = 0;
  int rv = 0;
  int x_overhead = 0;  // xOverhead of 38.214: 0, 6, 12 or 18
  int lbrm_tbs = 0;    // TBS_LBRM; 0 = no limited-buffer rate matching
};

Status validate(const PuschConfig& config);

// Everything derived from a PuschConfig, computed once and reused slot after slot.
struct PuschPlan {
  PuschConfig config;
  McsEntry mcs;
  int modulation_order = 0;
  // DMRS symbols (slot indices) and, for each, its l' (0 or 1 of a double symbol).
  int num_dmrs_symbols = 0;
  std::array<int, kMaxDmrsSymbols> dmrs_symbols{};
  std::array<int, kMaxDmrsSymbols> dmrs_l_prime{};
  std::array<bool, kSymbolsPerSlot> is_dmrs_symbol{};
  // Resource elements per PRB that carry data on a DMRS symbol (the comb positions of the CDM
  // groups without data are excluded), as a 12-bit mask over the PRB's subcarriers.
  std::uint16_t dmrs_symbol_data_mask = 0;
  int data_res_per_prb = 0;  // over the whole allocation (all symbols)
  int data_res = 0;          // per layer
  int g = 0;                 // coded bits of the TB
  int tbs = 0;
  double beta_dmrs = 1.0;    // DMRS amplitude relative to data: sqrt(CDM groups without data)
  std::uint16_t data_scrambling_id = 0;
  std::uint32_t scrambling_c_init = 0;  // 6.3.1.1 (PUSCH) or 7.3.1.1 (PDSCH, with the codeword q)
  SchPlan sch;

  int first_subcarrier() const { return 12 * config.rb_start; }
  int num_subcarriers() const { return 12 * config.rb_size; }
};

// Validates, looks up the MCS, places the DMRS (38.211 Tables 6.4.1.1.3-3/4), counts the data
// REs, determines the TBS (38.214 6.1.4.2) and plans the UL-SCH chain.
Expected<PuschPlan> plan_pusch(const PuschConfig& config);

// DMRS antenna-port parameters of Tables 6.4.1.1.3-1/2.
struct DmrsPortParameters {
  int cdm_group;  // lambda
  int delta;      // subcarrier offset
  std::array<int, 2> w_f;
  std::array<int, 2> w_t;
};
DmrsPortParameters dmrs_port_parameters(int config_type, int port);

}  // namespace airan::phy
