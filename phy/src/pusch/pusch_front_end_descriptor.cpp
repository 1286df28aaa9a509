// The GPU front end's per-UE descriptor, filled on the host from a PuschPlan (compiled in every
// build: the CPU emulation test of the kernels uses it too).
#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "airan/phy/detail/pusch_front_end_kernels.hpp"
#include "airan/phy/pusch/channel_estimator.hpp"
#include "airan/phy/pusch/dmrs.hpp"
#include "airan/phy/pusch/pusch_config.hpp"

namespace airan::phy::detail {

static_assert(kFrontEndMaxLayers == kMaxPuschLayers && kFrontEndSymbols == kSymbolsPerSlot &&
              kFrontEndMaxDmrsSymbols == kMaxDmrsSymbols);

Status fill_ue_descriptor(const PuschPlan& plan, int bwp_grid_offset, int rx_ports, int grid_subcarriers,
                          int max_prbs, int max_layers, int max_modulation_order, bool mmse,
                          const ChannelEstimatorConfig& estimator, UeDescriptor& d) {
  const PuschConfig& c = plan.config;
  if (c.transform_precoding) return Error{"transform precoding is not implemented on the GPU"};
  if (c.num_layers > max_layers || c.num_layers > rx_ports) {
    return Error{std::to_string(c.num_layers) + " layers, created for " + std::to_string(max_layers) + " and " +
                 std::to_string(rx_ports) + " receive ports"};
  }
  if (c.rb_size > max_prbs) {
    return Error{std::to_string(c.rb_size) + " PRBs, created for " + std::to_string(max_prbs)};
  }
  if (plan.modulation_order < 2 || plan.modulation_order > max_modulation_order) {
    return Error{"modulation order " + std::to_string(plan.modulation_order) + ", created for 2.." +
                 std::to_string(max_modulation_order)};
  }
  if (bwp_grid_offset < 0 || bwp_grid_offset + 12 * c.bwp_size > grid_subcarriers) {
    return Error{"its BWP (offset " + std::to_string(bwp_grid_offset) + ", " + std::to_string(c.bwp_size) +
                 " PRBs) does not fit the grid of " + std::to_string(grid_subcarriers) + " subcarriers"};
  }
  const DmrsLayout layout = dmrs_layout(c.dmrs.config_type);
  const int groups = plan.num_dmrs_symbols / c.dmrs.length;
  if (groups < 1 || groups > kFrontEndMaxGroups) return Error{"DMRS groups outside 1..4"};

  d = UeDescriptor{};
  d.active = 1;
  d.rx_ports = rx_ports;
  d.layers = c.num_layers;
  d.qm = plan.modulation_order;
  d.mmse = mmse ? 1 : 0;
  d.dft = estimator.interpolation == FrequencyInterpolation::dft ? 1 : 0;
  d.grid_offset = bwp_grid_offset + plan.first_subcarrier();
  d.subcarriers = plan.num_subcarriers();
  d.start_symbol = c.start_symbol;
  d.num_symbols = c.num_symbols;
  d.pair_step = layout.pair_step;
  d.period = layout.period;
  d.pairs = layout.res_per_prb * c.rb_size / 2;
  d.dmrs_length = c.dmrs.length;
  d.num_groups = groups;
  d.m_first = layout.res_per_prb * (c.bwp_start + c.rb_start);
  d.dmrs_words = (2 * (d.m_first + layout.res_per_prb * c.rb_size) + 31) / 32;
  if (d.dmrs_words > kDmrsWordsPerSymbol) return Error{"its allocation ends beyond CRB 275"};
  // As the CPU's denoise(): at most half the taps, so that the residual keeps degrees of freedom.
  const int n = d.pairs;
  const double window = estimator.dft_delay_window - estimator.dft_early_window;
  d.taps_half = n < 4 ? 0 : std::clamp(static_cast<int>(std::ceil(window * (2 * n) * layout.period)), 1, n / 2 - 1);
  const double kept = n < 4 ? n : d.taps_half + 1;
  d.residual_dof = static_cast<double>(groups) * rx_ports * c.num_layers * (n - kept);
  d.data_res = plan.data_res;
  d.g = plan.g;
  d.scrambling_words = (plan.g + 31) / 32;
  d.scrambling_c_init = plan.scrambling_c_init;
  d.dmrs_data_mask = plan.dmrs_symbol_data_mask;
  d.dmrs_data_per_prb = std::popcount(static_cast<unsigned>(plan.dmrs_symbol_data_mask));
  d.beta_dmrs = static_cast<float>(plan.beta_dmrs);
  d.beta2 = plan.beta_dmrs * plan.beta_dmrs;
  for (int s = 0; s < plan.num_dmrs_symbols; ++s) {
    d.dmrs_symbol[s] = plan.dmrs_symbols[s];
    d.dmrs_l_prime[s] = plan.dmrs_l_prime[s];
    d.dmrs_c_init[s] = pusch_dmrs_c_init(c.slot_number, plan.dmrs_symbols[s], c.dmrs.n_id[c.dmrs.n_scid], c.dmrs.n_scid);
  }
  for (int p = 0; p < c.num_layers; ++p) {
    const DmrsPortParameters port = dmrs_port_parameters(c.dmrs.config_type, c.dmrs.ports[p]);
    d.delta[p] = port.delta;
    d.w_f[p][0] = port.w_f[0];
    d.w_f[p][1] = port.w_f[1];
    d.w_t[p][0] = port.w_t[0];
    d.w_t[p][1] = port.w_t[1];
  }
  for (int g = 0; g < groups; ++g) d.group_symbol[g] = plan.dmrs_symbols[g * c.dmrs.length] + 0.5 * (c.dmrs.length - 1);
  int re = 0;
  for (int l = 0; l < kSymbolsPerSlot; ++l) {
    d.re_offset[l] = re;
    if (plan.is_dmrs_symbol[l]) d.is_dmrs_symbol |= 1U << l;
    if (l < c.start_symbol || l >= c.start_symbol + c.num_symbols) continue;
    re += plan.is_dmrs_symbol[l] ? c.rb_size * d.dmrs_data_per_prb : plan.num_subcarriers();
  }
  if (re != plan.data_res) return Error{"the data REs do not add up to the plan's"};
  return Status::ok();
}

}  // namespace airan::phy::detail
