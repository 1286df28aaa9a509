#include "airan/phy/pusch/pusch_config.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include <fmt/format.h>

#include "airan/phy/coding/scrambling.hpp"
#include "airan/phy/coding/tbs.hpp"
#include "airan/phy/modulation/transform_precoding.hpp"

namespace airan::phy {
namespace {

// TS 38.211 Table 6.4.1.1.3-3 (single-symbol DMRS, no intra-slot hopping): DMRS positions
// l-bar for duration l_d = 4..14 (row l_d - 4) and dmrs-AdditionalPosition 0..3.
// 0 stands for l0; -1 ends a list. Mapping type A, then type B.
constexpr int kL0 = 0;
constexpr int kEnd = -1;
using PositionList = std::array<int, 4>;
constexpr PositionList kL0Only = {kL0, kEnd, kEnd, kEnd};

constexpr std::array<std::array<PositionList, 4>, 11> kSingleTypeA = {{
    {kL0Only, kL0Only, kL0Only, kL0Only},                                                         // 4
    {kL0Only, kL0Only, kL0Only, kL0Only},                                                         // 5
    {kL0Only, kL0Only, kL0Only, kL0Only},                                                         // 6
    {kL0Only, kL0Only, kL0Only, kL0Only},                                                         // 7
    {kL0Only, {kL0, 7, kEnd, kEnd}, {kL0, 7, kEnd, kEnd}, {kL0, 7, kEnd, kEnd}},                  // 8
    {kL0Only, {kL0, 7, kEnd, kEnd}, {kL0, 7, kEnd, kEnd}, {kL0, 7, kEnd, kEnd}},                  // 9
    {kL0Only, {kL0, 9, kEnd, kEnd}, {kL0, 6, 9, kEnd}, {kL0, 6, 9, kEnd}},                        // 10
    {kL0Only, {kL0, 9, kEnd, kEnd}, {kL0, 6, 9, kEnd}, {kL0, 6, 9, kEnd}},                        // 11
    {kL0Only, {kL0, 9, kEnd, kEnd}, {kL0, 6, 9, kEnd}, {kL0, 5, 8, 11}},                          // 12
    {kL0Only, {kL0, 11, kEnd, kEnd}, {kL0, 7, 11, kEnd}, {kL0, 5, 8, 11}},                        // 13
    {kL0Only, {kL0, 11, kEnd, kEnd}, {kL0, 7, 11, kEnd}, {kL0, 5, 8, 11}},                        // 14
}};
constexpr std::array<std::array<PositionList, 4>, 11> kSingleTypeB = {{
    {kL0Only, kL0Only, kL0Only, kL0Only},                                                         // 4
    {kL0Only, {kL0, 4, kEnd, kEnd}, {kL0, 4, kEnd, kEnd}, {kL0, 4, kEnd, kEnd}},                  // 5
    {kL0Only, {kL0, 4, kEnd, kEnd}, {kL0, 4, kEnd, kEnd}, {kL0, 4, kEnd, kEnd}},                  // 6
    {kL0Only, {kL0, 4, kEnd, kEnd}, {kL0, 4, kEnd, kEnd}, {kL0, 4, kEnd, kEnd}},                  // 7
    {kL0Only, {kL0, 6, kEnd, kEnd}, {kL0, 3, 6, kEnd}, {kL0, 3, 6, kEnd}},                        // 8
    {kL0Only, {kL0, 6, kEnd, kEnd}, {kL0, 3, 6, kEnd}, {kL0, 3, 6, kEnd}},                        // 9
    {kL0Only, {kL0, 8, kEnd, kEnd}, {kL0, 4, 8, kEnd}, {kL0, 3, 6, 9}},                           // 10
    {kL0Only, {kL0, 8, kEnd, kEnd}, {kL0, 4, 8, kEnd}, {kL0, 3, 6, 9}},                           // 11
    {kL0Only, {kL0, 10, kEnd, kEnd}, {kL0, 5, 10, kEnd}, {kL0, 3, 6, 9}},                         // 12
    {kL0Only, {kL0, 10, kEnd, kEnd}, {kL0, 5, 10, kEnd}, {kL0, 3, 6, 9}},                         // 13
    {kL0Only, {kL0, 10, kEnd, kEnd}, {kL0, 5, 10, kEnd}, {kL0, 3, 6, 9}},                         // 14
}};
// Table 6.4.1.1.3-4 (double-symbol DMRS): additional positions 0..1, l_d = 4..14.
constexpr std::array<std::array<PositionList, 2>, 11> kDoubleTypeA = {{
    {kL0Only, kL0Only}, {kL0Only, kL0Only}, {kL0Only, kL0Only}, {kL0Only, kL0Only},  // 4..7
    {kL0Only, kL0Only}, {kL0Only, kL0Only},                                          // 8, 9
    {kL0Only, {kL0, 8, kEnd, kEnd}}, {kL0Only, {kL0, 8, kEnd, kEnd}},                // 10, 11
    {kL0Only, {kL0, 8, kEnd, kEnd}},                                                 // 12
    {kL0Only, {kL0, 10, kEnd, kEnd}}, {kL0Only, {kL0, 10, kEnd, kEnd}},              // 13, 14
}};
constexpr PositionList kNone = {kEnd, kEnd, kEnd, kEnd};
constexpr std::array<std::array<PositionList, 2>, 11> kDoubleTypeB = {{
    {kNone, kNone},                                                                  // 4
    {kL0Only, kL0Only}, {kL0Only, kL0Only}, {kL0Only, kL0Only},                      // 5..7
    {kL0Only, {kL0, 5, kEnd, kEnd}}, {kL0Only, {kL0, 5, kEnd, kEnd}},                // 8, 9
    {kL0Only, {kL0, 7, kEnd, kEnd}}, {kL0Only, {kL0, 7, kEnd, kEnd}},                // 10, 11
    {kL0Only, {kL0, 9, kEnd, kEnd}}, {kL0Only, {kL0, 9, kEnd, kEnd}},                // 12, 13
    {kL0Only, {kL0, 9, kEnd, kEnd}},                                                 // 14
}};

Status validate_dmrs(const PuschConfig& c) {
  const DmrsConfig& d = c.dmrs;
  if (d.config_type != 1 && d.config_type != 2) {
    return Error{fmt::format("dmrs.config_type={} is not 1 or 2", d.config_type)};
  }
  if (d.length != 1 && d.length != 2) return Error{fmt::format("dmrs.length={} is not 1 or 2", d.length)};
  const int max_additional = d.length == 1 ? 3 : 1;
  if (d.additional_position < 0 || d.additional_position > max_additional) {
    return Error{fmt::format("dmrs.additional_position={} is outside 0..{} for length {}", d.additional_position,
                             max_additional, d.length)};
  }
  if (d.type_a_position != 2 && d.type_a_position != 3) {
    return Error{fmt::format("dmrs.type_a_position={} is not 2 or 3", d.type_a_position)};
  }
  if (c.mapping_type == PuschMappingType::a && d.additional_position == 3 && d.type_a_position != 2) {
    return Error{"dmrs.additional_position=3 is only allowed with dmrs.type_a_position=2 (38.211 6.4.1.1.3)"};
  }
  const int max_groups = d.config_type == 1 ? 2 : 3;
  if (d.num_cdm_groups_without_data < 1 || d.num_cdm_groups_without_data > max_groups) {
    return Error{fmt::format("dmrs.num_cdm_groups_without_data={} is outside 1..{} for type {}",
                             d.num_cdm_groups_without_data, max_groups, d.config_type)};
  }
  if (d.n_scid != 0 && d.n_scid != 1) return Error{fmt::format("dmrs.n_scid={} is not 0 or 1", d.n_scid)};
  const int max_port = (d.config_type == 1 ? 4 : 6) * d.length - 1;
  for (int layer = 0; layer < c.num_layers; ++layer) {
    const int port = d.ports[layer];
    if (port < 0 || port > max_port) {
      return Error{fmt::format("dmrs.ports[{}]={} is outside 0..{} for type {} length {}", layer, port, max_port,
                               d.config_type, d.length)};
    }
    for (int other = 0; other < layer; ++other) {
      if (d.ports[other] == port) return Error{fmt::format("dmrs.ports[{}] and [{}] are both {}", other, layer, port)};
    }
    if (dmrs_port_parameters(d.config_type, port).cdm_group >= d.num_cdm_groups_without_data) {
      return Error{fmt::format("dmrs.ports[{}]={} is in CDM group {}, but only {} CDM group(s) carry no data", layer,
                               port, dmrs_port_parameters(d.config_type, port).cdm_group,
                               d.num_cdm_groups_without_data)};
    }
  }
  return Status::ok();
}

}  // namespace

DmrsPortParameters dmrs_port_parameters(int config_type, int port) {
  DmrsPortParameters p{};
  const int per_symbol = config_type == 1 ? 4 : 6;  // ports per w_t
  const int within = port % per_symbol;
  p.cdm_group = within / 2;
  p.delta = config_type == 1 ? p.cdm_group : 2 * p.cdm_group;
  p.w_f = {1, within % 2 == 0 ? 1 : -1};
  p.w_t = {1, port < per_symbol ? 1 : -1};
  return p;
}

Status validate(const PuschConfig& c) {
  if (c.n_cell_id < 0 || c.n_cell_id > 1007) return Error{fmt::format("n_cell_id={} is outside 0..1007", c.n_cell_id)};
  if (c.numerology < 0 || c.numerology > 6) return Error{fmt::format("numerology mu={} is outside 0..6", c.numerology)};
  const int slots_per_frame = 10 << c.numerology;
  if (c.slot_number < 0 || c.slot_number >= slots_per_frame) {
    return Error{fmt::format("slot_number={} is outside 0..{} for mu={}", c.slot_number, slots_per_frame - 1,
                             c.numerology)};
  }
  if (c.bwp_size < 1 || c.bwp_size > 275) return Error{fmt::format("bwp_size={} is outside 1..275", c.bwp_size)};
  if (c.bwp_start < 0 || c.bwp_start + c.bwp_size > 275) {
    return Error{fmt::format("bwp_start={} puts the BWP beyond CRB 274", c.bwp_start)};
  }
  if (c.rb_size < 1 || c.rb_start < 0 || c.rb_start + c.rb_size > c.bwp_size) {
    return Error{fmt::format("PRBs rb_start={} rb_size={} do not fit the BWP of {} PRBs", c.rb_start, c.rb_size,
                             c.bwp_size)};
  }
  if (c.start_symbol < 0 || c.num_symbols < 1 || c.start_symbol + c.num_symbols > kSymbolsPerSlot) {
    return Error{fmt::format("symbols start_symbol={} num_symbols={} do not fit a slot of 14", c.start_symbol,
                             c.num_symbols)};
  }
  if (c.mapping_type == PuschMappingType::a) {
    if (c.start_symbol > c.dmrs.type_a_position || c.start_symbol + c.num_symbols < 4) {
      return Error{fmt::format("mapping type A needs start_symbol <= dmrs.type_a_position ({}) and at least 4 "
                               "symbols to the end of the allocation (start {} + {})",
                               c.dmrs.type_a_position, c.start_symbol, c.num_symbols)};
    }
  } else if (c.num_symbols < (c.dmrs.length == 2 ? 5 : 1)) {
    return Error{fmt::format("mapping type B with {}-symbol DMRS needs more than {} symbols", c.dmrs.length,
                             c.num_symbols)};
  }
  if (c.num_layers < 1 || c.num_layers > kMaxPuschLayers) {
    return Error{fmt::format("num_layers={} is outside 1..{}", c.num_layers, kMaxPuschLayers)};
  }
  if (c.codebook_precoding && c.num_antenna_ports != 2 && c.num_antenna_ports != 4) {
    return Error{fmt::format("num_antenna_ports={} has no codebook: codebook precoding needs 2 or 4 ports",
                             c.num_antenna_ports)};
  }
  if (!c.codebook_precoding && c.num_antenna_ports != c.num_layers) {
    return Error{fmt::format("without codebook precoding num_antenna_ports ({}) must equal num_layers ({})",
                             c.num_antenna_ports, c.num_layers)};
  }
  if (c.codebook_precoding && (c.num_antenna_ports < 2 || c.num_layers > c.num_antenna_ports)) {
    return Error{fmt::format("codebook precoding needs 2 or 4 antenna ports and no more layers ({}) than ports ({})",
                             c.num_layers, c.num_antenna_ports)};
  }
  if (c.rv < 0 || c.rv > 3) return Error{fmt::format("rv={} is outside 0..3", c.rv)};
  if (c.x_overhead != 0 && c.x_overhead != 6 && c.x_overhead != 12 && c.x_overhead != 18) {
    return Error{fmt::format("x_overhead={} is not 0, 6, 12 or 18", c.x_overhead)};
  }
  const bool tp_table = c.mcs_table == McsTable::tp_qam64 || c.mcs_table == McsTable::tp_qam64_low_se;
  if (tp_table && !c.transform_precoding) {
    return Error{fmt::format("mcs_table {} is for transform precoding; set transform_precoding", to_string(c.mcs_table))};
  }
  if (c.transform_precoding) {
    if (c.num_layers != 1 || c.codebook_precoding) {
      return Error{fmt::format("transform precoding needs one layer without codebook precoding (num_layers={})",
                               c.num_layers)};
    }
    if (c.dmrs.config_type != 1 || c.dmrs.num_cdm_groups_without_data != 2) {
      return Error{fmt::format("transform precoding needs DMRS type 1 with 2 CDM groups without data (type {}, {})",
                               c.dmrs.config_type, c.dmrs.num_cdm_groups_without_data)};
    }
    if (Status s = validate_transform_precoding_prbs(c.rb_size); !s) return s;
    if (c.tp_dmrs_n_id && *c.tp_dmrs_n_id > 1023) {
      return Error{fmt::format("tp_dmrs_n_id={} is outside 0..1023", *c.tp_dmrs_n_id)};
    }
    if (c.tp_pi2bpsk) {
      return Error{"tp_pi2bpsk: pi/2-BPSK needs the type-2 low-PAPR DMRS of 38.211 5.2.2.3, not built yet"};
    }
  }
  return validate_dmrs(c);
}

Expected<PuschPlan> plan_pusch(const PuschConfig& config) {
  if (Status s = validate(config); !s) return s.error();
  PuschPlan plan;
  plan.config = config;
  auto mcs = mcs_lookup(config.mcs_table, config.mcs_index, config.tp_pi2bpsk);
  if (!mcs) return mcs.error();
  if (mcs->reserved) {
    return Error{fmt::format("mcs_index={} of table {} is reserved (retransmissions only); give a TBS-defining MCS",
                             config.mcs_index, to_string(config.mcs_table))};
  }
  plan.mcs = *mcs;
  plan.modulation_order = mcs->modulation_order;

  // DMRS positions: l-bar relative to the slot (type A) or to the allocation (type B).
  const DmrsConfig& d = config.dmrs;
  const bool type_a = config.mapping_type == PuschMappingType::a;
  const int l_ref = type_a ? 0 : config.start_symbol;
  const int l0 = type_a ? d.type_a_position : 0;
  const int l_d = type_a ? config.start_symbol + config.num_symbols : config.num_symbols;
  // Durations below 4 symbols: mapping type B with single-symbol DMRS only, at l0 (first row of
  // Table 6.4.1.1.3-3); type A and double-symbol DMRS have no entry there.
  if (l_d < 4 && (type_a || d.length == 2)) {
    return Error{fmt::format("PUSCH duration l_d={} is below 4 symbols, allowed only for mapping type B with "
                             "single-symbol DMRS (Tables 6.4.1.1.3-3/4)",
                             l_d)};
  }
  const int row = std::max(l_d, 4) - 4;
  const PositionList& positions =
      d.length == 1 ? (type_a ? kSingleTypeA : kSingleTypeB)[row][d.additional_position]
                    : (type_a ? kDoubleTypeA : kDoubleTypeB)[row][d.additional_position];
  for (int p : positions) {
    if (p == kEnd) break;
    const int l_bar = p == kL0 ? l0 : p;
    for (int l_prime = 0; l_prime < d.length; ++l_prime) {
      const int symbol = l_ref + l_bar + l_prime;
      if (symbol < config.start_symbol || symbol >= config.start_symbol + config.num_symbols) {
        return Error{fmt::format("DMRS symbol {} falls outside the PUSCH symbols {}..{}", symbol, config.start_symbol,
                                 config.start_symbol + config.num_symbols - 1)};
      }
      plan.dmrs_symbols[plan.num_dmrs_symbols] = symbol;
      plan.dmrs_l_prime[plan.num_dmrs_symbols] = l_prime;
      plan.is_dmrs_symbol[symbol] = true;
      ++plan.num_dmrs_symbols;
    }
  }
  if (plan.num_dmrs_symbols == 0) return Error{"the configuration places no DMRS symbol"};

  // Data REs of a PRB on DMRS symbols: those outside the comb of every CDM group without data.
  std::uint16_t dmrs_mask = 0;
  for (int group = 0; group < d.num_cdm_groups_without_data; ++group) {
    for (int k = 0; k < 12; ++k) {
      const bool used = d.config_type == 1 ? (k % 2 == group) : ((k % 6) / 2 == group);
      if (used) dmrs_mask = static_cast<std::uint16_t>(dmrs_mask | (1U << k));
    }
  }
  plan.dmrs_symbol_data_mask = static_cast<std::uint16_t>(~dmrs_mask & 0x0FFFU);
  const int data_on_dmrs = std::popcount(plan.dmrs_symbol_data_mask);
  const int dmrs_res_per_prb = plan.num_dmrs_symbols * (12 - data_on_dmrs);
  plan.data_res_per_prb = 12 * config.num_symbols - dmrs_res_per_prb;
  plan.data_res = plan.data_res_per_prb * config.rb_size;
  plan.g = plan.data_res * plan.modulation_order * config.num_layers;
  plan.beta_dmrs = std::sqrt(static_cast<double>(d.num_cdm_groups_without_data));
  plan.data_scrambling_id = config.data_scrambling_id.value_or(static_cast<std::uint16_t>(config.n_cell_id));
  plan.scrambling_c_init = pusch_scrambling_init(config.rnti, plan.data_scrambling_id);

  TbsConfig tbs_config;
  tbs_config.n_prb = config.rb_size;
  tbs_config.n_symb_sh = config.num_symbols;
  tbs_config.n_dmrs_prb = dmrs_res_per_prb;
  tbs_config.n_oh_prb = config.x_overhead;
  tbs_config.n_layers = config.num_layers;
  auto tbs = tbs_determine(tbs_config, *mcs);
  if (!tbs) return tbs.error();
  plan.tbs = *tbs;

  SchConfig sch;
  sch.tbs = plan.tbs;
  sch.target_code_rate = mcs->target_code_rate();
  sch.rate_match = {.g = plan.g,
                    .modulation_order = plan.modulation_order,
                    .num_layers = config.num_layers,
                    .rv = config.rv,
                    .lbrm_tbs = config.lbrm_tbs};
  auto sch_plan = plan_sch(sch);
  if (!sch_plan) return sch_plan.error();
  plan.sch = *sch_plan;
  return plan;
}

}  // namespace airan::phy
