// The per-check layered min-sum of detail/ldpc_math.hpp (what the GPU decoder runs, one thread
// per check) decodes exactly as the CPU decoders: same hard decisions, iterations and parity
// verdict, for BG1 and BG2, every lifting size, clean and noisy code blocks, shortened ones.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "airan/phy/coding/ldpc_decoder.hpp"
#include "airan/phy/coding/ldpc_encoder.hpp"
#include "airan/phy/detail/ldpc_math.hpp"

namespace airan::phy {
namespace {

// The GPU kernel's schedule on the CPU: rows in order, the Z checks of a row one by one.
LdpcDecoderResult decode_per_check(const LdpcDecoderConfig& config, const LdpcGraph& graph,
                                   std::span<const Llr> llrs, std::span<std::uint8_t> c) {
  const int z = graph.z;
  const int rows = graph.rows_covering(static_cast<int>(llrs.size()));
  const int columns = graph.shape.info_cols + rows;
  std::vector<std::int16_t> app(static_cast<std::size_t>(columns) * z);
  for (int col = 0; col < columns; ++col) {
    for (int i = 0; i < z; ++i) {
      app[static_cast<std::size_t>(col) * z + i] =
          detail::ldpc_initial_app(llrs.data(), static_cast<int>(llrs.size()), z, col, i);
    }
  }
  std::vector<std::int8_t> messages(static_cast<std::size_t>(graph.row_begin[rows]) * z, 0);
  const int scaling = config.scaling_x16 != 0 ? config.scaling_x16
                      : graph.base_graph == BaseGraph::bg1 ? kTunedScalingX16Bg1
                                                           : kTunedScalingX16Bg2;
  LdpcDecoderResult result;
  for (int iteration = 0; iteration < config.max_iterations; ++iteration) {
    for (int row = 0; row < rows; ++row) {
      const auto edges = graph.row(row);
      for (int r = 0; r < z; ++r) {
        detail::ldpc_update_check(edges.data(), static_cast<int>(edges.size()), graph.row_begin[row], z, r, app.data(),
                                  messages.data(), z, scaling, config.offset);
      }
    }
    result.iterations = iteration + 1;
    if (config.early_stop || iteration + 1 == config.max_iterations) {
      bool violated = false;
      for (int row = 0; row < rows && !violated; ++row) {
        const auto edges = graph.row(row);
        for (int r = 0; r < z && !violated; ++r) {
          violated = detail::ldpc_check_violated(edges.data(), static_cast<int>(edges.size()), z, r, app.data());
        }
      }
      result.parity_ok = !violated;
      if (result.parity_ok && config.early_stop) break;
    }
  }
  for (int i = 0; i < graph.info_bits(); ++i) c[i] = app[i] < 0 ? 1 : 0;
  return result;
}

TEST(SharedLdpcMath, PerCheckDecodingEqualsTheCpuDecoder) {
  std::mt19937_64 engine(17);
  for (BaseGraph bg : {BaseGraph::bg1, BaseGraph::bg2}) {
    for (int zi = 0; zi < static_cast<int>(kLiftingSizes.size()); zi += 3) {
      const int z = kLiftingSizes[zi];
      const LdpcGraph& graph = **ldpc_graph(bg, z);
      for (int trial = 0; trial < 3; ++trial) {
        LdpcDecoderConfig config;
        config.max_iterations = 8;
        config.early_stop = trial != 2;
        if (trial == 1) config.offset = 1, config.scaling_x16 = 16;
        auto cpu = create_ldpc_decoder(config, CpuIsa::generic);
        ASSERT_TRUE(cpu.has_value());
        std::vector<std::uint8_t> info(static_cast<std::size_t>(graph.info_bits()));
        for (auto& b : info) b = static_cast<std::uint8_t>(engine() & 1U);
        std::vector<std::uint8_t> codeword(static_cast<std::size_t>(graph.codeword_bits()));
        ldpc_encode(graph, info, codeword);
        // Noisy BPSK at a few dB, shortened to a random length, scaled to int8.
        const int length = graph.info_bits() - 2 * z + static_cast<int>(engine() % (graph.codeword_bits() -
                                                                                    graph.info_bits() + 2 * z + 1));
        std::vector<Llr> llrs(static_cast<std::size_t>(length));
        std::normal_distribution<float> noise(0.0F, trial == 2 ? 1.1F : 0.7F);  // trial 2 often fails to converge
        for (int i = 0; i < length; ++i) {
          const float v = (codeword[i] ? -1.0F : 1.0F) + noise(engine);
          llrs[i] = static_cast<Llr>(std::clamp(std::lround(v * 20.0F), -127L, 127L));
        }
        std::vector<std::uint8_t> expected(info.size());
        std::vector<std::uint8_t> got(info.size());
        const LdpcDecoderResult want = (*cpu)->decode(graph, llrs, expected);
        const LdpcDecoderResult have = decode_per_check(config, graph, llrs, got);
        ASSERT_EQ(got, expected) << "BG" << static_cast<int>(bg) << " Z " << z << " trial " << trial;
        EXPECT_EQ(have.iterations, want.iterations) << "BG" << static_cast<int>(bg) << " Z " << z;
        EXPECT_EQ(have.parity_ok, want.parity_ok) << "BG" << static_cast<int>(bg) << " Z " << z;
      }
    }
  }
}

}  // namespace
}  // namespace airan::phy
