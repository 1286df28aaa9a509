// `airan replay --backend cuda` against `--backend cpu` on RU-emulator traces: the packets go
// through the assembler's descriptor mode and the fronthaul order step into the GPU receiver's
// device grid (BFP and uncompressed cells), or through the host grid (block scaling); every TB
// verdict and the packet counters must equal the CPU backend's. Without a CUDA device every
// test skips with detect_gpu()'s reason.
#include <gtest/gtest.h>

#include "../support/require_gpu.hpp"

#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "airan/phy/gpu.hpp"
#include "airan/replay.hpp"
#include "airan/ru_emu.hpp"
#include "airan/scenario.hpp"
#include "airan/work_folder.hpp"

namespace airan::tools {
namespace {

ReplayReport replay(const std::filesystem::path& trace, const std::string& backend) {
  ReplayOptions o;
  o.trace = trace.string();
  o.io = "pcap";
  o.backend = backend;
  auto report = run_replay(o);
  EXPECT_TRUE(report.has_value()) << backend << ": " << (report ? "" : report.error().message);
  return report ? *report : ReplayReport{};
}

void check(const std::string& compression, int layers) {
  SCOPED_TRACE(compression + ", " + std::to_string(layers) + " layers");
  WorkFolder folder("", "airan-gpu-replay");
  const std::string yaml = fmt::format(
      "cell: {{numerology: 1, prbs: 106, rx_antennas: 4, cell_id: 5, tdd_pattern: DDDSU}}\n"
      "fronthaul: {{compression: {}, dynamic_header: true, mtu: 1500, ta3_us: 70}}\n"
      "slots: 40\nseed: 3\n"
      "ues:\n"
      "  - {{rnti: 0x4601, prbs: [0, 50], mcs: 16, mcs_table: qam64, layers: {}, snr_db: 28, channel: tdla30}}\n"
      "  - {{rnti: 0x4602, prbs: [50, 56], mcs: 9, mcs_table: qam64, layers: 1, snr_db: 20, channel: tdlb100}}\n",
      compression, layers);
  auto scenario = parse_scenario(yaml);
  ASSERT_TRUE(scenario.has_value()) << scenario.error().message;
  RuEmuOptions emu;
  emu.output = folder.path() / "trace.pcap";
  ASSERT_TRUE(run_ru_emu(*scenario, emu).has_value());
  const ReplayReport cpu = replay(emu.output, "cpu");
  const ReplayReport gpu = replay(emu.output, "cuda");
  EXPECT_EQ(gpu.backend, "cuda");
  EXPECT_GT(cpu.tbs.scheduled, 0);
  EXPECT_EQ(gpu.tbs.decoded, cpu.tbs.decoded);
  EXPECT_EQ(gpu.tbs.crc_pass, cpu.tbs.crc_pass);
  EXPECT_EQ(gpu.tbs.crc_pass, gpu.tbs.scheduled);
  EXPECT_EQ(gpu.packets.on_time, cpu.packets.on_time);
  EXPECT_EQ(gpu.slots, cpu.slots);
  EXPECT_NEAR(gpu.mean_sinr_db, cpu.mean_sinr_db, 0.1);
  EXPECT_GT(gpu.gpu.p50, 0.0);
}

TEST(GpuReplay, Bfp9ThroughTheOrderStep) {
  AIRAN_REQUIRE_GPU();
  check("bfp9", 2);
}

TEST(GpuReplay, UncompressedThroughTheOrderStep) {
  AIRAN_REQUIRE_GPU();
  check("none", 4);
}

TEST(GpuReplay, BlockScalingThroughTheHostGrid) {
  AIRAN_REQUIRE_GPU();
  check("block_scaling9", 1);
}

}  // namespace
}  // namespace airan::tools
