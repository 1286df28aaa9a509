// GpuLdpcDecoder on a device against the CPU decoder: identical hard decisions, iteration
// counts and parity verdicts, per graph and for mixed launches; repeated launches and a CUDA
// graph replay. Skips, with the reason, where there is no device.
#include <gtest/gtest.h>

#include "../support/require_gpu.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <vector>

#if defined(AIRAN_WITH_CUDA)
#include <cuda_runtime.h>
#endif

#include "airan/phy/coding/ldpc_decoder.hpp"
#include "airan/phy/coding/ldpc_encoder.hpp"
#include "airan/phy/coding/ldpc_graph.hpp"
#include "airan/phy/coding/llr.hpp"
#include "airan/phy/cuda/gpu_ldpc_decoder.hpp"
#include "airan/phy/gpu.hpp"

namespace airan::phy {
namespace {

struct CodeBlockCase {
  BaseGraph bg;
  int z;
  double rate;
  double sigma;
  int max_iterations = 10;
  bool early_stop = true;
};

// A random codeword through a Gaussian channel, as int8 soft bits of d (as in the emulation test).
std::vector<Llr> make_llrs(const CodeBlockCase& c, std::uint64_t seed) {
  const LdpcGraph& g = **ldpc_graph(c.bg, c.z);
  std::mt19937_64 engine(seed);
  std::vector<std::uint8_t> info(static_cast<std::size_t>(g.info_bits()));
  for (auto& b : info) b = static_cast<std::uint8_t>(engine() & 1U);
  std::vector<std::uint8_t> d(static_cast<std::size_t>(g.codeword_bits()));
  ldpc_encode(g, info, d);
  const int wanted = static_cast<int>(std::lround(g.info_bits() / c.rate)) - 2 * g.z;
  const int count = std::clamp(wanted, g.info_bits() - 2 * g.z, g.codeword_bits());
  std::normal_distribution<double> noise(0.0, c.sigma);
  std::vector<float> soft(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    soft[static_cast<std::size_t>(i)] = static_cast<float>((d[static_cast<std::size_t>(i)] ? -16.0 : 16.0) + noise(engine));
  }
  std::vector<Llr> llrs(soft.size());
  quantize_llrs(soft, 1.0F, llrs);
  if (count > 5) llrs[5] = -128;
  return llrs;
}

// Places the blocks' soft bits in the decoder's staging buffer and sets up the launch.
void stage(GpuLdpcDecoder& decoder, const std::vector<CodeBlockCase>& cases, const std::vector<std::vector<Llr>>& llrs) {
  std::vector<GpuLdpcCodeBlock> blocks;
  std::size_t offset = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    std::copy(llrs[i].begin(), llrs[i].end(), decoder.host_llrs().begin() + static_cast<std::ptrdiff_t>(offset));
    blocks.push_back({cases[i].bg, cases[i].z, offset, static_cast<int>(llrs[i].size()), cases[i].max_iterations,
                      cases[i].early_stop});
    offset += llrs[i].size();
  }
  const Status s = decoder.setup(blocks);
  ASSERT_TRUE(s.is_ok()) << s.message();
}

void expect_matches_cpu(const GpuLdpcDecoder& decoder, const std::vector<CodeBlockCase>& cases,
                        const std::vector<std::vector<Llr>>& llrs) {
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const CodeBlockCase& c = cases[i];
    SCOPED_TRACE(::testing::Message() << "block " << i << ": " << to_string(c.bg) << " Z=" << c.z << " rate " << c.rate
                                      << " sigma " << c.sigma);
    LdpcDecoderConfig config;
    config.max_iterations = c.max_iterations;
    config.early_stop = c.early_stop;
    auto cpu = create_ldpc_decoder(config, CpuIsa::generic);
    ASSERT_TRUE(cpu.has_value());
    const LdpcGraph& g = **ldpc_graph(c.bg, c.z);
    std::vector<std::uint8_t> bits(static_cast<std::size_t>(g.info_bits()));
    const LdpcDecoderResult expected = (*cpu)->decode(g, llrs[i], bits);
    const LdpcDecoderResult got = decoder.result(static_cast<int>(i));
    ASSERT_EQ(got.iterations, expected.iterations);
    ASSERT_EQ(got.parity_ok, expected.parity_ok);
    const auto gpu_bits = decoder.hard_bits(static_cast<int>(i));
    ASSERT_EQ(std::vector<std::uint8_t>(gpu_bits.begin(), gpu_bits.end()), bits);
    EXPECT_FALSE(decoder.crc_ok(static_cast<int>(i)).has_value()) << "no CRC was asked for";
  }
}

void decode_on_gpu(GpuLdpcDecoder& decoder) {
  ASSERT_TRUE(decoder.upload_llrs().is_ok());
  ASSERT_TRUE(decoder.run().is_ok());
  ASSERT_TRUE(decoder.download_results().is_ok());
  const Status s = decoder.synchronize();
  ASSERT_TRUE(s.is_ok()) << s.message();
}

std::vector<CodeBlockCase> graph_cases(BaseGraph bg, int z) {
  std::vector<CodeBlockCase> cases;
  for (double rate : {0.92, 2.0 / 3.0, 1.0 / 3.0, 0.2}) {
    for (double sigma : {6.0, 11.0, 16.0, 24.0}) cases.push_back({bg, z, rate, sigma});
  }
  return cases;
}

