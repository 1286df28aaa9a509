// The GPU LDPC kernel body (detail/gpu_ldpc_kernel.hpp) run on the host, thread by thread and
// phase by phase, against the CPU decoder: hard decisions, iteration counts and parity verdicts
// must be identical. This proves the GPU decoder's arithmetic, indexing, phase structure and
// descriptors on machines without a GPU; tests/gpu/gpu_ldpc_decoder_test.cpp repeats the
// comparison on a device.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "airan/phy/coding/crc.hpp"
#include "airan/phy/coding/ldpc_decoder.hpp"
#include "airan/phy/coding/ldpc_encoder.hpp"
#include "airan/phy/coding/ldpc_graph.hpp"
#include "airan/phy/coding/llr.hpp"
#include "airan/phy/cuda/gpu_ldpc_decoder.hpp"
#include "airan/phy/detail/gpu_ldpc_host.hpp"

namespace airan::phy {
namespace {

struct CodeBlockCase {
  BaseGraph bg;
  int z;
  double rate;   // K / (llr_count + 2Z), before clamping to K-2Z .. N
  double sigma;  // noise on +-16 before quantisation
  int max_iterations = 10;
  bool early_stop = true;
};

struct CodeBlockInput {
  std::vector<Llr> llrs;
  int crc_bits;        // K': payload and CRC; the rest of K are filler zeros
  CrcType crc_type;
};

// A random codeword of the case's graph through a Gaussian channel, as int8 soft bits of d.
CodeBlockInput make_input(const CodeBlockCase& c, std::uint64_t seed) {
  const LdpcGraph& g = **ldpc_graph(c.bg, c.z);
  std::mt19937_64 engine(seed);
  // Every CRC type in turn; K' = K minus a few filler bits; payload random, then its CRC.
  const int crc_bits = g.info_bits() - static_cast<int>(seed % 5);
  // The smallest graphs (K = 20) are shorter than a 24-bit CRC: they get CRC6.
  auto crc_type = static_cast<CrcType>(seed % 6);
  if (crc_length(crc_type) >= crc_bits) crc_type = CrcType::crc6;
  const int payload = crc_bits - crc_length(crc_type);
  std::vector<std::uint8_t> info(static_cast<std::size_t>(g.info_bits()), 0);
  for (int i = 0; i < payload; ++i) info[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(engine() & 1U);
  crc_compute_bits(crc_type, std::span(info).first(static_cast<std::size_t>(payload)),
                   std::span(info).subspan(static_cast<std::size_t>(payload), static_cast<std::size_t>(crc_length(crc_type))));
  std::vector<std::uint8_t> d(static_cast<std::size_t>(g.codeword_bits()));
  ldpc_encode(g, info, d);
  const int wanted = static_cast<int>(std::lround(g.info_bits() / c.rate)) - 2 * g.z;
  const int count = std::clamp(wanted, g.info_bits() - 2 * g.z, g.codeword_bits());
  std::normal_distribution<double> noise(0.0, c.sigma);
  std::vector<float> soft(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) soft[static_cast<std::size_t>(i)] = static_cast<float>((d[static_cast<std::size_t>(i)] ? -16.0 : 16.0) + noise(engine));
  CodeBlockInput input;
  input.crc_bits = crc_bits;
  input.crc_type = crc_type;
  input.llrs.resize(soft.size());
  quantize_llrs(soft, 1.0F, input.llrs);
  // -128 never comes out of quantize_llrs; the decoders must still agree on it.
  if (count > 5) input.llrs[5] = -128;
  return input;
}

struct Decoded {
  std::vector<std::uint8_t> bits;
  LdpcDecoderResult result;
  std::uint32_t crc_remainder = 0;
};

Decoded decode_on_cpu(const GpuLdpcDecoderConfig& gpu_config, const CodeBlockCase& c, const CodeBlockInput& input,
                      CpuIsa isa) {
  LdpcDecoderConfig config;
  config.max_iterations = c.max_iterations;
  config.early_stop = c.early_stop;
  config.scaling_x16 = gpu_config.scaling_x16;
  config.offset = gpu_config.offset;
  auto decoder = create_ldpc_decoder(config, isa);
  EXPECT_TRUE(decoder.has_value());
  const LdpcGraph& g = **ldpc_graph(c.bg, c.z);
  Decoded out;
  out.bits.resize(static_cast<std::size_t>(g.info_bits()));
  out.result = (*decoder)->decode(g, input.llrs, out.bits);
  return out;
}

// Runs the kernel body on the host for all cases in one launch.
std::vector<Decoded> decode_by_emulation(const GpuLdpcDecoderConfig& config, const std::vector<CodeBlockCase>& cases,
                                         const std::vector<CodeBlockInput>& inputs, bool reversed) {
  std::vector<GpuLdpcCodeBlock> blocks;
  std::vector<std::int8_t> llrs(static_cast<std::size_t>(config.max_code_blocks) *
                                static_cast<std::size_t>(config.max_llrs_per_block));
  for (std::size_t i = 0; i < cases.size(); ++i) {
    // Blocks packed back to back at odd offsets: offsets need no alignment.
    const std::size_t offset = i == 0 ? 3 : blocks.back().llr_offset + static_cast<std::size_t>(blocks.back().llr_count);
    std::copy(inputs[i].llrs.begin(), inputs[i].llrs.end(), llrs.begin() + static_cast<std::ptrdiff_t>(offset));
    blocks.push_back({cases[i].bg, cases[i].z, offset, static_cast<int>(inputs[i].llrs.size()), cases[i].max_iterations,
                      cases[i].early_stop, inputs[i].crc_bits, inputs[i].crc_type});
  }
  std::vector<gpu_ldpc::BlockDescriptor> descriptors(static_cast<std::size_t>(config.max_code_blocks));
  gpu_ldpc::LaunchShape shape;
  const Status status = gpu_ldpc::fill_descriptors(config, blocks, descriptors, shape);
  EXPECT_TRUE(status.is_ok()) << (status ? "" : status.message());
  std::vector<std::int8_t> messages(cases.size() * gpu_ldpc::kMessageBytesPerBlock, 0x33);
  std::vector<std::uint8_t> bits(cases.size() * gpu_ldpc::kBitsPerBlockSlot, 0xEE);
  std::vector<gpu_ldpc::BlockOutcome> outcomes(cases.size(), gpu_ldpc::BlockOutcome{-1, -1, 0xDEADBEEF, -1});
  const gpu_ldpc::LiftedGraphTable& table = gpu_ldpc::lifted_graph_table();
  const gpu_ldpc::KernelParams params{table.graphs.data(), table.edges.data(), descriptors.data(), llrs.data(),
                                      messages.data(),     bits.data(),        outcomes.data(),
                                      gpu_ldpc::crc_bit_tables().data()};
  gpu_ldpc::emulate_kernel(params, shape, reversed);

  std::vector<Decoded> out(cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const int k = base_graph_shape(cases[i].bg).info_cols * cases[i].z;
    const auto* first = bits.data() + i * gpu_ldpc::kBitsPerBlockSlot;
    out[i].bits.assign(first, first + k);
    out[i].result = {outcomes[i].iterations, outcomes[i].parity_ok != 0};
    EXPECT_EQ(outcomes[i].crc_checked, 1);
    out[i].crc_remainder = outcomes[i].crc_remainder;
  }
  return out;
}

void expect_identical(const GpuLdpcDecoderConfig& config, const std::vector<CodeBlockCase>& cases,
                      std::uint64_t seed) {
  std::vector<CodeBlockInput> inputs;
  for (std::size_t i = 0; i < cases.size(); ++i) inputs.push_back(make_input(cases[i], seed + i));
  for (bool reversed : {false, true}) {
    const std::vector<Decoded> emulated = decode_by_emulation(config, cases, inputs, reversed);
    int converged = 0;
    int crc_ok = 0;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const CodeBlockCase& c = cases[i];
      SCOPED_TRACE(::testing::Message() << "block " << i << ": " << to_string(c.bg) << " Z=" << c.z << " rate "
                                        << c.rate << " sigma " << c.sigma << (reversed ? " lanes reversed" : ""));
      for (CpuIsa isa : {CpuIsa::generic, best_cpu_isa()}) {
        const Decoded cpu = decode_on_cpu(config, c, inputs[i], isa);
        ASSERT_EQ(emulated[i].result.iterations, cpu.result.iterations) << to_string(isa);
        ASSERT_EQ(emulated[i].result.parity_ok, cpu.result.parity_ok) << to_string(isa);
        ASSERT_EQ(emulated[i].bits, cpu.bits) << to_string(isa);
      }
      // The CRC computed in parallel from the decided bits equals crc_compute() of them.
      const auto cpu_bits = std::span(emulated[i].bits).first(static_cast<std::size_t>(inputs[i].crc_bits));
      ASSERT_EQ(emulated[i].crc_remainder, crc_compute(inputs[i].crc_type, cpu_bits)) << to_string(inputs[i].crc_type);
      crc_ok += emulated[i].crc_remainder == 0 ? 1 : 0;
      converged += emulated[i].result.parity_ok ? 1 : 0;
    }
    // The noise levels are chosen so that both outcomes occur: agreement on failures matters too.
    if (cases.size() >= 6) {
      EXPECT_GT(converged, 0);
      EXPECT_LT(converged, static_cast<int>(cases.size()));
      EXPECT_GT(crc_ok, 0);
      EXPECT_LT(crc_ok, static_cast<int>(cases.size()));
    }
  }
}

struct GraphCase {
  BaseGraph bg;
  int z;
};

class GpuLdpcEmulation : public ::testing::TestWithParam<GraphCase> {};

// Rates from 0.92 to 1/3 (and BG2's 1/5), noise from easy to hopeless, one launch per graph.
TEST_P(GpuLdpcEmulation, MatchesCpuDecoderBitsAndIterations) {
  const GraphCase g = GetParam();
  std::vector<CodeBlockCase> cases;
  for (double rate : {0.92, 2.0 / 3.0, 1.0 / 3.0, 0.2}) {
    for (double sigma : {6.0, 11.0, 16.0, 24.0}) cases.push_back({g.bg, g.z, rate, sigma});
  }
  GpuLdpcDecoderConfig config;
  config.max_code_blocks = static_cast<int>(cases.size());
  expect_identical(config, cases, static_cast<std::uint64_t>(g.z) * 101 + static_cast<int>(g.bg));
}

std::string graph_name(const ::testing::TestParamInfo<GraphCase>& info) {
  return std::string(to_string(info.param.bg)) + "_Z" + std::to_string(info.param.z);
}

INSTANTIATE_TEST_SUITE_P(Graphs, GpuLdpcEmulation,
                         ::testing::Values(GraphCase{BaseGraph::bg1, 2}, GraphCase{BaseGraph::bg1, 15},
                                           GraphCase{BaseGraph::bg1, 52}, GraphCase{BaseGraph::bg1, 104},
                                           GraphCase{BaseGraph::bg1, 208}, GraphCase{BaseGraph::bg1, 384},
                                           GraphCase{BaseGraph::bg2, 2}, GraphCase{BaseGraph::bg2, 15},
                                           GraphCase{BaseGraph::bg2, 52}, GraphCase{BaseGraph::bg2, 104},
                                           GraphCase{BaseGraph::bg2, 208}, GraphCase{BaseGraph::bg2, 384}),
                         graph_name);

// Mixed base graphs, lifting sizes, iteration limits, with and without early stop, and an
// offset min-sum setting, all in one launch.
TEST(GpuLdpcEmulationBatch, MixedBlocksInOneLaunchMatchCpu) {
  std::vector<CodeBlockCase> cases;
  std::mt19937 engine(7);
  for (int i = 0; i < 24; ++i) {
    const BaseGraph bg = i % 2 == 0 ? BaseGraph::bg1 : BaseGraph::bg2;
    const int z = kLiftingSizes[engine() % kLiftingSizes.size()];
    const double rate = std::array{0.92, 0.75, 0.5, 1.0 / 3.0}[engine() % 4];
    const double sigma = std::array{8.0, 14.0, 20.0}[engine() % 3];
    cases.push_back({bg, z, rate, sigma, 1 + static_cast<int>(engine() % 12), engine() % 3 != 0});
  }
  for (const auto& [scaling, offset] : {std::pair{0, 0}, std::pair{16, 1}, std::pair{13, 0}}) {
    SCOPED_TRACE(::testing::Message() << "scaling_x16 " << scaling << " offset " << offset);
    GpuLdpcDecoderConfig config;
    config.max_code_blocks = 32;
    config.scaling_x16 = scaling;
    config.offset = offset;
    expect_identical(config, cases, 1000 + static_cast<std::uint64_t>(scaling));
  }
}

TEST(GpuLdpcSetup, ErrorsNameTheBlockAndField) {
  GpuLdpcDecoderConfig config;
  config.max_code_blocks = 2;
  config.max_llrs_per_block = 1000;
  std::vector<gpu_ldpc::BlockDescriptor> descriptors(2);
  gpu_ldpc::LaunchShape shape;
  auto message = [&](std::vector<GpuLdpcCodeBlock> blocks) {
    const Status s = gpu_ldpc::fill_descriptors(config, blocks, descriptors, shape);
    return s ? std::string("ok") : s.message();
  };
  EXPECT_EQ(message({{BaseGraph::bg2, 20, 0, 400}}), "ok");
  EXPECT_EQ(shape.threads_per_block, 32);
  EXPECT_EQ(shape.llr_extent, 400U);
  EXPECT_NE(message({{BaseGraph::bg2, 17, 0, 400}}).find("Z=17"), std::string::npos);
  EXPECT_NE(message({{BaseGraph::bg2, 20, 0, 100}}).find("llr_count=100"), std::string::npos);
  EXPECT_NE(message({{BaseGraph::bg2, 20, 1900, 400}}).find("llr_offset=1900"), std::string::npos);
  EXPECT_NE(message({{BaseGraph::bg2, 20, 0, 400, 0}}).find("max_iterations=0"), std::string::npos);
  EXPECT_NE(message({{BaseGraph::bg2, 20, 0, 400}, {BaseGraph::bg1, 384, 0, 8000}}).find("code block 1"),
            std::string::npos);
  EXPECT_NE(message(std::vector<GpuLdpcCodeBlock>(3, {BaseGraph::bg2, 20, 0, 400})).find("3 code blocks"),
            std::string::npos);
  EXPECT_NE(message({}).find("no code blocks"), std::string::npos);
  EXPECT_NE(message({{BaseGraph::bg2, 20, 0, 400, 10, true, 201}}).find("crc_bits=201"), std::string::npos);
  EXPECT_NE(message({{BaseGraph::bg2, 20, 0, 400, 10, true, 16, CrcType::crc16}}).find("crc_bits=16"), std::string::npos);
  // A failed setup leaves the previous launch shape.
  EXPECT_EQ(shape.llr_extent, 400U);
}

TEST(GpuLdpcSetup, ConfigValidationAndCreateWithoutDevice) {
  GpuLdpcDecoderConfig config;
  config.max_code_blocks = 0;
  EXPECT_NE(validate(config).message().find("max_code_blocks=0"), std::string::npos);
  config = {};
  config.max_llrs_per_block = 30000;
  EXPECT_NE(validate(config).message().find("max_llrs_per_block=30000"), std::string::npos);
  config = {};
  config.scaling_x16 = 17;
  EXPECT_NE(validate(config).message().find("scaling_x16=17"), std::string::npos);
  // create() either succeeds (a device exists) or says why not; it never crashes.
  config = {};
  config.max_code_blocks = 1;
  auto decoder = GpuLdpcDecoder::create(config);
  if (!decoder) {
    EXPECT_FALSE(decoder.error().message.empty());
  }
}

}  // namespace
}  // namespace airan::phy
