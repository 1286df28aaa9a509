// MMSE-IRC: a strong co-channel interferer through its own channel is rejected by whitening
// with the estimated noise-plus-interference covariance; plain MMSE treats it as white noise.
#include <gtest/gtest.h>

#include <random>

#include "airan/phy/pusch/pusch_receiver.hpp"
#include "airan/phy/pusch/pusch_transmitter.hpp"

namespace airan::phy {
namespace {

struct Outcome {
  bool crc_ok;
  double sinr_db;
};

Outcome receive_with(bool irc, const PuschPlan& plan, const ResourceGrid& grid, const std::vector<std::uint8_t>& tb) {
  PuschReceiverConfig config;
  config.interference_rejection = irc;
  auto receiver = *PuschReceiver::create(config);
  HarqSoftBuffer harq;
  std::vector<std::uint8_t> decoded(tb.size());
  auto result = receiver->receive(plan, grid, true, harq, decoded);
  EXPECT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->tb_crc_ok, decoded == tb) << "CRC " << result->tb_crc_ok << ", iterations "
                                               << result->decode.max_iterations << ", EVM " << result->evm_percent;
  return {result->tb_crc_ok && decoded == tb, result->sinr_db};
}

TEST(PuschIrc, RejectsAStrongInterfererThatDefeatsPlainMmse) {
  PuschConfig config;
  config.bwp_size = 24;
  config.rb_size = 24;
  config.mcs_table = McsTable::qam64;
  config.mcs_index = 16;  // 16QAM R = 0.64
  config.dmrs.num_cdm_groups_without_data = 2;
  auto plan = *plan_pusch(config);
  std::mt19937_64 engine(9);
  std::vector<std::uint8_t> tb(static_cast<std::size_t>(plan.tbs));
  for (auto& b : tb) b = static_cast<std::uint8_t>(engine() & 1U);
  PuschTransmitter tx;
  ResourceGrid desired;
  ASSERT_TRUE(tx.transmit(plan, tb, desired));

  constexpr int kRx = 4;
  std::normal_distribution<float> normal(0.0F, std::sqrt(0.5F));
  auto random_channel = [&] {
    std::vector<Complex> h(kRx);
    for (auto& x : h) x = {normal(engine), normal(engine)};
    return h;
  };
  const auto h_desired = random_channel();
  const auto h_interferer = random_channel();
  // Interferer 3 dB stronger than the desired signal, noise 30 dB below it.
  const float interferer_amplitude = std::sqrt(2.0F);
  const float noise_sigma = std::sqrt(0.001F);
  ResourceGrid rx(kRx, desired.symbols(), desired.subcarriers());
  for (int l = 0; l < desired.symbols(); ++l) {
    for (int k = 0; k < desired.subcarriers(); ++k) {
      const Complex interference = interferer_amplitude * Complex(normal(engine), normal(engine));
      for (int r = 0; r < kRx; ++r) {
        rx.at(r, l, k) = h_desired[r] * desired.at(0, l, k) + h_interferer[r] * interference +
                         noise_sigma * Complex(normal(engine), normal(engine));
      }
    }
  }
  const Outcome mmse = receive_with(false, plan, rx, tb);
  const Outcome irc = receive_with(true, plan, rx, tb);
  EXPECT_FALSE(mmse.crc_ok) << "plain MMSE at SINR " << mmse.sinr_db << " dB";
  EXPECT_TRUE(irc.crc_ok) << "MMSE-IRC at SINR " << irc.sinr_db << " dB";
  EXPECT_GT(irc.sinr_db, mmse.sinr_db + 10.0);
}

TEST(PuschIrc, MatchesMmseWithoutInterference) {
  PuschConfig config;
  config.bwp_size = 12;
  config.rb_size = 12;
  config.num_layers = 2;
  config.num_antenna_ports = 2;
  config.mcs_index = 10;
  config.dmrs.num_cdm_groups_without_data = 2;
  auto plan = *plan_pusch(config);
  std::vector<std::uint8_t> tb(static_cast<std::size_t>(plan.tbs), 1);
  PuschTransmitter tx;
  ResourceGrid grid;
  ASSERT_TRUE(tx.transmit(plan, tb, grid));
  std::mt19937_64 engine(3);
  std::normal_distribution<float> normal(0.0F, std::sqrt(0.005F));
  for (auto& x : grid.data()) x += Complex(normal(engine), normal(engine));
  const Outcome mmse = receive_with(false, plan, grid, tb);
  const Outcome irc = receive_with(true, plan, grid, tb);
  EXPECT_TRUE(mmse.crc_ok) << mmse.sinr_db;
  EXPECT_TRUE(irc.crc_ok) << irc.sinr_db;
  EXPECT_NEAR(irc.sinr_db, mmse.sinr_db, 1.5);
}

}  // namespace
}  // namespace airan::phy
