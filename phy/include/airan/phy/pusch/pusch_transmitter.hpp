// PUSCH transmitter (the UE side, for test-vector generation and simulation), TS 38.211 6.3.1
// and 6.4.1.1: TB -> UL-SCH coding -> scrambling -> modulation -> layer mapping -> DMRS ->
// resource mapping -> (codebook) precoding -> grid [antenna port][symbol][BWP subcarrier].
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "airan/phy/coding/sch.hpp"
#include "airan/phy/modulation/transform_precoding.hpp"
#include "airan/phy/pusch/pusch_config.hpp"
#include "airan/phy/resource_grid.hpp"

namespace airan::phy {

// Calls fn(symbol, subcarrier) for every data RE of one layer, in the mapping order of
// 6.3.1.6 (frequency first, then time); subcarrier is relative to the BWP.
template <typename Fn>
void for_each_pusch_data_re(const PuschPlan& plan, Fn&& fn) {
  const PuschConfig& c = plan.config;
  for (int l = c.start_symbol; l < c.start_symbol + c.num_symbols; ++l) {
    const int first = plan.first_subcarrier();
    if (!plan.is_dmrs_symbol[l]) {
      for (int k = first; k < first + plan.num_subcarriers(); ++k) fn(l, k);
      continue;
    }
    for (int prb = 0; prb < c.rb_size; ++prb) {
      for (int k = 0; k < 12; ++k) {
        if ((plan.dmrs_symbol_data_mask >> k) & 1U) fn(l, first + 12 * prb + k);
      }
    }
  }
}

class PuschTransmitter {
 public:
  // tb_bits: plan.tbs unpacked bits. The grid is resized to
  // (antenna ports, 14, 12 * bwp_size) when its shape differs, and overwritten.
  Status transmit(const PuschPlan& plan, std::span<const std::uint8_t> tb_bits, ResourceGrid& grid);

 private:
  SchEncoder encoder_;
  std::vector<std::uint8_t> codeword_;
  std::vector<Complex> symbols_;
  std::vector<Complex> dmrs_;
  ResourceGrid layer_grid_;
  std::optional<TransformPrecoder> transform_precoder_;  // made for the first transform-precoded slot
};

}  // namespace airan::phy
