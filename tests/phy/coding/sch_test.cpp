#include "airan/phy/coding/sch.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <vector>

#include "airan/phy/coding/llr.hpp"

namespace airan::phy {
namespace {

std::vector<std::uint8_t> random_bits(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::vector<std::uint8_t> bits(n);
  for (auto& b : bits) b = static_cast<std::uint8_t>(engine() & 1U);
  return bits;
}

// The largest single-block TBS whose segmentation picks each lifting size.
std::map<int, int> single_block_tbs_by_z(BaseGraph bg) {
  std::map<int, int> tbs_by_z;
  const int max_a = bg == BaseGraph::bg1 ? 8448 - 24 : 3840 - 24;
  for (int a = 1; a <= max_a; ++a) {
    auto seg = segment_transport_block(a, bg);
    if (seg && seg->num_blocks == 1) tbs_by_z[seg->z] = a;
  }
  return tbs_by_z;
}

struct RoundTripCase {
  BaseGraph bg;
  int z;
  int tbs;
  int rv;
};

std::vector<RoundTripCase> every_bg_z_rv() {
  std::vector<RoundTripCase> cases;
  for (BaseGraph bg : {BaseGraph::bg1, BaseGraph::bg2}) {
    for (const auto& [z, tbs] : single_block_tbs_by_z(bg)) {
      for (int rv = 0; rv < 4; ++rv) cases.push_back({bg, z, tbs, rv});
    }
  }
  return cases;
}

class SchEveryGraphAndRv : public ::testing::TestWithParam<RoundTripCase> {};

// One transmission of a random TB at each redundancy version; G = N so every rv covers the
// whole circular buffer once and decodes on its own.
TEST_P(SchEveryGraphAndRv, EncodeDecodeRoundTrip) {
  const RoundTripCase& p = GetParam();
  const auto seg = *segment_transport_block(p.tbs, p.bg);
  SchConfig config;
  config.tbs = p.tbs;
  config.base_graph = p.bg;
  config.rate_match = {.g = seg.n - seg.n % 2, .modulation_order = 2, .num_layers = 1, .rv = p.rv};
  auto plan = plan_sch(config);
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_EQ(plan->segmentation.z, p.z);

  const auto tb = random_bits(static_cast<std::size_t>(p.tbs), static_cast<std::uint64_t>(p.z * 4 + p.rv));
  std::vector<std::uint8_t> codeword(static_cast<std::size_t>(plan->g));
  SchEncoder encoder;
  ASSERT_TRUE(encoder.encode(*plan, tb, codeword));
  std::vector<Llr> llrs(codeword.size());
  bits_to_llrs(codeword, 16, llrs);

  auto decoder = *SchDecoder::create(LdpcDecoderConfig{});
  HarqSoftBuffer harq;
  std::vector<std::uint8_t> decoded(tb.size());
  auto result = decoder->decode(*plan, llrs, true, harq, decoded);
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->tb_crc_ok);
  EXPECT_EQ(decoded, tb);
}

INSTANTIATE_TEST_SUITE_P(Sch, SchEveryGraphAndRv, ::testing::ValuesIn(every_bg_z_rv()),
                         [](const auto& param_info) {
                           const RoundTripCase& c = param_info.param;
                           return std::string(to_string(c.bg)) + "_Z" + std::to_string(c.z) + "_rv" +
                                  std::to_string(c.rv);
                         });

TEST(Sch, EveryLiftingSizeIsReachableThroughBg1Segmentation) {
  EXPECT_EQ(single_block_tbs_by_z(BaseGraph::bg1).size(), kLiftingSizes.size());
}

TEST(Sch, MultiBlockTransportBlockWithCrcErrorsDetected) {
  SchConfig config;
  config.tbs = 100392;  // a TBS of TS 38.214 Table 5.1.3.2: 12 code blocks of BG1
  config.target_code_rate = 0.7;
  config.rate_match = {.g = 145152, .modulation_order = 6, .num_layers = 2, .rv = 0};
  auto plan = plan_sch(config);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(plan->segmentation.num_blocks, 12);
  const auto tb = random_bits(static_cast<std::size_t>(config.tbs), 8);
  std::vector<std::uint8_t> codeword(static_cast<std::size_t>(plan->g));
  SchEncoder encoder;
  ASSERT_TRUE(encoder.encode(*plan, tb, codeword));

  std::vector<Llr> llrs(codeword.size());
  bits_to_llrs(codeword, 16, llrs);
  // Replace block 5 by noise: only that block's CRC fails, and the TB CRC catches it.
  // (Zero LLRs would not do: the all-zero word is a codeword and passes CRC24B.)
  std::mt19937 engine(3);
  std::generate(llrs.begin() + plan->rate_match.offset(5), llrs.begin() + plan->rate_match.offset(6),
                [&] { return static_cast<Llr>(static_cast<int>(engine() % 17) - 8); });
  auto decoder = *SchDecoder::create(LdpcDecoderConfig{});
  HarqSoftBuffer harq;
  std::vector<std::uint8_t> decoded(tb.size());
  auto first = decoder->decode(*plan, llrs, true, harq, decoded);
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->tb_crc_ok);
  EXPECT_EQ(first->blocks_crc_ok, 11);