std::vector<CodeBlockCase> mixed_cases(int count, std::uint32_t seed) {
  std::vector<CodeBlockCase> cases;
  std::mt19937 engine(seed);
  for (int i = 0; i < count; ++i) {
    const BaseGraph bg = i % 2 == 0 ? BaseGraph::bg1 : BaseGraph::bg2;
    const int z = kLiftingSizes[engine() % kLiftingSizes.size()];
    const double rate = std::array{0.92, 0.75, 0.5, 1.0 / 3.0}[engine() % 4];
    const double sigma = std::array{8.0, 14.0, 20.0}[engine() % 3];
    cases.push_back({bg, z, rate, sigma, 1 + static_cast<int>(engine() % 12), engine() % 3 != 0});
  }
  return cases;
}

std::vector<std::vector<Llr>> make_all_llrs(const std::vector<CodeBlockCase>& cases, std::uint64_t seed) {
  std::vector<std::vector<Llr>> llrs;
  for (std::size_t i = 0; i < cases.size(); ++i) llrs.push_back(make_llrs(cases[i], seed + i));
  return llrs;
}

TEST(GpuLdpcDecoder, EveryTestedGraphMatchesCpuDecoder) {
  AIRAN_REQUIRE_GPU();
  GpuLdpcDecoderConfig config;
  config.max_code_blocks = 16;
  auto decoder = GpuLdpcDecoder::create(config);
  ASSERT_TRUE(decoder.has_value()) << decoder.error().message;
  for (BaseGraph bg : {BaseGraph::bg1, BaseGraph::bg2}) {
    for (int z : {2, 15, 52, 104, 208, 384}) {
      SCOPED_TRACE(::testing::Message() << to_string(bg) << " Z=" << z);
      const auto cases = graph_cases(bg, z);
      const auto llrs = make_all_llrs(cases, static_cast<std::uint64_t>(z) * 101 + static_cast<int>(bg));
      stage(*decoder, cases, llrs);
      decode_on_gpu(*decoder);
      expect_matches_cpu(*decoder, cases, llrs);
    }
  }
}

// 48 blocks of both base graphs, random lifting sizes, rates, iteration limits and early stop
// in one launch, then a second, different launch on the same decoder.
TEST(GpuLdpcDecoder, MixedBatchInOneLaunchMatchesCpuDecoder) {
  AIRAN_REQUIRE_GPU();
  GpuLdpcDecoderConfig config;
  config.max_code_blocks = 48;
  auto decoder = GpuLdpcDecoder::create(config);
  ASSERT_TRUE(decoder.has_value()) << decoder.error().message;
  for (std::uint32_t seed : {7U, 8U}) {
    const auto cases = mixed_cases(48, seed);
    const auto llrs = make_all_llrs(cases, 1000 + seed);
    stage(*decoder, cases, llrs);
    decode_on_gpu(*decoder);
    expect_matches_cpu(*decoder, cases, llrs);
  }
}

#if defined(AIRAN_WITH_CUDA)
// upload, run and download captured once into a CUDA graph and replayed for two different
// setups: the captured work reads the descriptors and soft bits setup writes in place.
TEST(GpuLdpcDecoder, CapturedGraphReplaysNewSetups) {
  AIRAN_REQUIRE_GPU();
  GpuLdpcDecoderConfig config;
  config.max_code_blocks = 36;
  auto decoder = GpuLdpcDecoder::create(config);
  ASSERT_TRUE(decoder.has_value()) << decoder.error().message;
  // The grid size is part of the graph: both setups use 36 blocks of BG1 Z = 384.
  std::vector<CodeBlockCase> cases;
  for (int i = 0; i < 36; ++i) cases.push_back({BaseGraph::bg1, 384, i % 2 == 0 ? 0.92 : 1.0 / 3.0, 10.0 + i % 7});
  auto llrs = make_all_llrs(cases, 5);
  stage(*decoder, cases, llrs);
  auto stream = static_cast<cudaStream_t>(decoder->stream());
  cudaGraph_t graph = nullptr;
  ASSERT_EQ(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), cudaSuccess);
  ASSERT_TRUE(decoder->upload_llrs().is_ok());
  ASSERT_TRUE(decoder->run().is_ok());
  ASSERT_TRUE(decoder->download_results().is_ok());
  ASSERT_EQ(cudaStreamEndCapture(stream, &graph), cudaSuccess);
  cudaGraphExec_t exec = nullptr;
  ASSERT_EQ(cudaGraphInstantiate(&exec, graph, 0), cudaSuccess);
  for (std::uint64_t seed : {5U, 6U}) {
    llrs = make_all_llrs(cases, seed);
    stage(*decoder, cases, llrs);
    ASSERT_EQ(cudaGraphLaunch(exec, stream), cudaSuccess);
    ASSERT_TRUE(decoder->synchronize().is_ok());
    expect_matches_cpu(*decoder, cases, llrs);
  }
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
}
#endif

TEST(GpuLdpcDecoder, SetupErrorsNameTheBlock) {
  AIRAN_REQUIRE_GPU();
  GpuLdpcDecoderConfig config;
  config.max_code_blocks = 2;
  auto decoder = GpuLdpcDecoder::create(config);
  ASSERT_TRUE(decoder.has_value()) << decoder.error().message;
  const std::vector<GpuLdpcCodeBlock> blocks{{BaseGraph::bg1, 384, 0, 20000}, {BaseGraph::bg2, 17, 0, 100}};
  const Status s = decoder->setup(blocks);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("code block 1"), std::string::npos) << s.message();
  EXPECT_FALSE(decoder->run().is_ok()) << "run without a successful setup";
}

}  // namespace
}  // namespace airan::phy
