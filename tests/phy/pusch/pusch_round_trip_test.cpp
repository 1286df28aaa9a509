// PUSCH transmitter -> (channel) -> PuschReceiver: random valid configurations decode to the
// transmitted transport block; HARQ combining; a TDL channel; receiver input errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "airan/phy/channel/channel_model.hpp"
#include "airan/phy/mimo/precoding.hpp"
#include "airan/phy/pusch/pusch_receiver.hpp"
#include "airan/phy/pusch/pusch_transmitter.hpp"

namespace airan::phy {
namespace {

std::string describe(const PuschConfig& c) {
  std::ostringstream s;
  s << "BWP " << c.bwp_start << "+" << c.bwp_size << " PRBs " << c.rb_start << "+" << c.rb_size << ", symbols "
    << c.start_symbol << "+" << c.num_symbols << " type " << (c.mapping_type == PuschMappingType::a ? "A" : "B")
    << ", " << c.num_layers << " layer(s) on " << c.num_antenna_ports << " port(s) "
    << (c.codebook_precoding ? "TPMI " + std::to_string(c.tpmi) : std::string("non-codebook")) << ", DMRS type "
    << c.dmrs.config_type << " length " << c.dmrs.length << " addpos " << c.dmrs.additional_position << " typeA-pos "
    << c.dmrs.type_a_position << " CDM " << c.dmrs.num_cdm_groups_without_data << " ports {";
  for (int v = 0; v < c.num_layers; ++v) s << (v ? "," : "") << c.dmrs.ports[v];
  s << "} n_scid " << c.dmrs.n_scid << " n_id " << c.dmrs.n_id[0] << "/" << c.dmrs.n_id[1] << ", " << to_string(c.mcs_table)
    << " MCS " << c.mcs_index << " xOh " << c.x_overhead << ", cell " << c.n_cell_id << " slot " << c.slot_number
    << " rnti " << c.rnti << " rv " << c.rv;
  return s.str();
}

int uniform(std::mt19937_64& e, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(e); }

// A random valid configuration. Case 0: the full 273-PRB band, whole slot, 4 layers of 256QAM
// MCS 27; case 1: one PRB; case 2: one PRB at the top of a 273-PRB BWP; cases 3 and 4 more
// full-band ones; otherwise BWPs up to 60 PRBs.
PuschConfig random_config(std::mt19937_64& e, int index) {
  PuschConfig c;
  c.numerology = 1;
  c.n_cell_id = uniform(e, 0, 1007);
  c.slot_number = uniform(e, 0, 19);
  c.rnti = static_cast<std::uint16_t>(uniform(e, 1, 65519));
  if (uniform(e, 0, 1)) c.data_scrambling_id = static_cast<std::uint16_t>(uniform(e, 0, 1023));

  if (index == 0 || index == 3 || index == 4) {
    c.bwp_size = 273;
    c.bwp_start = uniform(e, 0, 2);
    c.rb_start = 0;
    c.rb_size = 273;
  } else if (index == 1) {
    c.bwp_size = uniform(e, 1, 20);
    c.bwp_start = uniform(e, 1, 100);
    c.rb_size = 1;
    c.rb_start = uniform(e, 0, c.bwp_size - 1);
  } else if (index == 2) {
    c.bwp_size = 273;
    c.bwp_start = 2;
    c.rb_size = 1;
    c.rb_start = 272;
  } else {
    c.bwp_size = uniform(e, 1, 60);
    c.bwp_start = uniform(e, 0, 275 - c.bwp_size);
    c.rb_size = uniform(e, 1, c.bwp_size);
    c.rb_start = uniform(e, 0, c.bwp_size - c.rb_size);
  }

  // Layers and antenna ports.
  c.num_layers = index == 0 ? 4 : uniform(e, 1, 4);
  c.codebook_precoding = index % 4 == 3 || (index > 4 && uniform(e, 0, 4) == 0);
  if (c.codebook_precoding) {
    c.num_antenna_ports = c.num_layers > 2 ? 4 : (uniform(e, 0, 1) ? 2 : 4);
    auto size = pusch_codebook_size(c.num_antenna_ports, c.num_layers, false);
    c.tpmi = size ? uniform(e, 0, *size - 1) : 0;
  } else {
    c.num_antenna_ports = c.num_layers;
  }

  // DMRS.
  DmrsConfig& d = c.dmrs;
  d.config_type = uniform(e, 1, 2);
  d.length = uniform(e, 1, 2);
  d.type_a_position = uniform(e, 2, 3);
  d.additional_position = d.length == 2 ? uniform(e, 0, 1) : uniform(e, 0, d.type_a_position == 2 ? 3 : 2);
  d.n_scid = uniform(e, 0, 1);
  d.n_id = {static_cast<std::uint16_t>(uniform(e, 0, 65535)), static_cast<std::uint16_t>(uniform(e, 0, 65535))};
  const int max_groups = d.config_type == 1 ? 2 : 3;
  const int ports_per_group = 2 * d.length;
  d.num_cdm_groups_without_data = uniform(e, 1, max_groups);
  while (d.num_cdm_groups_without_data * ports_per_group < c.num_layers) ++d.num_cdm_groups_without_data;
  std::vector<int> candidates;
  const int max_port = (d.config_type == 1 ? 4 : 6) * d.length - 1;
  for (int p = 0; p <= max_port; ++p) {
    if (dmrs_port_parameters(d.config_type, p).cdm_group < d.num_cdm_groups_without_data) candidates.push_back(p);
  }
  std::shuffle(candidates.begin(), candidates.end(), e);
  d.ports = {0, 0, 0, 0};
  for (int v = 0; v < c.num_layers; ++v) d.ports[v] = candidates[v];

  // Time allocation (case 0: the whole slot).
  if (index == 0) {
    c.mapping_type = PuschMappingType::a;
    c.start_symbol = 0;
    c.num_symbols = 14;
  } else if (uniform(e, 0, 1) == 0) {
    c.mapping_type = PuschMappingType::a;
    c.start_symbol = uniform(e, 0, d.type_a_position);
    const int l_d = uniform(e, std::max(4, d.type_a_position + d.length), 14);
    c.num_symbols = l_d - c.start_symbol;
  } else {
    c.mapping_type = PuschMappingType::b;
    c.num_symbols = uniform(e, d.length == 2 ? 5 : 4, 14);
    c.start_symbol = uniform(e, 0, 14 - c.num_symbols);
  }

  // Modulation and coding.
  switch (uniform(e, 0, 2)) {
    case 0:
      c.mcs_table = McsTable::qam64;
      c.mcs_index = uniform(e, 0, 28);
      break;
    case 1:
      c.mcs_table = McsTable::qam256;
      c.mcs_index = uniform(e, 0, 27);
      break;
    default:
      c.mcs_table = McsTable::qam64_low_se;
      c.mcs_index = uniform(e, 0, 28);
      break;
  }
  c.x_overhead = uniform(e, 0, 3) == 0 ? 6 : 0;
  if (index == 0) {  // the largest transport block: 4 layers of 256QAM over 273 PRBs
    c.mcs_table = McsTable::qam256;
    c.mcs_index = 27;
    c.x_overhead = 0;
  }
  return c;
}

std::vector<std::uint8_t> random_bits(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 e(seed);
  std::vector<std::uint8_t> bits(n);
  for (auto& b : bits) b = static_cast<std::uint8_t>(e() & 1U);
  return bits;
}

Complex cn(std::mt19937_64& e) {
  std::normal_distribution<float> normal(0.0F, std::sqrt(0.5F));
  return {normal(e), normal(e)};
}

void add_noise(ResourceGrid& grid, double snr_db, std::uint64_t seed) {
  std::mt19937_64 e(seed);
  const float sigma = std::sqrt(static_cast<float>(std::pow(10.0, -snr_db / 10.0)));
  for (auto& x : grid.data()) x += sigma * cn(e);
}

// A flat random MIMO channel: CN(0, 1) per (rx port, tx port), the same on every RE, and AWGN.
ResourceGrid flat_mimo(const ResourceGrid& tx, int rx_ports, double snr_db, std::uint64_t seed) {
  std::mt19937_64 e(seed);
  std::vector<Complex> h(static_cast<std::size_t>(rx_ports) * tx.ports());
  for (auto& v : h) v = cn(e);
  ResourceGrid rx(rx_ports, tx.symbols(), tx.subcarriers());
  for (int r = 0; r < rx_ports; ++r) {
    for (int l = 0; l < tx.symbols(); ++l) {
      auto y = rx.symbol(r, l);
      for (int t = 0; t < tx.ports(); ++t) {
        const auto x = tx.symbol(t, l);
        const Complex g = h[static_cast<std::size_t>(r) * tx.ports() + t];
        for (std::size_t k = 0; k < y.size(); ++k) y[k] += g * x[k];
      }
    }
  }
  add_noise(rx, snr_db, seed + 1);
  return rx;
}

std::unique_ptr<PuschReceiver> make_receiver(EqualizerType type = EqualizerType::mmse) {
  PuschReceiverConfig config;
  config.equalizer = type;
  auto receiver = PuschReceiver::create(config);
  EXPECT_TRUE(receiver.has_value()) << (receiver ? "" : receiver.error().message);
  return std::move(*receiver);
}

// Decodes `rx` as a new transmission; returns "" on success, else what went wrong.
std::string decode(PuschReceiver& receiver, const PuschPlan& plan, const ResourceGrid& rx,
                   const std::vector<std::uint8_t>& tb) {
  HarqSoftBuffer harq;
  std::vector<std::uint8_t> decoded(tb.size(), 2);
  auto result = receiver.receive(plan, rx, true, harq, decoded);
  if (!result) return "receive error: " + result.error().message;
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < tb.size(); ++i) wrong += decoded[i] != tb[i];
  if (result->tb_crc_ok && wrong == 0) return "";
  std::ostringstream s;
  s << "TB CRC " << (result->tb_crc_ok ? "pass" : "FAIL") << ", " << wrong << " of " << tb.size()
    << " bits wrong, " << result->decode.blocks_crc_ok << "/" << result->decode.num_blocks << " CB CRC ok, SINR "
    << result->sinr_db << " dB, EVM " << result->evm_percent << " %, noise " << result->noise_variance;
  return s.str();
}

TEST(PuschRoundTrip, RandomConfigurations) {
  std::mt19937_64 engine(20261129);
  auto receiver = make_receiver();
  PuschTransmitter transmitter;
  ResourceGrid tx;
  constexpr int kCases = 40;
  for (int i = 0; i < kCases; ++i) {
    const PuschConfig config = random_config(engine, i);
    const std::string what = "case " + std::to_string(i) + ": " + describe(config);
    auto plan = plan_pusch(config);
    ASSERT_TRUE(plan.has_value()) << what << ": " << plan.error().message;
    const auto tb = random_bits(static_cast<std::size_t>(plan->tbs), engine());
    ASSERT_TRUE(transmitter.transmit(*plan, tb, tx)) << what;
    ASSERT_EQ(tx.ports(), config.num_antenna_ports) << what;
    ASSERT_EQ(tx.symbols(), 14) << what;
    ASSERT_EQ(tx.subcarriers(), 12 * config.bwp_size) << what;

    // Nothing outside the allocation is transmitted.
    for (int p = 0; p < tx.ports(); ++p) {
      for (int l = 0; l < 14; ++l) {
        const bool in_time = l >= config.start_symbol && l < config.start_symbol + config.num_symbols;
        for (int k = 0; k < tx.subcarriers(); ++k) {
          const bool inside = in_time && k >= plan->first_subcarrier() &&
                              k < plan->first_subcarrier() + plan->num_subcarriers();
          if (!inside) {
            ASSERT_EQ(tx.at(p, l, k), Complex{}) << what << " port " << p << " symbol " << l << " k " << k;
          }
        }
      }
    }

    const std::string clean = decode(*receiver, *plan, tx, tb);
    EXPECT_EQ(clean, "") << what << " (no channel)";
    const int rx_ports = 2 * config.num_layers;
    const ResourceGrid rx = flat_mimo(tx, rx_ports, 40.0, engine());
    const std::string mimo = decode(*receiver, *plan, rx, tb);
    EXPECT_EQ(mimo, "") << what << " (" << rx_ports << "x" << tx.ports() << " flat MIMO, 40 dB)";
  }
}

TEST(PuschRoundTrip, ZeroForcingDecodesToo) {
  std::mt19937_64 engine(7);
  auto receiver = make_receiver(EqualizerType::zf);
  PuschTransmitter transmitter;
  ResourceGrid tx;
  for (int i = 5; i < 15; ++i) {
    const PuschConfig config = random_config(engine, i);
    const std::string what = "case " + std::to_string(i) + ": " + describe(config);
    auto plan = plan_pusch(config);
    ASSERT_TRUE(plan.has_value()) << what << ": " << plan.error().message;
    const auto tb = random_bits(static_cast<std::size_t>(plan->tbs), engine());
    ASSERT_TRUE(transmitter.transmit(*plan, tb, tx)) << what;
    const ResourceGrid rx = flat_mimo(tx, 2 * config.num_layers, 40.0, engine());
    EXPECT_EQ(decode(*receiver, *plan, rx, tb), "") << what;
  }
}

PuschConfig harq_config(int rv) {
  PuschConfig c;
  c.bwp_size = 30;
  c.rb_start = 2;
  c.rb_size = 24;
  c.n_cell_id = 17;
  c.rnti = 4660;
  c.mcs_table = McsTable::qam64;
  c.mcs_index = 16;  // 16QAM, R = 658/1024
  c.dmrs.additional_position = 1;
  c.rv = rv;
  return c;
}

TEST(PuschRoundTrip, HarqCombiningRv0Rv2) {
  constexpr double kSnrDb = 5.0;  // below what rv 0 alone needs
  auto plan0 = plan_pusch(harq_config(0));
  auto plan2 = plan_pusch(harq_config(2));
  ASSERT_TRUE(plan0.has_value() && plan2.has_value());
  ASSERT_EQ(plan0->tbs, plan2->tbs);
  PuschTransmitter transmitter;
  auto receiver = make_receiver();
  for (int slot = 0; slot < 3; ++slot) {
    const auto tb = random_bits(static_cast<std::size_t>(plan0->tbs), 500 + slot);
    ResourceGrid tx0;
    ResourceGrid tx2;
    ASSERT_TRUE(transmitter.transmit(*plan0, tb, tx0));
    ASSERT_TRUE(transmitter.transmit(*plan2, tb, tx2));
    ResourceGrid rx0 = tx0;
    ResourceGrid rx2 = tx2;
    add_noise(rx0, kSnrDb, 1000 + slot);
    add_noise(rx2, kSnrDb, 2000 + slot);

    HarqSoftBuffer harq;
    std::vector<std::uint8_t> decoded(tb.size());
    auto first = receiver->receive(*plan0, rx0, true, harq, decoded);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_FALSE(first->tb_crc_ok) << "slot " << slot << ": rv 0 alone decodes at " << kSnrDb
                                   << " dB, the test needs a lower SNR";
    auto second = receiver->receive(*plan2, rx2, false, harq, decoded);
    ASSERT_TRUE(second.has_value()) << second.error().message;
    EXPECT_TRUE(second->tb_crc_ok) << "slot " << slot << ": rv 0 + rv 2 did not decode, "
                                   << second->decode.blocks_crc_ok << "/" << second->decode.num_blocks << " CBs";
    EXPECT_EQ(decoded, tb) << "slot " << slot;

    // new_data = true on the retransmission forgets rv 0: rv 2 alone must not do as well.
    HarqSoftBuffer fresh;
    std::vector<std::uint8_t> alone(tb.size());
    auto only2 = receiver->receive(*plan2, rx2, true, fresh, alone);
    ASSERT_TRUE(only2.has_value());
    EXPECT_FALSE(only2->tb_crc_ok) << "slot " << slot << ": rv 2 alone decodes at " << kSnrDb << " dB";
  }
}

TEST(PuschRoundTrip, TdlA30Channel) {
  for (int layers : {1, 2, 4}) {
    PuschConfig c;
    c.bwp_size = 60;
    c.rb_start = 4;
    c.rb_size = 52;
    c.n_cell_id = 500;
    c.slot_number = 3;
    c.num_layers = layers;
    c.num_antenna_ports = layers;
    c.dmrs.additional_position = 1;
    c.mcs_table = McsTable::qam64;
    c.mcs_index = 12;  // 16QAM, R = 434/1024
    auto plan = plan_pusch(c);
    ASSERT_TRUE(plan.has_value()) << plan.error().message;
    const auto tb = random_bits(static_cast<std::size_t>(plan->tbs), 42 + layers);
    PuschTransmitter transmitter;
    ResourceGrid tx;
    ASSERT_TRUE(transmitter.transmit(*plan, tb, tx));

    ChannelConfig cc;
    cc.profile = "tdla30";
    cc.tx_ports = layers;
    cc.rx_ports = 4;
    cc.seed = 9 + static_cast<std::uint64_t>(layers);
    auto channel = make_channel(cc);
    ASSERT_TRUE(channel.has_value()) << channel.error().message;
    ResourceGrid rx;
    ASSERT_TRUE((*channel)->apply(tx, rx, Numerology{}, c.slot_number));
    add_noise(rx, 30.0, 77);
    auto receiver = make_receiver();
    EXPECT_EQ(decode(*receiver, *plan, rx, tb), "") << "TDLA30, " << layers << " layer(s), 4 rx, 30 dB";
  }
}

TEST(PuschRoundTrip, ReceiverInputErrors) {
  PuschConfig c;
  c.bwp_size = 10;
  c.rb_size = 10;
  c.num_layers = 2;
  c.num_antenna_ports = 2;
  auto plan = plan_pusch(c);
  ASSERT_TRUE(plan.has_value());
  auto receiver = make_receiver();
  HarqSoftBuffer harq;
  std::vector<std::uint8_t> tb(static_cast<std::size_t>(plan->tbs));

  // Fewer receive ports than layers.
  ResourceGrid one(1, 14, 120);
  auto r = receiver->receive(*plan, one, true, harq, tb);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("receive ports"), std::string::npos) << r.error().message;

  // A TB buffer of the wrong size, one bit short and one bit long.
  ResourceGrid two(2, 14, 120);
  for (std::size_t n : {tb.size() - 1, tb.size() + 1}) {
    std::vector<std::uint8_t> wrong(n);
    r = receiver->receive(*plan, two, true, harq, wrong);
    ASSERT_FALSE(r.has_value()) << n;
    EXPECT_NE(r.error().message.find("TBS"), std::string::npos) << r.error().message;
  }

  // A grid of the wrong width (BWP of 10 PRBs).
  ResourceGrid narrow(2, 14, 108);
  r = receiver->receive(*plan, narrow, true, harq, tb);
  EXPECT_FALSE(r.has_value());

  // The transmitter rejects a TB of the wrong size.
  PuschTransmitter transmitter;
  ResourceGrid tx;
  std::vector<std::uint8_t> short_tb(tb.size() - 8);
  EXPECT_FALSE(transmitter.transmit(*plan, short_tb, tx));
}

}  // namespace
}  // namespace airan::phy