  // A retransmission (rv 3, which wraps around onto the systematic bits) fixes it; blocks
  // already decoded are not decoded again.
  config.rate_match.rv = 3;
  auto plan_rv3 = *plan_sch(config);
  ASSERT_TRUE(encoder.encode(plan_rv3, tb, codeword));
  bits_to_llrs(codeword, 16, llrs);
  auto second = decoder->decode(plan_rv3, llrs, false, harq, decoded);
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->tb_crc_ok);
  EXPECT_EQ(second->blocks_crc_ok, 12);
  EXPECT_EQ(second->max_iterations, second->mean_iterations);  // only block 5 was decoded
  EXPECT_EQ(decoded, tb);
}

// HARQ: at an SNR where one transmission fails, combining rv 0 and rv 2 succeeds.
TEST(Sch, HarqCombiningRecoversWhatOneTransmissionCannot) {
  SchConfig config;
  config.tbs = 8456;
  config.target_code_rate = 0.8;
  config.rate_match = {.g = 10560, .modulation_order = 2, .num_layers = 1, .rv = 0};
  auto decoder = *SchDecoder::create(LdpcDecoderConfig{});
  HarqSoftBuffer harq;
  const auto tb = random_bits(static_cast<std::size_t>(config.tbs), 21);
  std::vector<std::uint8_t> decoded(tb.size()), codeword(10560);
  SchEncoder encoder;
  std::mt19937_64 engine(5);
  std::normal_distribution<double> noise(0.0, 1.0);
  auto transmit = [&](int rv, bool new_data) {
    config.rate_match.rv = rv;
    auto plan = *plan_sch(config);
    EXPECT_TRUE(encoder.encode(plan, tb, codeword));
    // BPSK at Es/N0 = 1.5 dB (capacity about 0.62 bit): rate 0.81 alone fails, 0.40 combined decodes.
    // LLR = 2y / sigma^2 with sigma^2 = N0/2 = 10^(-0.15)/2.
    const double sigma2 = std::pow(10.0, -0.15) / 2.0;
    std::vector<float> soft(codeword.size());
    for (std::size_t i = 0; i < codeword.size(); ++i) {
      const double y = (codeword[i] ? -1.0 : 1.0) + std::sqrt(sigma2) * noise(engine);
      soft[i] = static_cast<float>(2.0 * y / sigma2);
    }
    std::vector<Llr> llrs(soft.size());
    quantize_llrs(soft, 4.0F, llrs);
    return *decoder->decode(plan, llrs, new_data, harq, decoded);
  };
  const SchDecodeResult first = transmit(0, true);
  EXPECT_FALSE(first.tb_crc_ok);
  const SchDecodeResult combined = transmit(2, false);
  EXPECT_TRUE(combined.tb_crc_ok);
  EXPECT_EQ(decoded, tb);
}

TEST(Sch, BadInputGetsErrorsNamingTheProblem) {
  SchConfig config;
  config.tbs = 20496;  // 3 code blocks of BG1
  config.target_code_rate = 0.5;
  config.rate_match = {.g = 10000, .modulation_order = 2, .num_layers = 1, .rv = 0};
  auto too_big = plan_sch(config);
  ASSERT_FALSE(too_big);
  EXPECT_NE(too_big.error().message.find("TBS=20496"), std::string::npos) << too_big.error().message;

  config.rate_match.g = 50000;
  config.target_code_rate = 1.5;
  auto bad_rate = plan_sch(config);
  ASSERT_FALSE(bad_rate);
  EXPECT_NE(bad_rate.error().message.find("code rate"), std::string::npos);

  config.target_code_rate = 0.5;
  auto plan = *plan_sch(config);
  SchEncoder encoder;
  std::vector<std::uint8_t> short_tb(100), codeword(50000);
  Status s = encoder.encode(plan, short_tb, codeword);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("TBS=20496"), std::string::npos);
  std::vector<std::uint8_t> tb(20496), short_codeword(10);
  ASSERT_FALSE(encoder.encode(plan, tb, short_codeword));

  auto decoder = *SchDecoder::create(LdpcDecoderConfig{});
  HarqSoftBuffer harq;
  std::vector<Llr> llrs(50000);
  auto retx = decoder->decode(plan, llrs, /*new_data=*/false, harq, tb);
  ASSERT_FALSE(retx);
  EXPECT_NE(retx.error().message.find("HARQ"), std::string::npos);
}

}  // namespace
}  // namespace airan::phy
