#include "airan/mac/grant_to_pdu.hpp"

#include <type_traits>

#include <fmt/format.h>

namespace airan::mac {

SlotTime slot_time(std::int64_t slot_index, int numerology) {
  const std::int64_t slots_per_frame = std::int64_t{10} << numerology;
  return SlotTime{.sfn = static_cast<int>((slot_index / slots_per_frame) % 1024),
                  .slot = static_cast<int>(slot_index % slots_per_frame)};
}

namespace {

// The fields PuschConfig and PdschConfig share, from the grant and the cell.
template <typename Config>
void fill_shared(const Grant& grant, const CellConfig& cell, const SharedChannelConfig& channel, int slot_in_frame,
                 Config& c) {
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
  c.data_scrambling_id = channel.data_scrambling_id;
  c.num_layers = grant.layers;
  c.dmrs = channel.dmrs;
  c.dmrs.ports = {0, 1, 2, 3};
  c.mcs_table = grant.mcs_table;
  c.mcs_index = grant.mcs_index;
  c.rv = grant.rv;
  c.x_overhead = channel.x_overhead;
}

// The PDU of a grant: planned, filled, its TBS against the grant's and the PDU checked.
template <typename Pdu, typename Config>
Expected<Pdu> grant_pdu(const Grant& grant, Direction direction, const Config& config, int sfn, const char* channel) {
  if (grant.direction != direction) {
    return Error{fmt::format("grant of rnti {} is for the other direction: no {} PDU", grant.rnti, channel)};
  }
  Expected<phy::PuschPlan> plan = Error{""};
  if constexpr (std::is_same_v<Pdu, PuschPdu>) {
    plan = phy::plan_pusch(config);
  } else {
    plan = phy::plan_pdsch(config);
  }
  if (!plan) return Error{fmt::format("grant of rnti {} does not plan: {}", grant.rnti, plan.error().message)};
  Pdu pdu;
  if constexpr (std::is_same_v<Pdu, PuschPdu>) {
    pdu = make_pusch_pdu(*plan, sfn);
  } else {
    pdu = make_pdsch_pdu(*plan, sfn);
  }
  pdu.harqProcessID = grant.harq_process;
  pdu.newData = grant.retransmission ? 0 : 1;
  if (pdu.TBSize != grant.tbs_bytes) {
    return Error{fmt::format("grant of rnti {}: tbs_bytes={} but 38.214 gives TBSize={} for its allocation", grant.rnti,
                             grant.tbs_bytes, pdu.TBSize)};
  }
  Status checked = Status::ok();
  if constexpr (std::is_same_v<Pdu, PuschPdu>) {
    if (auto c = to_pusch_config(pdu); !c) checked = c.error();
  } else {
    if (auto c = to_pdsch_config(pdu); !c) checked = c.error();
  }
  if (!checked) return Error{fmt::format("{} PDU of rnti {} is not valid: {}", channel, grant.rnti, checked.message())};
  return pdu;
}

}  // namespace

phy::PuschConfig pusch_config_for(const Grant& grant, const CellConfig& cell, int slot_in_frame) {
  phy::PuschConfig c;
  fill_shared(grant, cell, cell.uplink, slot_in_frame, c);
  c.mapping_type = phy::PuschMappingType::a;
  c.num_antenna_ports = grant.layers;
  return c;
}

phy::PdschConfig pdsch_config_for(const Grant& grant, const CellConfig& cell, int slot_in_frame) {
  phy::PdschConfig c;
  fill_shared(grant, cell, cell.downlink, slot_in_frame, c);
  return c;
}

Expected<PuschPdu> to_pusch_pdu(const Grant& grant, const CellConfig& cell, int sfn, int slot) {
  return grant_pdu<PuschPdu>(grant, Direction::uplink, pusch_config_for(grant, cell, slot), sfn, "PUSCH");
}

Expected<PdschPdu> to_pdsch_pdu(const Grant& grant, const CellConfig& cell, int sfn, int slot) {
  return grant_pdu<PdschPdu>(grant, Direction::downlink, pdsch_config_for(grant, cell, slot), sfn, "PDSCH");
}

}  // namespace airan::mac
