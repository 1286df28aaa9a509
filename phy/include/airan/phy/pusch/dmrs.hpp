// PUSCH DMRS of TS 38.211 6.4.1.1 (transform precoding disabled): sequence generation and
// the resource elements it occupies. Shared by the transmitter and the channel estimator.
#pragma once

#include <span>

#include "airan/phy/pusch/pusch_config.hpp"
#include "airan/phy/resource_grid.hpp"

namespace airan::phy {

// c_init of 6.4.1.1.1.1 with lambda-bar = 0 (dmrs-Uplink-r16 not configured).
std::uint32_t pusch_dmrs_c_init(int slot_number, int symbol, std::uint16_t n_id, int n_scid);

// The DMRS of one layer on one DMRS symbol, over the allocated PRBs, including beta, w_f and w_t:
// `values` receives one value per DMRS RE of the layer's CDM group, in ascending subcarrier
// order (6 per PRB for type 1, 4 for type 2), and `first_subcarrier`/`stride` describe where:
// RE j sits at grid subcarrier first + (j / 2) * period + (j % 2) * pair_step, see DmrsLayout.
struct DmrsLayout {
  int res_per_prb;   // 6 (type 1) or 4 (type 2)
  int period;        // 4 (type 1) or 6 (type 2): subcarriers between pairs
  int pair_step;     // 2 (type 1) or 1 (type 2): distance between the two REs of a pair (k')
};
DmrsLayout dmrs_layout(int config_type);

// Grid subcarrier (relative to the BWP) of DMRS RE j of a layer whose port has offset delta.
inline int dmrs_subcarrier(const PuschPlan& plan, const DmrsLayout& layout, int delta, int j) {
  return plan.first_subcarrier() + (j / 2) * layout.period + (j % 2) * layout.pair_step + delta;
}

// values.size() == layout.res_per_prb * rb_size. dmrs_index selects the DMRS symbol of the plan.
void generate_pusch_dmrs(const PuschPlan& plan, int layer, int dmrs_index, std::span<Complex> values);

}  // namespace airan::phy
