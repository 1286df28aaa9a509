// GpuLdpcDecoder against the CPU decoder (generic ISA): many code blocks of mixed base graphs,
// lifting sizes and lengths in one run, clean to undecodable; hard decisions, iteration counts
// and parity verdicts must be identical (both run the integer arithmetic of
// detail/ldpc_math.hpp, whose per-check form tests/phy/detail checks against the CPU decoder).
// Without a CUDA device the tests skip with detect_gpu()'s reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "airan/phy/coding/ldpc_decoder.hpp"
#include "airan/phy/coding/ldpc_encoder.hpp"
#include "airan/phy/cuda/gpu_ldpc_decoder.hpp"
#include "airan/phy/gpu.hpp"

namespace airan::phy {
namespace {

#define AIRAN_REQUIRE_GPU()                                      \
  do {                                                           \
    const GpuInfo& gpu = detect_gpu();                           \
    if (!gpu.available) GTEST_SKIP() << "no GPU: " << gpu.reason; \
  } while (0)

struct Block {
  GpuLdpcCodeBlock shape;
  std::vector<Llr> llrs;
};

Block random_block(std::mt19937_64& e, BaseGraph bg, int z, float sigma) {
  const LdpcGraph& graph = **ldpc_graph(bg, z);
  std::vector<std::uint8_t> info(static_cast<std::size_t>(graph.info_bits()));
  for (auto& b : info) b = static_cast<std::uint8_t>(e() & 1U);
  std::vector<std::uint8_t> codeword(static_cast<std::size_t>(graph.codeword_bits()));
  ldpc_encode(graph, info, codeword);
  const int shortest = graph.info_bits() - 2 * z;
  const int length = shortest + static_cast<int>(e() % static_cast<std::uint64_t>(graph.codeword_bits() - shortest + 1));
  Block block{{bg, z, length}, std::vector<Llr>(static_cast<std::size_t>(length))};
  std::normal_distribution<float> noise(0.0F, sigma);
  for (int i = 0; i < length; ++i) {
    const float v = (codeword[i] ? -1.0F : 1.0F) + noise(e);
    block.llrs[i] = static_cast<Llr>(std::clamp(std::lround(v * 24.0F), -127L, 127L));
  }
  return block;
}

void check_batch(const LdpcDecoderConfig& config, std::uint64_t seed) {
  std::mt19937_64 e(seed);
  std::vector<Block> blocks;
  for (BaseGraph bg : {BaseGraph::bg1, BaseGraph::bg2}) {
    for (std::uint16_t z : kLiftingSizes) blocks.push_back(random_block(e, bg, z, 0.5F + 0.1F * static_cast<float>(e() % 7)));
  }
  auto gpu = GpuLdpcDecoder::create(config, static_cast<int>(blocks.size()) + 5);
  ASSERT_TRUE(gpu.has_value()) << gpu.error().message;
  std::vector<GpuLdpcCodeBlock> shapes;
  for (const auto& b : blocks) shapes.push_back(b.shape);
  ASSERT_TRUE((*gpu)->setup(shapes).is_ok());
  for (std::size_t i = 0; i < blocks.size(); ++i) ASSERT_TRUE((*gpu)->upload_llrs(static_cast<int>(i), blocks[i].llrs).is_ok());
  const Status ran = (*gpu)->run();
  ASSERT_TRUE(ran.is_ok()) << ran.message();
  ASSERT_TRUE((*gpu)->copy_results_to_host().is_ok());
  const Status synced = (*gpu)->synchronize();
  ASSERT_TRUE(synced.is_ok()) << synced.message();

  auto cpu = create_ldpc_decoder(config, CpuIsa::generic);
  ASSERT_TRUE(cpu.has_value());
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const LdpcGraph& graph = **ldpc_graph(blocks[i].shape.base_graph, blocks[i].shape.z);
    std::vector<std::uint8_t> expected(static_cast<std::size_t>(graph.info_bits()));
    const LdpcDecoderResult want = (*cpu)->decode(graph, blocks[i].llrs, expected);
    const auto got = (*gpu)->bits(static_cast<int>(i));
    ASSERT_EQ(got.size(), expected.size());
    EXPECT_TRUE(std::equal(got.begin(), got.end(), expected.begin()))
        << "BG" << static_cast<int>(blocks[i].shape.base_graph) << " Z " << blocks[i].shape.z;
    EXPECT_EQ((*gpu)->result(static_cast<int>(i)).iterations, want.iterations) << "block " << i;
    EXPECT_EQ((*gpu)->result(static_cast<int>(i)).parity_ok, want.parity_ok) << "block " << i;
  }
}

TEST(GpuLdpcDecoder, EveryLiftingSizeDecodesAsTheCpu) {
  AIRAN_REQUIRE_GPU();
  check_batch(LdpcDecoderConfig{}, 1);
}

TEST(GpuLdpcDecoder, FixedIterationsAndOffsetMinSumDecodeAsTheCpu) {
  AIRAN_REQUIRE_GPU();
  LdpcDecoderConfig config;
  config.early_stop = false;
  config.max_iterations = 6;
  config.scaling_x16 = 16;
  config.offset = 2;
  check_batch(config, 2);
}

TEST(GpuLdpcDecoder, SetupNamesTheBadBlock) {
  AIRAN_REQUIRE_GPU();
  auto gpu = GpuLdpcDecoder::create(LdpcDecoderConfig{}, 2);
  ASSERT_TRUE(gpu.has_value()) << gpu.error().message;
  const GpuLdpcCodeBlock three[3] = {};
  Status s = (*gpu)->setup(three);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("3 code blocks"), std::string::npos) << s.message();
  const GpuLdpcCodeBlock bad_z[1] = {{BaseGraph::bg1, 17, 1000}};
  s = (*gpu)->setup(bad_z);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("Z=17"), std::string::npos) << s.message();
  const GpuLdpcCodeBlock too_short[1] = {{BaseGraph::bg2, 384, 100}};
  s = (*gpu)->setup(too_short);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("code block 0"), std::string::npos) << s.message();
}

TEST(GpuLdpcDecoder, CreateSaysWhyWithoutADevice) {
  const GpuInfo& gpu = detect_gpu();
  if (gpu.available) GTEST_SKIP() << "a GPU is present: " << gpu.name;
  auto decoder = GpuLdpcDecoder::create(LdpcDecoderConfig{}, 4);
  ASSERT_FALSE(decoder.has_value());
  EXPECT_FALSE(decoder.error().message.empty());
}

}  // namespace
}  // namespace airan::phy
