// PDSCH transmitter (gNB downlink), TS 38.211 7.3.1 and 7.4.1.1, for one codeword on 1..4
// layers with mapping type A: DL-SCH coding, scrambling with the codeword index q (7.3.1.1),
// modulation, layer mapping (7.3.1.3), DMRS (7.4.1.1) and mapping to DMRS antenna ports
// 1000 + p (7.3.1.4: one layer per port, no precoding in the specification).
//
// Below 5 layers the downlink and uplink chains coincide once the scrambling c_init and the
// DMRS tables are set (Tables 7.4.1.1.2-1..-3 give the same port parameters, the same beta
// (TS 38.214 Table 4.1-1) and, for mapping type A, the same DMRS positions as the PUSCH tables
// for 4..14 symbols), so the PDSCH runs on the shared-channel chain of pusch/ and a UE-side
// receiver is the PuschReceiver on a PdschPlan.
#pragma once

#include "airan/phy/pusch/pusch_config.hpp"
#include "airan/phy/pusch/pusch_transmitter.hpp"

namespace airan::phy {

struct PdschConfig {
  int n_cell_id = 0;
  int slot_number = 0;
  int numerology = 1;
  int bwp_start = 0;
  int bwp_size = 273;
  int rb_start = 0;
  int rb_size = 273;
  int start_symbol = 0;  // 0..3 for mapping type A
  int num_symbols = 14;
  std::uint16_t rnti = 1;
  std::optional<std::uint16_t> data_scrambling_id;  // n_ID of 7.3.1.1; default N_ID^cell
  int codeword = 0;                                 // q (only 0 below 5 layers)
  int num_layers = 1;                               // 1..4 (one codeword)
  DmrsConfig dmrs;                                  // ports p of the DMRS antenna ports 1000 + p
  McsTable mcs_table = McsTable::qam256;
  int mcs_index = 0;
  int rv = 0;
  int x_overhead = 0;
  int lbrm_tbs = 0;
};

Status validate(const PdschConfig& config);

// The shared-channel plan of a PDSCH transmission (scrambling c_init of 7.3.1.1).
Expected<PuschPlan> plan_pdsch(const PdschConfig& config);

// The grid is [DMRS antenna port 1000 + p][symbol][BWP subcarrier].
class PdschTransmitter {
 public:
  Status transmit(const PuschPlan& pdsch_plan, std::span<const std::uint8_t> tb_bits, ResourceGrid& grid) {
    return shared_.transmit(pdsch_plan, tb_bits, grid);
  }

 private:
  PuschTransmitter shared_;
};

}  // namespace airan::phy
