#include "airan/mac/grant_to_pdu.hpp"

#include <fmt/format.h>

namespace airan::mac {

SlotTime slot_time(std::int64_t slot_index, int numerology) {
  const std::int64_t slots_per_frame = std::int64_t{10} << numerology;
  return SlotTime{.sfn = static_cast<int>((slot_index / slots_per_frame) % 1024),
                  .slot = static_cast<int>(slot_index % slots_per_frame)};
}

phy::PuschConfig pusch_config_for(const Grant& grant, const CellConfig& cell, int slot_in_frame) {
  phy::PuschConfig c;
  c.n_cell_id = cell.cell_id;
  c.slot_number = slot_in_frame;
  c.numerology = cell.numerology();
  c.bwp_start = cell.bwp_start;
  c.bwp_size = cell.bwp_size;
  c.rb_start = grant.rb_start;
  c.rb_size = grant.rb_size;
  c.start_symbol = grant.start_symbol;
  c.num_symbols = grant.num_symbols;
  c.mapping_type = phy::PuschMappingType::a;
  c.rnti = grant.rnti;
  c.data_scrambling_id = cell.uplink.data_scrambling_id;
  c.num_layers = grant.layers;
  c.num_antenna_ports = grant.layers;
  c.dmrs = cell.uplink.dmrs;
  c.dmrs.ports = {0, 1, 2, 3};
  c.mcs_table = grant.mcs_table;
  c.mcs_index = grant.mcs_index;
  c.rv = grant.rv;
  c.x_overhead = cell.uplink.x_overhead;
  return c;
}

phy::PdschConfig pdsch_config_for(const Grant& grant, const CellConfig& cell, int slot_in_frame) {
  phy::PdschConfig c;
  c.n_cell_id = cell.cell_id;
  c.slot_number = slot_in_frame;
  c.numerology = cell.numerology();
  c.bwp_start = cell.bwp_start;
  c.bwp_size = cell.bwp_size;
  c.rb_start = grant.rb_start;
  c.rb_size = grant.rb_size;
  c.start_symbol = grant.start_symbol;
  c.num_symbols = grant.num_symbols;
  c.rnti = grant.rnti;
  c.data_scrambling_id = cell.downlink.data_scrambling_id;
  c.num_layers = grant.layers;
  c.dmrs = cell.downlink.dmrs;
  c.dmrs.ports = {0, 1, 2, 3};
  c.mcs_table = grant.mcs_table;
  c.mcs_index = grant.mcs_index;
  c.rv = grant.rv;
  c.x_overhead = cell.downlink.x_overhead;
  return c;
}

Expected<PuschPdu> to_pusch_pdu(const Grant& grant, const CellConfig& cell, int sfn, int slot) {
  if (grant.direction != Direction::uplink) {
    return Error{fmt::format("grant of rnti {} is a downlink grant: no PUSCH PDU", grant.rnti)};
  }
  auto plan = phy::plan_pusch(pusch_config_for(grant, cell, slot));
  if (!plan) return Error{fmt::format("grant of rnti {} does not plan: {}", grant.rnti, plan.error().message)};
  PuschPdu pdu = make_pusch_pdu(*plan, sfn);
  pdu.harqProcessID = grant.harq_process;
  pdu.newData = grant.retransmission ? 0 : 1;
  if (pdu.TBSize != grant.tbs_bytes) {
    return Error{fmt::format("grant of rnti {}: tbs_bytes={} but 38.214 gives TBSize={} for its allocation", grant.rnti,
                             grant.tbs_bytes, pdu.TBSize)};
  }
  if (auto config = to_pusch_config(pdu); !config) {
    return Error{fmt::format("PUSCH PDU of rnti {} is not valid: {}", grant.rnti, config.error().message)};
  }
  return pdu;
}

Expected<PdschPdu> to_pdsch_pdu(const Grant& grant, const CellConfig& cell, int sfn, int slot) {
  if (grant.direction != Direction::downlink) {
    return Error{fmt::format("grant of rnti {} is an uplink grant: no PDSCH PDU", grant.rnti)};
  }
  auto plan = phy::plan_pdsch(pdsch_config_for(grant, cell, slot));
  if (!plan) return Error{fmt::format("grant of rnti {} does not plan: {}", grant.rnti, plan.error().message)};
  PdschPdu pdu = make_pdsch_pdu(*plan, sfn);
  pdu.harqProcessID = grant.harq_process;
  pdu.newData = grant.retransmission ? 0 : 1;
  if (pdu.TBSize != grant.tbs_bytes) {
    return Error{fmt::format("grant of rnti {}: tbs_bytes={} but 38.214 gives TBSize={} for its allocation", grant.rnti,
                             grant.tbs_bytes, pdu.TBSize)};
  }
  if (auto config = to_pdsch_config(pdu); !config) {
    return Error{fmt::format("PDSCH PDU of rnti {} is not valid: {}", grant.rnti, config.error().message)};
  }
  return pdu;
}

}  // namespace airan::mac
