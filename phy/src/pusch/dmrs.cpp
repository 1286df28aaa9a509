#include "airan/phy/pusch/dmrs.hpp"

#include <array>
#include <cassert>
#include <cmath>

#include "airan/phy/coding/scrambling.hpp"
#include "airan/phy/detail/transform_precoding_math.hpp"
#include "airan/phy/sequences/low_papr.hpp"

namespace airan::phy {

std::uint32_t pusch_dmrs_c_init(int slot_number, int symbol, std::uint16_t n_id, int n_scid) {
  const std::uint64_t symbol_term = static_cast<std::uint64_t>(kSymbolsPerSlot) * slot_number + symbol + 1;
  const std::uint64_t value =
      (symbol_term * (2ULL * n_id + 1) << 17) + 2ULL * n_id + static_cast<std::uint64_t>(n_scid);
  return static_cast<std::uint32_t>(value % (1ULL << 31));
}

DmrsLayout dmrs_layout(int config_type) { return config_type == 1 ? DmrsLayout{6, 4, 2} : DmrsLayout{4, 6, 1}; }

void generate_pusch_dmrs(const PuschPlan& plan, int layer, int dmrs_index, std::span<Complex> values) {
  const PuschConfig& c = plan.config;
  const DmrsLayout layout = dmrs_layout(c.dmrs.config_type);
  const int count = layout.res_per_prb * c.rb_size;
  assert(static_cast<int>(values.size()) == count);
  const int symbol = plan.dmrs_symbols[dmrs_index];
  const int l_prime = plan.dmrs_l_prime[dmrs_index];
  const DmrsPortParameters port = dmrs_port_parameters(c.dmrs.config_type, c.dmrs.ports[layer]);

  const float scale = static_cast<float>(plan.beta_dmrs) * static_cast<float>(port.w_t[l_prime]);
  if (c.transform_precoding) {
    // 6.4.1.1.1.2: a type-1 low-PAPR sequence of length M_ZC = 6 * rb_size (delta = 1, alpha = 0)
    // counted from the allocation's first subcarrier; no group or sequence hopping.
    std::array<Complex, 6 * 275> sequence;
    const LowPaprGroup group = pusch_dmrs_sequence_group(
        LowPaprHoppingConfig{}, c.tp_dmrs_n_id.value_or(static_cast<std::uint16_t>(c.n_cell_id)), c.slot_number,
        symbol, kSymbolsPerSlot, count);
    low_papr_sequence_type1(group.u, group.v, 0.0, count, std::span(sequence).first(static_cast<std::size_t>(count)));
    // (the GPU front end's LS kernel forms the same values with the same function)
    for (int j = 0; j < count; ++j) {
      values[j] = detail::from_hd(detail::low_papr_dmrs_value(static_cast<float>(plan.beta_dmrs), port.w_t[l_prime],
                                                              port.w_f[j % 2], detail::to_hd(sequence[j])));
    }
    return;
  }

  // The sequence index m = 2n + k' counts from subcarrier 0 of CRB 0, so the allocation's first
  // DMRS RE has m = res_per_prb * (first CRB of the allocation).
  const int m_first = layout.res_per_prb * (c.bwp_start + c.rb_start);
  constexpr int kMaxSequenceBits = 2 * 6 * 275;
  std::array<std::uint8_t, kMaxSequenceBits> c_bits;
  const int bits = 2 * (m_first + count);
  assert(bits <= kMaxSequenceBits);
  gold_sequence(pusch_dmrs_c_init(c.slot_number, symbol, c.dmrs.n_id[c.dmrs.n_scid], c.dmrs.n_scid),
                std::span(c_bits).first(bits));

  const float qpsk_scale = scale / std::sqrt(2.0F);
  for (int j = 0; j < count; ++j) {
    const int m = m_first + j;
    const float w = qpsk_scale * static_cast<float>(port.w_f[j % 2]);
    values[j] = {w * (1.0F - 2.0F * c_bits[2 * m]), w * (1.0F - 2.0F * c_bits[2 * m + 1])};
  }
}

}  // namespace airan::phy
