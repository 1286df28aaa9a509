#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "airan/phy/coding/ldpc_decoder.hpp"
#include "airan/phy/coding/ldpc_encoder.hpp"
#include "airan/phy/coding/ldpc_graph.hpp"
#include "airan/phy/coding/llr.hpp"

namespace airan::phy {
namespace {

struct GraphCase {
  BaseGraph bg;
  int z;
};

std::vector<GraphCase> all_graphs() {
  std::vector<GraphCase> cases;
  for (BaseGraph bg : {BaseGraph::bg1, BaseGraph::bg2}) {
    for (int z : kLiftingSizes) cases.push_back({bg, z});
  }
  return cases;
}

std::string graph_name(const ::testing::TestParamInfo<GraphCase>& info) {
  return std::string(to_string(info.param.bg)) + "_Z" + std::to_string(info.param.z);
}

std::vector<std::uint8_t> random_bits(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::vector<std::uint8_t> bits(n);
  for (auto& b : bits) b = static_cast<std::uint8_t>(engine() & 1U);
  return bits;
}

// Noisy soft bits: +-amplitude plus Gaussian noise, quantized like a demapper would.
std::vector<Llr> noisy_llrs(const std::vector<std::uint8_t>& bits, double amplitude, double sigma,
                            std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::normal_distribution<double> noise(0.0, sigma);
  std::vector<float> soft(bits.size());
  for (std::size_t i = 0; i < bits.size(); ++i) {
    soft[i] = static_cast<float>((bits[i] ? -amplitude : amplitude) + noise(engine));
  }
  std::vector<Llr> out(bits.size());
  quantize_llrs(soft, 1.0F, out);
  return out;
}

class LdpcEveryGraph : public ::testing::TestWithParam<GraphCase> {
 protected:
  const LdpcGraph& graph() const { return **ldpc_graph(GetParam().bg, GetParam().z); }
};

// H x = 0 checked directly on the lifted parity-check matrix of the base-graph tables.
TEST_P(LdpcEveryGraph, EncoderOutputSatisfiesEveryParityCheck) {
  const LdpcGraph& g = graph();
  const int z = g.z;
  const auto c = random_bits(static_cast<std::size_t>(g.info_bits()), static_cast<std::uint64_t>(z) * 7 + 1);
  std::vector<std::uint8_t> d(static_cast<std::size_t>(g.codeword_bits()));
  ldpc_encode(g, c, d);
  std::vector<std::uint8_t> x(c.begin(), c.begin() + 2 * z);
  x.insert(x.end(), d.begin(), d.end());
  ASSERT_EQ(x.size(), static_cast<std::size_t>(g.shape.cols * z));
  for (int row = 0; row < g.shape.rows; ++row) {
    for (int r = 0; r < z; ++r) {
      int parity = 0;
      for (const LdpcEdge& e : g.row(row)) parity ^= x[e.col * z + (r + e.shift) % z];
      ASSERT_EQ(parity, 0) << "row " << row << " check " << r;
    }
  }
  // Systematic: d starts with c_{2Z}..c_{K-1}.
  EXPECT_TRUE(std::equal(c.begin() + 2 * z, c.end(), d.begin()));
}

TEST_P(LdpcEveryGraph, ShortOutputComputesOnlyNeededRows) {
  const LdpcGraph& g = graph();
  const auto c = random_bits(static_cast<std::size_t>(g.info_bits()), 99);
  std::vector<std::uint8_t> full(static_cast<std::size_t>(g.codeword_bits()));
  ldpc_encode(g, c, full);
  std::vector<std::uint8_t> part(static_cast<std::size_t>(g.info_bits() + 3 * g.z));
  ldpc_encode(g, c, part);
  EXPECT_TRUE(std::equal(part.begin(), part.end(), full.begin()));
}

TEST_P(LdpcEveryGraph, DecodesCleanAndNoisyCodewords) {
  const LdpcGraph& g = graph();
  const auto c = random_bits(static_cast<std::size_t>(g.info_bits()), static_cast<std::uint64_t>(g.z) + 5);
  // Rate about 1/2: info columns plus as many parity columns.
  const int transmitted = std::min(g.codeword_bits(), 2 * g.info_bits() - 2 * g.z);
  std::vector<std::uint8_t> d(static_cast<std::size_t>(transmitted));
  ldpc_encode(g, c, d);
  auto decoder = *create_ldpc_decoder(LdpcDecoderConfig{});
  std::vector<std::uint8_t> decoded(c.size());

  std::vector<Llr> clean(d.size());
  bits_to_llrs(d, 20, clean);
  const LdpcDecoderResult r1 = decoder->decode(g, clean, decoded);
  EXPECT_TRUE(r1.parity_ok);
  EXPECT_EQ(decoded, c);

  // BPSK at Es/N0 = 2 dB: about 5 dB above the rate-1/2 capacity limit, ample even for K = 44.
  const auto noisy = noisy_llrs(d, 8.0, 4.5, 17);
  const LdpcDecoderResult r2 = decoder->decode(g, noisy, decoded);
  EXPECT_TRUE(r2.parity_ok);
  EXPECT_EQ(decoded, c);
}

// The portable and AVX2 decoders run the same integer algorithm: identical outputs.
TEST_P(LdpcEveryGraph, PortableAndAvx2DecodersAgree) {
  if (!cpu_isa_available(CpuIsa::avx2)) GTEST_SKIP() << "AVX2 not available on this machine";
  const LdpcGraph& g = graph();
  const auto c = random_bits(static_cast<std::size_t>(g.info_bits()), 3);
  const int transmitted = std::min(g.codeword_bits(), g.info_bits() + 2 * g.z);
  std::vector<std::uint8_t> d(static_cast<std::size_t>(transmitted));
  ldpc_encode(g, c, d);
  const auto noisy = noisy_llrs(d, 6.0, 7.0, 23);  // hard: some blocks fail, both must fail alike
  LdpcDecoderConfig config;
  config.max_iterations = 8;
  auto generic = *create_ldpc_decoder(config, CpuIsa::generic);
  auto avx2 = *create_ldpc_decoder(config, CpuIsa::avx2);
  std::vector<std::uint8_t> out_generic(c.size()), out_avx2(c.size());
  const LdpcDecoderResult rg = generic->decode(g, noisy, out_generic);
  const LdpcDecoderResult ra = avx2->decode(g, noisy, out_avx2);
  EXPECT_EQ(out_generic, out_avx2);
  EXPECT_EQ(rg.iterations, ra.iterations);
  EXPECT_EQ(rg.parity_ok, ra.parity_ok);
}

INSTANTIATE_TEST_SUITE_P(Ldpc, LdpcEveryGraph, ::testing::ValuesIn(all_graphs()), graph_name);

TEST(LdpcDecoder, EarlyStopAndIterationLimit) {
  const LdpcGraph& g = **ldpc_graph(BaseGraph::bg1, 384);
  const auto c = random_bits(8448, 1);
  std::vector<std::uint8_t> d(static_cast<std::size_t>(g.info_bits() + 4 * 384));
  ldpc_encode(g, c, d);
  std::vector<Llr> clean(d.size());
  bits_to_llrs(d, 30, clean);
  std::vector<std::uint8_t> decoded(c.size());
  auto early = *create_ldpc_decoder(LdpcDecoderConfig{});
  EXPECT_EQ(early->decode(g, clean, decoded).iterations, 1);
  LdpcDecoderConfig fixed;
  fixed.early_stop = false;
  fixed.max_iterations = 6;
  auto no_stop = *create_ldpc_decoder(fixed);
  const LdpcDecoderResult r = no_stop->decode(g, clean, decoded);
  EXPECT_EQ(r.iterations, 6);
  EXPECT_TRUE(r.parity_ok);
  EXPECT_EQ(decoded, c);

  // Pure noise never satisfies the parity checks: all iterations run, failure reported.
  std::vector<Llr> noise(d.size());
  std::mt19937 engine(4);
  for (auto& l : noise) l = static_cast<Llr>(static_cast<int>(engine() % 41) - 20);
  const LdpcDecoderResult bad = early->decode(g, noise, decoded);
  EXPECT_FALSE(bad.parity_ok);
  EXPECT_EQ(bad.iterations, 10);
}

TEST(LdpcDecoder, ConfigValidationNamesTheSetting) {
  LdpcDecoderConfig config;
  config.max_iterations = 0;
  auto d = create_ldpc_decoder(config);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("max_iterations"), std::string::npos);
  config = {};
  config.scaling_x16 = 17;
  EXPECT_FALSE(create_ldpc_decoder(config));
  config = {};
  config.offset = -1;
  EXPECT_FALSE(create_ldpc_decoder(config));
}

}  // namespace
}  // namespace airan::phy
