#include "airan/phy/pdsch/pdsch.hpp"

#include <fmt/format.h>

#include "airan/phy/coding/scrambling.hpp"

namespace airan::phy {
namespace {

PuschConfig shared_config(const PdschConfig& d) {
  PuschConfig c;
  c.n_cell_id = d.n_cell_id;
  c.slot_number = d.slot_number;
  c.numerology = d.numerology;
  c.bwp_start = d.bwp_start;
  c.bwp_size = d.bwp_size;
  c.rb_start = d.rb_start;
  c.rb_size = d.rb_size;
  c.start_symbol = d.start_symbol;
  c.num_symbols = d.num_symbols;
  c.mapping_type = PuschMappingType::a;
  c.rnti = d.rnti;
  c.data_scrambling_id = d.data_scrambling_id;
  c.num_layers = d.num_layers;
  c.num_antenna_ports = d.num_layers;
  c.codebook_precoding = false;
  c.dmrs = d.dmrs;
  c.mcs_table = d.mcs_table;
  c.mcs_index = d.mcs_index;
  c.rv = d.rv;
  c.x_overhead = d.x_overhead;
  c.lbrm_tbs = d.lbrm_tbs;
  return c;
}

}  // namespace

Status validate(const PdschConfig& config) {
  if (config.num_layers < 1 || config.num_layers > 4) {
    return Error{fmt::format("PDSCH num_layers={} is outside 1..4 (5..8 layers need two codewords, not built yet)",
                             config.num_layers)};
  }
  if (config.codeword != 0) {
    return Error{fmt::format("PDSCH codeword={} must be 0 with one codeword (1..4 layers)", config.codeword)};
  }
  if (config.start_symbol < 0 || config.start_symbol > 3) {
    return Error{fmt::format("PDSCH mapping type A needs start_symbol 0..3, not {}", config.start_symbol)};
  }
  return validate(shared_config(config));
}

Expected<PuschPlan> plan_pdsch(const PdschConfig& config) {
  if (Status s = validate(config); !s) return s.error();
  auto plan = plan_pusch(shared_config(config));
  if (!plan) return plan.error();
  plan->scrambling_c_init = pdsch_scrambling_init(config.rnti, config.codeword, plan->data_scrambling_id);
  return plan;
}

}  // namespace airan::phy
