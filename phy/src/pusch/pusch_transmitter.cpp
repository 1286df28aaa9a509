#include "airan/phy/pusch/pusch_transmitter.hpp"

#include <fmt/format.h>

#include "airan/phy/coding/scrambling.hpp"
#include "airan/phy/mimo/precoding.hpp"
#include "airan/phy/modulation/modulation.hpp"
#include "airan/phy/modulation/transform_precoding.hpp"
#include "airan/phy/pusch/dmrs.hpp"

namespace airan::phy {

Status PuschTransmitter::transmit(const PuschPlan& plan, std::span<const std::uint8_t> tb_bits, ResourceGrid& grid) {
  const PuschConfig& c = plan.config;
  const int layers = c.num_layers;
  codeword_.resize(static_cast<std::size_t>(plan.g));
  if (Status s = encoder_.encode(plan.sch, tb_bits, codeword_); !s) return s;
  scramble_bits(plan.scrambling_c_init, codeword_);

  auto modulation = modulation_from_order(plan.modulation_order);
  if (!modulation) return modulation.error();
  symbols_.resize(static_cast<std::size_t>(plan.g / plan.modulation_order));
  modulate(*modulation, codeword_, symbols_);
  if (c.transform_precoding) {
    // Every data symbol of a transform-precoded PUSCH carries M = 12 * rb_size values (no data
    // beside the DMRS), so the codeword splits into whole DFT blocks.
    if (!transform_precoder_ || transform_precoder_->subcarriers() != plan.num_subcarriers()) {
      auto precoder = TransformPrecoder::create(c.rb_size);
      if (!precoder) return precoder.error();
      transform_precoder_.emplace(std::move(*precoder));
    }
    if (Status s = transform_precoder_->apply(symbols_, symbols_); !s) return s;
  }

  // Layers go to their own grid first when precoding mixes them onto the antenna ports.
  ResourceGrid& target = c.codebook_precoding ? layer_grid_ : grid;
  const int target_ports = c.codebook_precoding ? layers : c.num_antenna_ports;
  if (target.ports() != target_ports || target.symbols() != kSymbolsPerSlot ||
      target.subcarriers() != 12 * c.bwp_size) {
    target.resize(target_ports, kSymbolsPerSlot, 12 * c.bwp_size);
  } else {
    target.clear();
  }

  // Layer mapping (6.3.1.3): layer v carries symbols v, v + L, v + 2L, ...
  std::size_t re = 0;
  for_each_pusch_data_re(plan, [&](int l, int k) {
    for (int v = 0; v < layers; ++v) target.at(v, l, k) = symbols_[re * layers + v];
    ++re;
  });

  const DmrsLayout layout = dmrs_layout(c.dmrs.config_type);
  const int dmrs_res = layout.res_per_prb * c.rb_size;
  dmrs_.resize(static_cast<std::size_t>(dmrs_res));
  for (int s = 0; s < plan.num_dmrs_symbols; ++s) {
    for (int v = 0; v < layers; ++v) {
      generate_pusch_dmrs(plan, v, s, dmrs_);
      const int delta = dmrs_port_parameters(c.dmrs.config_type, c.dmrs.ports[v]).delta;
      const auto symbol = target.symbol(v, plan.dmrs_symbols[s]);
      for (int j = 0; j < dmrs_res; ++j) symbol[dmrs_subcarrier(plan, layout, delta, j)] = dmrs_[j];
    }
  }

  if (c.codebook_precoding) {
    auto w = pusch_codebook(c.num_antenna_ports, layers, c.tpmi, /*transform_precoding=*/false);
    if (!w) return w.error();
    if (grid.ports() != c.num_antenna_ports || grid.symbols() != kSymbolsPerSlot ||
        grid.subcarriers() != 12 * c.bwp_size) {
      grid.resize(c.num_antenna_ports, kSymbolsPerSlot, 12 * c.bwp_size);
    }
    // Both grids are [port][symbol][subcarrier] with equal symbol and subcarrier counts, which
    // is the layer-major / port-major layout precode() takes; empty REs stay empty.
    if (Status s = precode(*w, layer_grid_.data(), grid.data()); !s) return s;
  }
  return Status::ok();
}

}  // namespace airan::phy
