// The GPU rate-recovery kernel body (detail/gpu_rate_recovery_kernel.hpp) run on the host for
// every (code block, position) against the CPU's rate_recover(): soft buffers (HARQ combining
// over redundancy versions included) and the decoder input must be identical.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "airan/phy/coding/rate_matching.hpp"
#include "airan/phy/coding/segmentation.hpp"
#include "airan/phy/cuda/gpu_rate_recovery.hpp"
#include "airan/phy/detail/gpu_rate_recovery_host.hpp"

namespace airan::phy {
namespace {

struct TransportCase {
  int tbs;
  BaseGraph bg;
  int g;
  int qm;
  int lbrm_tbs = 0;
};

std::string describe(const TransportCase& c) {
  return "TBS " + std::to_string(c.tbs) + " " + std::string(to_string(c.bg)) + " G " + std::to_string(c.g) + " Qm " +
         std::to_string(c.qm) + " LBRM " + std::to_string(c.lbrm_tbs);
}

// Four transmissions (rv 0, 2, 3, 1: new data, then combining) of one transport block, on the
// CPU and through the emulated kernel, all code blocks of a transmission in one launch.
void expect_identical_soft_buffers(const TransportCase& c, std::uint64_t seed) {
  SCOPED_TRACE(describe(c));
  const auto segmentation = segment_transport_block(c.tbs, c.bg);
  ASSERT_TRUE(segmentation.has_value()) << segmentation.error().message;
  const CodeBlockSegmentation& seg = *segmentation;
  const int blocks = seg.num_blocks;
  std::mt19937_64 engine(seed);
  std::vector<std::vector<Llr>> cpu_buffers(static_cast<std::size_t>(blocks), std::vector<Llr>(static_cast<std::size_t>(seg.n)));

  GpuRateRecoveryConfig config;
  config.max_code_blocks = blocks;
  config.max_e_per_block = c.g;
  config.harq_buffers = blocks + 3;
  std::vector<std::int8_t> received(static_cast<std::size_t>(blocks) * static_cast<std::size_t>(c.g));
  std::vector<std::int8_t> harq(static_cast<std::size_t>(config.harq_buffers) * gpu_rate_recovery::kHarqBufferBytes, 0x11);
  // The decoder input: blocks packed at odd offsets, with room between them that must stay untouched.
  std::vector<std::int8_t> output(static_cast<std::size_t>(blocks) * static_cast<std::size_t>(seg.n + 7), 0x22);
  std::vector<gpu_rate_recovery::BlockDescriptor> descriptors(static_cast<std::size_t>(blocks));
  std::vector<std::uint32_t> stamps(static_cast<std::size_t>(config.harq_buffers), 0);
  std::uint32_t stamp = 0;

  for (int rv : {0, 2, 3, 1}) {
    SCOPED_TRACE(::testing::Message() << "rv " << rv);
    const bool combine = rv != 0;
    auto plan = plan_rate_matching(seg, {.g = c.g, .modulation_order = c.qm, .num_layers = 1, .rv = rv, .lbrm_tbs = c.lbrm_tbs});
    ASSERT_TRUE(plan.has_value()) << plan.error().message;
    std::vector<GpuRateRecoveryBlock> gpu_blocks;
    for (int r = 0; r < blocks; ++r) {
      const int e = plan->e(r);
      const std::size_t f_offset = static_cast<std::size_t>(r) * static_cast<std::size_t>(c.g);
      // Mostly large magnitudes, so that combining saturates.
      for (int i = 0; i < e; ++i) {
        received[f_offset + static_cast<std::size_t>(i)] =
            static_cast<std::int8_t>(engine() % 4 == 0 ? static_cast<int>(engine() % 256) - 128 : (engine() % 2 ? 100 : -100));
      }
      rate_recover(*plan, std::span<const Llr>(received).subspan(f_offset, static_cast<std::size_t>(e)),
                   cpu_buffers[static_cast<std::size_t>(r)], combine);
      // HARQ buffers in reverse order: the buffer index is free.
      gpu_blocks.push_back(rate_recovery_block(*plan, r, f_offset, blocks - 1 - r + 3, combine,
                                               static_cast<std::size_t>(r) * static_cast<std::size_t>(seg.n + 7) + 3,
                                               seg.n - r % 3));
    }
    gpu_rate_recovery::LaunchShape shape;
    const Status s = gpu_rate_recovery::fill_descriptors(config, gpu_blocks, descriptors, stamps, ++stamp, shape);
    ASSERT_TRUE(s.is_ok()) << s.message();
    const gpu_rate_recovery::KernelParams params{descriptors.data(), received.data(), harq.data(), output.data()};
    gpu_rate_recovery::emulate_kernel(params, shape);

    for (int r = 0; r < blocks; ++r) {
      SCOPED_TRACE(::testing::Message() << "code block " << r);
      const auto& cpu = cpu_buffers[static_cast<std::size_t>(r)];
      const std::int8_t* gpu = harq.data() + static_cast<std::size_t>(blocks - 1 - r + 3) * gpu_rate_recovery::kHarqBufferBytes;
      ASSERT_EQ(std::vector<std::int8_t>(gpu, gpu + seg.n), cpu);
      const std::size_t out = static_cast<std::size_t>(r) * static_cast<std::size_t>(seg.n + 7) + 3;
      const int count = seg.n - r % 3;
      ASSERT_EQ(std::vector<std::int8_t>(output.begin() + static_cast<std::ptrdiff_t>(out),
                                         output.begin() + static_cast<std::ptrdiff_t>(out) + count),
                std::vector<std::int8_t>(cpu.begin(), cpu.begin() + count));
      ASSERT_EQ(output[out - 1], 0x22);
      ASSERT_EQ(output[out + static_cast<std::size_t>(count)], 0x22);
    }
  }
  // Buffers not named by any block are untouched.
  for (int unused = 0; unused < 3; ++unused) {
    EXPECT_EQ(harq[static_cast<std::size_t>(unused) * gpu_rate_recovery::kHarqBufferBytes], 0x11);
  }
}

TEST(GpuRateRecoveryEmulation, MatchesCpuRateRecoverWithHarqCombining) {
  const TransportCase cases[] = {
      {8448 * 3, BaseGraph::bg1, 60000, 2},                // 3+ blocks, no wrap at rv 0
      {19968, BaseGraph::bg1, 40002, 6},                   // R ~ 1/2, fillers
      {24, BaseGraph::bg2, 1200, 2},                        // tiny block repeated many times (E >> N_cb)
      {200, BaseGraph::bg2, 6000, 1},                       // pi/2-BPSK, repetition
      {3000, BaseGraph::bg2, 4000, 4},
      {1000, BaseGraph::bg1, 3000, 8},
      {5000, BaseGraph::bg2, 9000, 10},
      {60000, BaseGraph::bg1, 100000, 4, 60000},          // limited buffer: N_cb < N
      {9000, BaseGraph::bg1, 14004, 6, 9000},
  };
  std::uint64_t seed = 1;
  for (const TransportCase& c : cases) expect_identical_soft_buffers(c, seed++);
}

TEST(GpuRateRecoverySetup, ErrorsNameTheBlockAndField) {
  GpuRateRecoveryConfig config;
  config.max_code_blocks = 2;
  config.max_e_per_block = 1000;
  config.harq_buffers = 4;
  std::vector<gpu_rate_recovery::BlockDescriptor> descriptors(2);
  std::vector<std::uint32_t> stamps(4, 0);
  std::uint32_t stamp = 0;
  gpu_rate_recovery::LaunchShape shape;
  GpuRateRecoveryBlock good;
  good.e = 600;
  good.modulation_order = 2;
  good.ncb = 1000;
  good.n = 1000;
  good.filler_begin = 100;
  good.filler_end = 120;
  good.output_count = 900;
  auto message = [&](std::vector<GpuRateRecoveryBlock> blocks) {
    const Status s = gpu_rate_recovery::fill_descriptors(config, blocks, descriptors, stamps, ++stamp, shape);
    return s ? std::string("ok") : s.message();
  };
  auto with = [&](auto change) {
    GpuRateRecoveryBlock b = good;
    change(b);
    return b;
  };
  EXPECT_EQ(message({good}), "ok");
  EXPECT_EQ(shape.output_extent, 900U);
  EXPECT_NE(message({with([](auto& b) { b.modulation_order = 3; })}).find("modulation_order=3"), std::string::npos);
  EXPECT_NE(message({with([](auto& b) { b.e = 601; })}).find("e=601"), std::string::npos);
  EXPECT_NE(message({with([](auto& b) { b.f_offset = 1500; })}).find("f_offset=1500"), std::string::npos);
  EXPECT_NE(message({with([](auto& b) { b.k0 = 1000; })}).find("k0=1000"), std::string::npos);
  EXPECT_NE(message({with([](auto& b) { b.ncb = 110; })}).find("ncb=110"), std::string::npos);
  EXPECT_NE(message({with([](auto& b) { b.harq_buffer = 4; })}).find("harq_buffer=4"), std::string::npos);
  EXPECT_NE(message({good, with([](auto& b) { b.f_offset = 600; })}).find("code block 1: harq_buffer=0 is used"),
            std::string::npos);
  EXPECT_EQ(message({good, with([](auto& b) { b.harq_buffer = 1; })}), "ok");
  EXPECT_NE(message({good, good, good}).find("3 code blocks"), std::string::npos);
}

TEST(GpuRateRecoverySetup, ConfigValidation) {
  GpuRateRecoveryConfig config;
  config.harq_buffers = 0;
  EXPECT_NE(validate(config).message().find("harq_buffers=0"), std::string::npos);
  config = {};
  config.max_code_blocks = 4096;
  config.max_e_per_block = 1'000'000;
  EXPECT_NE(validate(config).message().find("2^31"), std::string::npos);
  config = {};
  config.max_code_blocks = 1;
  auto recovery = GpuRateRecovery::create(config);
  if (!recovery) {
    EXPECT_FALSE(recovery.error().message.empty());
  }
}

}  // namespace
}  // namespace airan::phy
