// The GPU front end's per-UE descriptor, filled on the host from a PuschPlan (compiled in every
// build: the CPU emulation test of the kernels uses it too).
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <string>

#include "airan/phy/detail/pusch_front_end_kernels.hpp"
#include "airan/phy/pusch/channel_estimator.hpp"
#include "airan/phy/pusch/dmrs.hpp"
#include "airan/phy/modulation/transform_precoding.hpp"
#include "airan/phy/pusch/pusch_config.hpp"
#include "airan/phy/sequences/low_papr.hpp"

namespace airan::phy::detail {

static_assert(kFrontEndMaxLayers == kMaxPuschLayers && kFrontEndSymbols == kSymbolsPerSlot &&
              kFrontEndMaxDmrsSymbols == kMaxDmrsSymbols);

int transform_precoding_filter_index(int n_prb) {
  if (!validate_transform_precoding_prbs(n_prb)) return -1;
  int index = 0;
  for (int n = 1; n < n_prb; ++n) index += validate_transform_precoding_prbs(n) ? 1 : 0;
  return index;
}

int transform_precoding_filter_count(int max_prbs) {
  int count = 0;
  for (int n = 1; n <= max_prbs; ++n) count += validate_transform_precoding_prbs(n) ? 1 : 0;
  return count;
}

Status fill_ue_descriptor(const PuschPlan& plan, int bwp_grid_offset, int rx_ports, int grid_subcarriers,
                          int max_prbs, int max_layers, int max_modulation_order, bool mmse,
                          const ChannelEstimatorConfig& estimator, UeDescriptor& d) {
  return fill_ue_descriptor(plan, bwp_grid_offset, rx_ports, grid_subcarriers, max_prbs, max_layers,
                            max_modulation_order, mmse, estimator, false, d, nullptr);
}

Status fill_ue_descriptor(const PuschPlan& plan, int bwp_grid_offset, int rx_ports, int grid_subcarriers,
                          int max_prbs, int max_layers, int max_modulation_order, bool mmse,
                          const ChannelEstimatorConfig& estimator, bool transform_precoding_enabled,
                          UeDescriptor& d, ComplexF* tp_dmrs) {
  const PuschConfig& c = plan.config;
  if (c.transform_precoding && (!transform_precoding_enabled || tp_dmrs == nullptr)) {
    return Error{"transform precoding, but the front end was created without it (GpuPuschFrontEndConfig::"
                 "transform_precoding = false)"};
  }
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
  if (c.transform_precoding) {
    // The inverse DFT works on whole symbols of M = 12 rb_size REs: one layer and no data beside
    // the DMRS, as validate(PuschConfig) demands for transform precoding (checked again here, as
    // the kernels rely on it).
    const int m = plan.num_subcarriers();
    if (c.num_layers != 1 || d.dmrs_data_per_prb != 0 || plan.data_res % m != 0) {
      return Error{"transform precoding needs one layer and no data beside the DMRS (" + std::to_string(c.num_layers) +
                   " layers, " + std::to_string(d.dmrs_data_per_prb) + " data REs per PRB on DMRS symbols)"};
    }
    d.tp_filter = transform_precoding_filter_index(c.rb_size);
    if (d.tp_filter < 0) {
      return Error{"transform precoding: M_sc = " + std::to_string(m) + " is not 2^a 3^b 5^c"};
    }
    d.transform_precoding = 1;
    d.tp_blocks = plan.data_res / m;
    const int count = 6 * c.rb_size;
    const LowPaprGroup group = pusch_dmrs_sequence_group(
        LowPaprHoppingConfig{}, c.tp_dmrs_n_id.value_or(static_cast<std::uint16_t>(c.n_cell_id)), c.slot_number,
        plan.dmrs_symbols[0], kSymbolsPerSlot, count);
    std::array<Complex, 6 * kFrontEndMaxPrbs> sequence;
    low_papr_sequence_type1(group.u, group.v, 0.0, count, std::span(sequence).first(static_cast<std::size_t>(count)));
    for (int j = 0; j < count; ++j) tp_dmrs[j] = to_hd(sequence[j]);
  }
  return Status::ok();
}

}  // namespace airan::phy::detail
