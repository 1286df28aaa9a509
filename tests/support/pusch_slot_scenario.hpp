// A multi-UE uplink slot for the slot-receiver tests (CPU backend, GPU chain emulation, GPU):
// UEs of 1, 2 and 4 layers with different modulations, code-block counts and BWP offsets in one
// cell grid of 4 receive ports, each through its own random flat MIMO channel with a small
// delay, plus AWGN. Header-only; deterministic per seed.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "airan/phy/pusch/pusch_config.hpp"
#include "airan/phy/pusch/pusch_slot_receiver.hpp"
#include "airan/phy/pusch/pusch_transmitter.hpp"
#include "airan/phy/resource_grid.hpp"
#include "random_channel.hpp"

namespace airan::phy::test {

struct SlotUeSpec {
  int layers;
  McsTable table;
  int mcs;
  int bwp_start_prb;  // in the cell grid
  int bwp_size;
  int rb_start;       // in the BWP
  int rb_size;
  int rv = 0;
  bool transform_precoding = false;  // DFT-s-OFDM: one layer, no data beside the DMRS
};

struct PuschSlotScenario {
  int rx_ports = 4;
  int cell_prbs = 0;
  std::vector<PuschPlan> plans;
  std::vector<int> bwp_start_prb;
  std::vector<std::vector<std::uint8_t>> tbs;  // transmitted
  ResourceGrid grid;                            // received, [rx][14][12 * cell_prbs]

  // Slot UEs over `decoded` (resized to the TBs), HARQ process u + harq_base for UE u.
  std::vector<PuschSlotUe> slot_ues(std::vector<std::vector<std::uint8_t>>& decoded, bool new_data = true,
                                    int harq_base = 0) const {
    decoded.assign(plans.size(), {});
    std::vector<PuschSlotUe> ues;
    for (std::size_t u = 0; u < plans.size(); ++u) {
      decoded[u].assign(static_cast<std::size_t>(plans[u].tbs), 2);
      ues.push_back({&plans[u], bwp_start_prb[u], new_data, static_cast<int>(u) + harq_base, decoded[u]});
    }
    return ues;
  }
};

inline std::vector<SlotUeSpec> default_slot_ues() {
  return {
      {1, McsTable::qam64, 20, 0, 106, 0, 40},     // 64QAM, several code blocks
      {2, McsTable::qam64, 12, 10, 96, 30, 30},    // 16QAM, BWP 10 PRBs into the grid
      {4, McsTable::qam256, 2, 10, 96, 84, 6},     // QPSK, one code block, CRC16
  };
}

inline PuschSlotScenario make_pusch_slot(std::uint64_t seed, const std::vector<SlotUeSpec>& specs,
                                         double snr_db = 28.0, int cell_prbs = 106,
                                         const std::vector<std::vector<std::uint8_t>>* tbs = nullptr) {
  std::mt19937_64 e(seed);
  PuschSlotScenario s;
  s.cell_prbs = cell_prbs;
  s.grid.resize(s.rx_ports, kSymbolsPerSlot, 12 * cell_prbs);
  for (std::size_t u = 0; u < specs.size(); ++u) {
    const SlotUeSpec& spec = specs[u];
    PuschConfig c;
    c.n_cell_id = 77;
    c.slot_number = 3;
    c.bwp_start = spec.bwp_start_prb;
    c.bwp_size = spec.bwp_size;
    c.rb_start = spec.rb_start;
    c.rb_size = spec.rb_size;
    c.rnti = static_cast<std::uint16_t>(0x4601 + u);
    c.num_layers = spec.layers;
    c.num_antenna_ports = spec.layers;
    c.dmrs.config_type = 1;
    c.dmrs.additional_position = 1;
    c.dmrs.num_cdm_groups_without_data = spec.layers > 2 || spec.transform_precoding ? 2 : 1;
    c.transform_precoding = spec.transform_precoding;
    c.mcs_table = spec.table;
    c.mcs_index = spec.mcs;
    c.rv = spec.rv;
    auto plan = plan_pusch(c);
    EXPECT_TRUE(plan.has_value()) << (plan ? "" : plan.error().message);
    if (!plan) return s;
    s.plans.push_back(*plan);
    s.bwp_start_prb.push_back(spec.bwp_start_prb);
    std::vector<std::uint8_t> tb(static_cast<std::size_t>(plan->tbs));
    if (tbs != nullptr) {
      tb = (*tbs)[u];
    } else {
      for (auto& bit : tb) bit = static_cast<std::uint8_t>(e() & 1U);
    }
    s.tbs.push_back(tb);
    PuschTransmitter transmitter;
    ResourceGrid tx;
    EXPECT_TRUE(transmitter.transmit(*plan, tb, tx).is_ok());
    add_through_random_channel(tx, spec.layers, s.grid, 12 * spec.bwp_start_prb, e, 0.02,
                               static_cast<float>(1.0 / std::sqrt(spec.layers)));
  }
  add_awgn(s.grid, snr_db, e);
  return s;
}

inline PuschSlotReceiverConfig slot_receiver_config(int cell_prbs = 106) {
  PuschSlotReceiverConfig config;
  config.limits.max_prbs = cell_prbs;
  config.limits.grid_prbs = cell_prbs;
  config.limits.max_layers = 4;
  config.limits.max_rx_ports = 4;
  config.limits.max_ues = 4;
  config.limits.max_modulation_order = 8;
  config.harq_processes = 8;
  return config;
}

}  // namespace airan::phy::test
