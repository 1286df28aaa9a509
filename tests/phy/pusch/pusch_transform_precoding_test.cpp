// PUSCH with transform precoding (DFT-s-OFDM): low-PAPR DMRS, DFT-spread data, decoding.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "airan/phy/pusch/dmrs.hpp"
#include "airan/phy/pusch/pusch_receiver.hpp"
#include "airan/phy/pusch/pusch_transmitter.hpp"
#include "airan/phy/sequences/low_papr.hpp"

namespace airan::phy {
namespace {

PuschConfig tp_config(int prbs, McsTable table, int mcs) {
  PuschConfig c;
  c.n_cell_id = 321;
  c.slot_number = 4;
  c.bwp_size = std::max(prbs, 10);
  c.rb_start = c.bwp_size - prbs;
  c.rb_size = prbs;
  c.transform_precoding = true;
  c.dmrs.config_type = 1;
  c.dmrs.num_cdm_groups_without_data = 2;
  c.dmrs.additional_position = 1;
  c.mcs_table = table;
  c.mcs_index = mcs;
  return c;
}

TEST(PuschTransformPrecoding, RoundTripOverAllocationSizes) {
  // 1..5 PRBs use the phi tables / the length-30 formula, the rest Zadoff-Chu sequences.
  for (int prbs : {1, 2, 3, 4, 5, 6, 12, 25, 50, 100, 270}) {
    for (McsTable table : {McsTable::tp_qam64, McsTable::qam256}) {
      const int mcs = table == McsTable::tp_qam64 ? 15 : 12;
      auto plan = plan_pusch(tp_config(prbs, table, mcs));
      ASSERT_TRUE(plan) << prbs << " PRBs: " << plan.error().message;
      std::mt19937_64 engine(static_cast<unsigned>(prbs));
      std::vector<std::uint8_t> tb(static_cast<std::size_t>(plan->tbs)), decoded(tb.size());
      for (auto& b : tb) b = static_cast<std::uint8_t>(engine() & 1U);
      PuschTransmitter tx;
      ResourceGrid grid;
      ASSERT_TRUE(tx.transmit(*plan, tb, grid));
      // AWGN at 30 dB.
      std::normal_distribution<float> noise(0.0F, std::sqrt(0.0005F));
      for (auto& x : grid.data()) x += Complex(noise(engine), noise(engine));
      auto rx = *PuschReceiver::create(PuschReceiverConfig{});
      HarqSoftBuffer harq;
      auto result = rx->receive(*plan, grid, true, harq, decoded);
      ASSERT_TRUE(result) << result.error().message;
      EXPECT_TRUE(result->tb_crc_ok) << prbs << " PRBs, table " << to_string(table);
      EXPECT_EQ(decoded, tb) << prbs << " PRBs";
      EXPECT_GT(result->sinr_db, 20.0) << prbs << " PRBs";
    }
  }
}

TEST(PuschTransformPrecoding, DmrsIsTheLowPaprSequence) {
  auto plan = *plan_pusch(tp_config(6, McsTable::tp_qam64, 5));
  std::vector<Complex> dmrs(36);
  generate_pusch_dmrs(plan, 0, 0, dmrs);
  std::vector<Complex> expected(36);
  low_papr_sequence_type1(321 % 30, 0, 0.0, 36, expected);
  for (int j = 0; j < 36; ++j) {
    // beta = sqrt(2) with two CDM groups without data; port 0 has w_f = w_t = +1.
    EXPECT_NEAR(std::abs(dmrs[j] - std::sqrt(2.0F) * expected[j]), 0.0F, 1e-5F) << j;
  }
}

TEST(PuschTransformPrecoding, DataIsDftSpreadQam) {
  // The grid holds the DFT of each symbol's QAM block: its inverse DFT is the QAM sequence
  // itself (constant modulus for QPSK), the single-carrier property that lowers the PAPR.
  auto plan = *plan_pusch(tp_config(25, McsTable::tp_qam64, 2));  // QPSK
  std::vector<std::uint8_t> tb(static_cast<std::size_t>(plan.tbs), 0);
  PuschTransmitter tx;
  ResourceGrid grid;
  ASSERT_TRUE(tx.transmit(plan, tb, grid));
  auto precoder = *TransformPrecoder::create(25);
  const int first = plan.first_subcarrier();
  std::vector<Complex> data(grid.symbol(0, 0).begin() + first, grid.symbol(0, 0).begin() + first + 300);
  std::vector<Complex> time(300);
  ASSERT_TRUE(precoder.apply_inverse(data, time));
  for (const Complex& x : time) EXPECT_NEAR(std::abs(x), 1.0F, 1e-4F);  // QPSK: constant modulus
}

TEST(PuschTransformPrecoding, InvalidConfigurationsAreErrors) {
  PuschConfig c = tp_config(7, McsTable::tp_qam64, 5);  // 84 = 2^2 * 3 * 7
  auto seven = plan_pusch(c);
  ASSERT_FALSE(seven);
  c = tp_config(6, McsTable::tp_qam64, 5);
  c.num_layers = 2;
  c.num_antenna_ports = 2;
  EXPECT_FALSE(plan_pusch(c));
  c = tp_config(6, McsTable::tp_qam64, 5);
  c.dmrs.config_type = 2;
  EXPECT_FALSE(plan_pusch(c));
  c = tp_config(6, McsTable::tp_qam64, 5);
  c.transform_precoding = false;
  auto no_tp = plan_pusch(c);
  ASSERT_FALSE(no_tp);
  EXPECT_NE(no_tp.error().message.find("transform"), std::string::npos);
}

}  // namespace
}  // namespace airan::phy
