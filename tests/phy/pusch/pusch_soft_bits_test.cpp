// PuschReceiver::soft_bits: the descrambled natural-unit LLRs before rate recovery (what the
// GPU front end is compared with) carry the encoded codeword at high SNR.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "airan/phy/pusch/pusch_receiver.hpp"
#include "airan/phy/pusch/pusch_transmitter.hpp"

namespace airan::phy {
namespace {

Complex cn(std::mt19937_64& e) {
  std::normal_distribution<float> normal(0.0F, std::sqrt(0.5F));
  return {normal(e), normal(e)};
}

TEST(PuschSoftBits, SignsAreTheCodewordAtHighSnr) {
  for (int layers = 1; layers <= 4; ++layers) {
    PuschConfig c;
    c.bwp_size = 24;
    c.rb_size = 20;
    c.rb_start = 2;
    c.num_layers = layers;
    c.num_antenna_ports = layers;
    c.mcs_table = McsTable::qam256;
    c.mcs_index = 5 + 5 * layers;
    c.rnti = static_cast<std::uint16_t>(1000 + layers);
    auto plan = plan_pusch(c);
    ASSERT_TRUE(plan.has_value()) << plan.error().message;
    std::mt19937_64 e(static_cast<std::uint64_t>(layers));
    std::vector<std::uint8_t> tb(static_cast<std::size_t>(plan->tbs));
    for (auto& b : tb) b = static_cast<std::uint8_t>(e() & 1U);
    std::vector<std::uint8_t> codeword(static_cast<std::size_t>(plan->g));
    SchEncoder encoder;
    ASSERT_TRUE(encoder.encode(plan->sch, tb, codeword).is_ok());
    PuschTransmitter transmitter;
    ResourceGrid tx;
    ASSERT_TRUE(transmitter.transmit(*plan, tb, tx).is_ok());
    // 4 receive ports, a flat random channel, 40 dB SNR.
    const int rx_ports = 4;
    std::vector<Complex> h(static_cast<std::size_t>(rx_ports * layers));
    for (auto& v : h) v = cn(e);
    ResourceGrid rx(rx_ports, kSymbolsPerSlot, tx.subcarriers());
    const float sigma = 0.01F;
    for (int r = 0; r < rx_ports; ++r) {
      for (int l = 0; l < kSymbolsPerSlot; ++l) {
        for (int k = 0; k < tx.subcarriers(); ++k) {
          Complex y = sigma * cn(e);
          for (int t = 0; t < layers; ++t) y += h[static_cast<std::size_t>(r * layers + t)] * tx.at(t, l, k);
          rx.at(r, l, k) = y;
        }
      }
    }
    auto receiver = PuschReceiver::create(PuschReceiverConfig{});
    ASSERT_TRUE(receiver.has_value());
    std::vector<float> llrs(static_cast<std::size_t>(plan->g));
    ASSERT_TRUE((*receiver)->soft_bits(*plan, rx, llrs).is_ok());
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < llrs.size(); ++i) wrong += (llrs[i] < 0.0F ? 1 : 0) != codeword[i];
    EXPECT_EQ(wrong, 0U) << layers << " layers";

    std::vector<float> short_buffer(llrs.size() - 1);
    const Status wrong_size = (*receiver)->soft_bits(*plan, rx, short_buffer);
    ASSERT_FALSE(wrong_size.is_ok());
    EXPECT_NE(wrong_size.message().find("LLR buffer"), std::string::npos) << wrong_size.message();
  }
}

}  // namespace
}  // namespace airan::phy
