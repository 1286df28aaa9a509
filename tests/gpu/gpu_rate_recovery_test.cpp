// GpuRateRecovery on a device against the CPU's rate_recover (HARQ buffers over rv 0, 2),
// and chained into GpuLdpcDecoder (with its CB CRC24B check) on one stream against
// rate_recover + LdpcDecoder + crc_check.
// Skips, with the reason, where there is no device.
#include <gtest/gtest.h>

#include "../support/require_gpu.hpp"

#include <algorithm>
#include <random>
#include <vector>

#include "airan/phy/coding/crc.hpp"
#include "airan/phy/coding/ldpc_decoder.hpp"
#include "airan/phy/coding/ldpc_encoder.hpp"
#include "airan/phy/coding/rate_matching.hpp"
#include "airan/phy/coding/segmentation.hpp"
#include "airan/phy/cuda/gpu_ldpc_decoder.hpp"
#include "airan/phy/cuda/gpu_rate_recovery.hpp"
#include "airan/phy/gpu.hpp"

namespace airan::phy {
namespace {

TEST(GpuRateRecovery, ChainedIntoTheDecoderMatchesCpu) {
  AIRAN_REQUIRE_GPU();
  const int tbs = 40016;  // 5 code blocks of K' = 8032 (a TBS that splits evenly)
  const int g = 72000;
  const int qm = 4;
  const auto segmentation = segment_transport_block(tbs, BaseGraph::bg1);
  ASSERT_TRUE(segmentation.has_value()) << segmentation.error().message;
  const CodeBlockSegmentation& seg = *segmentation;
  const LdpcGraph& graph = **ldpc_graph(seg.base_graph, seg.z);
  const int blocks = seg.num_blocks;

  GpuLdpcDecoderConfig decoder_config;
  decoder_config.max_code_blocks = blocks;
  decoder_config.max_llrs_per_block = seg.n;
  auto decoder = GpuLdpcDecoder::create(decoder_config);
  ASSERT_TRUE(decoder.has_value()) << decoder.error().message;
  GpuRateRecoveryConfig config;
  config.max_code_blocks = blocks;
  config.max_e_per_block = g;
  config.harq_buffers = blocks;
  auto recovery = GpuRateRecovery::create(config, decoder->stream());
  ASSERT_TRUE(recovery.has_value()) << recovery.error().message;

  std::mt19937_64 engine(3);
  std::normal_distribution<double> noise(0.0, 9.0);
  // One transport block's code words, sent as rv 0 then rv 2 (combined).
  std::vector<std::vector<std::uint8_t>> codewords;
  for (int r = 0; r < blocks; ++r) {
    std::vector<std::uint8_t> c(static_cast<std::size_t>(seg.k), 0);  // fillers stay 0
    const int payload = seg.k_prime - 24;  // then the CB CRC24B, then fillers
    for (int i = 0; i < payload; ++i) c[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(engine() & 1U);
    crc_compute_bits(CrcType::crc24b, std::span(c).first(static_cast<std::size_t>(payload)),
                     std::span(c).subspan(static_cast<std::size_t>(payload), 24));
    std::vector<std::uint8_t> d(static_cast<std::size_t>(seg.n));
    ldpc_encode(graph, c, d);
    codewords.push_back(std::move(d));
  }
  std::vector<std::vector<Llr>> cpu_soft(static_cast<std::size_t>(blocks), std::vector<Llr>(static_cast<std::size_t>(seg.n)));
  for (int rv : {0, 2}) {
    SCOPED_TRACE(::testing::Message() << "rv " << rv);
    auto plan = plan_rate_matching(seg, {.g = g, .modulation_order = qm, .num_layers = 1, .rv = rv});
    ASSERT_TRUE(plan.has_value());
    std::vector<GpuRateRecoveryBlock> rr_blocks;
    std::vector<GpuLdpcCodeBlock> ldpc_blocks;
    std::vector<int> llr_counts;
    for (int r = 0; r < blocks; ++r) {
      const int e = plan->e(r);
      std::vector<std::uint8_t> f(static_cast<std::size_t>(e));
      rate_match(*plan, codewords[static_cast<std::size_t>(r)], f);
      const std::size_t f_offset = static_cast<std::size_t>(r) * static_cast<std::size_t>(g);
      std::span<Llr> received = recovery->host_llrs().subspan(f_offset, static_cast<std::size_t>(e));
      for (int i = 0; i < e; ++i) {
        const double v = (f[static_cast<std::size_t>(i)] ? -16.0 : 16.0) + noise(engine);
        received[static_cast<std::size_t>(i)] = static_cast<Llr>(std::clamp(static_cast<int>(std::lround(v)), -127, 127));
      }
      rate_recover(*plan, received, cpu_soft[static_cast<std::size_t>(r)], rv != 0);
      const int llr_count = std::max(graph.info_bits() - 2 * graph.z, plan->d_bits_read(e));
      llr_counts.push_back(llr_count);
      const std::size_t out = static_cast<std::size_t>(r) * static_cast<std::size_t>(seg.n);
      rr_blocks.push_back(rate_recovery_block(*plan, r, f_offset, r, rv != 0, out, llr_count));
      ldpc_blocks.push_back({seg.base_graph, seg.z, out, llr_count, 10, true, seg.k_prime, CrcType::crc24b});
    }
    ASSERT_TRUE(recovery->setup(rr_blocks).is_ok());
    ASSERT_TRUE(decoder->setup(ldpc_blocks).is_ok());
    ASSERT_TRUE(recovery->upload_llrs().is_ok());
    ASSERT_TRUE(recovery->run(decoder->device_llrs(), decoder->host_llrs().size()).is_ok());
    ASSERT_TRUE(decoder->run().is_ok());
    ASSERT_TRUE(decoder->download_results().is_ok());
    const Status s = decoder->synchronize();
    ASSERT_TRUE(s.is_ok()) << s.message();

    auto cpu_decoder = *create_ldpc_decoder({}, CpuIsa::generic);
    for (int r = 0; r < blocks; ++r) {
      SCOPED_TRACE(::testing::Message() << "code block " << r);
      std::vector<Llr> harq(static_cast<std::size_t>(seg.n));
      ASSERT_TRUE(recovery->copy_harq_buffer_to_host(r, harq).is_ok());
      ASSERT_EQ(harq, cpu_soft[static_cast<std::size_t>(r)]);
      std::vector<std::uint8_t> bits(static_cast<std::size_t>(graph.info_bits()));
      const LdpcDecoderResult expected = cpu_decoder->decode(
          graph, std::span<const Llr>(cpu_soft[static_cast<std::size_t>(r)]).first(static_cast<std::size_t>(llr_counts[static_cast<std::size_t>(r)])),
          bits);
      EXPECT_EQ(decoder->result(r).iterations, expected.iterations);
      EXPECT_EQ(decoder->result(r).parity_ok, expected.parity_ok);
      const auto gpu_bits = decoder->hard_bits(r);
      EXPECT_EQ(std::vector<std::uint8_t>(gpu_bits.begin(), gpu_bits.end()), bits);
      EXPECT_EQ(decoder->crc_ok(r), std::optional<bool>(crc_check(CrcType::crc24b, std::span(bits).first(static_cast<std::size_t>(seg.k_prime)))));
    }
  }
}

TEST(GpuRateRecovery, RunRejectsAnOutputTooSmall) {
  AIRAN_REQUIRE_GPU();
  GpuRateRecoveryConfig config;
  config.max_code_blocks = 1;
  config.max_e_per_block = 1000;
  config.harq_buffers = 1;
  auto recovery = GpuRateRecovery::create(config);
  ASSERT_TRUE(recovery.has_value()) << recovery.error().message;
  GpuRateRecoveryBlock b;
  b.e = 1000;
  b.ncb = b.n = 500;
  b.output_count = 500;
  ASSERT_TRUE(recovery->setup(std::vector{b}).is_ok());
  const Status s = recovery->run(nullptr, 0);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("500 soft bits of output"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace airan::phy
