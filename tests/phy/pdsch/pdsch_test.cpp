#include "airan/phy/pdsch/pdsch.hpp"

#include <gtest/gtest.h>

#include <random>

#include "airan/phy/coding/scrambling.hpp"
#include "airan/phy/pusch/pusch_receiver.hpp"

namespace airan::phy {
namespace {

PdschConfig config_with(int layers, int dmrs_type, McsTable table, int mcs) {
  PdschConfig c;
  c.n_cell_id = 77;
  c.slot_number = 3;
  c.bwp_size = 51;
  c.rb_size = 51;
  c.rnti = 0x1234;
  c.num_layers = layers;
  c.dmrs.config_type = dmrs_type;
  c.dmrs.num_cdm_groups_without_data = 2;
  c.mcs_table = table;
  c.mcs_index = mcs;
  return c;
}

TEST(Pdsch, TransmitsAndTheSharedReceiverDecodes) {
  for (int layers = 1; layers <= 4; ++layers) {
    for (int type = 1; type <= 2; ++type) {
      auto plan = plan_pdsch(config_with(layers, type, McsTable::qam256, 20));
      ASSERT_TRUE(plan) << plan.error().message;
      std::mt19937_64 engine(static_cast<unsigned>(layers * 10 + type));
      std::vector<std::uint8_t> tb(static_cast<std::size_t>(plan->tbs));
      for (auto& b : tb) b = static_cast<std::uint8_t>(engine() & 1U);
      PdschTransmitter tx;
      ResourceGrid grid;
      ASSERT_TRUE(tx.transmit(*plan, tb, grid));
      EXPECT_EQ(grid.ports(), layers);
      auto rx = *PuschReceiver::create(PuschReceiverConfig{});
      HarqSoftBuffer harq;
      std::vector<std::uint8_t> decoded(tb.size());
      auto result = rx->receive(*plan, grid, true, harq, decoded);
      ASSERT_TRUE(result) << result.error().message;
      EXPECT_TRUE(result->tb_crc_ok) << layers << " layers, DMRS type " << type;
      EXPECT_EQ(decoded, tb);
    }
  }
}

TEST(Pdsch, ScramblingUsesTheDownlinkInitialisation) {
  PdschConfig c = config_with(1, 1, McsTable::qam64, 10);
  c.data_scrambling_id = 500;
  auto plan = plan_pdsch(c);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->scrambling_c_init, pdsch_scrambling_init(0x1234, 0, 500));
}

TEST(Pdsch, ValidationNamesTheField) {
  PdschConfig c = config_with(5, 1, McsTable::qam64, 10);
  auto five = plan_pdsch(c);
  ASSERT_FALSE(five);
  EXPECT_NE(five.error().message.find("num_layers=5"), std::string::npos);
  c = config_with(1, 1, McsTable::qam64, 10);
  c.start_symbol = 4;
  EXPECT_NE(plan_pdsch(c).error().message.find("start_symbol"), std::string::npos);
  c = config_with(1, 1, McsTable::qam64, 10);
  c.codeword = 1;
  EXPECT_NE(plan_pdsch(c).error().message.find("codeword=1"), std::string::npos);
}

}  // namespace
}  // namespace airan::phy
