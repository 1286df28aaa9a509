// The whole uplink on the GPU (GpuPuschReceiver behind the slot-receiver interface) against the
// CPU backend on the same slots: decoded TB bits and CRC verdicts identical, code-block counts
// identical, SINR and noise within float-rounding tolerances; the graph and the plain launch
// path agree; HARQ combining across slots; two cells on their own streams at once. Without a
// CUDA device every test skips with detect_gpu()'s reason.
#include <gtest/gtest.h>

#include "../support/require_gpu.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "../support/pusch_slot_scenario.hpp"
#include "airan/phy/cuda/gpu_pusch_receiver.hpp"
#include "airan/phy/gpu.hpp"

namespace airan::phy {
namespace {

struct Decoded {
  std::vector<std::vector<std::uint8_t>> tbs;
  std::vector<PuschSlotUeResult> results;
};

Decoded receive(PuschSlotReceiver& receiver, const test::PuschSlotScenario& s, bool new_data = true) {
  Decoded d;
  const std::vector<PuschSlotUe> ues = s.slot_ues(d.tbs, new_data);
  d.results.resize(ues.size());
  const Status status = receiver.receive(s.grid, ues, d.results);
  EXPECT_TRUE(status.is_ok()) << status.message();
  return d;
}

void expect_same(const Decoded& gpu, const Decoded& cpu) {
  ASSERT_EQ(gpu.results.size(), cpu.results.size());
  for (std::size_t u = 0; u < gpu.results.size(); ++u) {
    SCOPED_TRACE(::testing::Message() << "UE " << u);
    EXPECT_EQ(gpu.results[u].tb_crc_ok, cpu.results[u].tb_crc_ok);
    EXPECT_EQ(gpu.results[u].code_blocks, cpu.results[u].code_blocks);
    EXPECT_EQ(gpu.results[u].code_blocks_ok, cpu.results[u].code_blocks_ok);
    if (cpu.results[u].tb_crc_ok) {
      EXPECT_EQ(gpu.tbs[u], cpu.tbs[u]);
    }
    EXPECT_NEAR(gpu.results[u].sinr_db, cpu.results[u].sinr_db, 0.05);
    EXPECT_NEAR(gpu.results[u].noise_variance, cpu.results[u].noise_variance,
                1e-3 * cpu.results[u].noise_variance + 1e-9);
  }
}

TEST(GpuPuschReceiver, DecodesTheSlotAsTheCpuBackend) {
  AIRAN_REQUIRE_GPU();
  for (std::uint64_t seed : {31, 32, 33}) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    const test::PuschSlotScenario s = test::make_pusch_slot(seed, test::default_slot_ues());
    auto gpu = create_pusch_slot_receiver(PhyBackend::cuda, test::slot_receiver_config());
    ASSERT_TRUE(gpu.has_value()) << gpu.error().message;
    auto cpu = create_pusch_slot_receiver(PhyBackend::cpu, test::slot_receiver_config());
    ASSERT_TRUE(cpu.has_value());
    const Decoded g = receive(**gpu, s);
    const Decoded c = receive(**cpu, s);
    expect_same(g, c);
    for (std::size_t u = 0; u < s.tbs.size(); ++u) EXPECT_EQ(g.tbs[u], s.tbs[u]) << "UE " << u;
    EXPECT_GT((*gpu)->last_times().device_us, 0.0);
  }
}

TEST(GpuPuschReceiver, TransformPrecodedUesBesideCpOfdmUes) {
  AIRAN_REQUIRE_GPU();
  std::vector<test::SlotUeSpec> spec = test::default_slot_ues();
  spec.push_back({1, McsTable::qam64, 9, 0, 106, 100, 5, 0, true});  // DFT-s-OFDM, 5 PRBs
  const test::PuschSlotScenario s = test::make_pusch_slot(41, spec);
  auto gpu = create_pusch_slot_receiver(PhyBackend::cuda, test::slot_receiver_config());
  ASSERT_TRUE(gpu.has_value()) << gpu.error().message;
  auto cpu = create_pusch_slot_receiver(PhyBackend::cpu, test::slot_receiver_config());
  ASSERT_TRUE(cpu.has_value());
  const Decoded g = receive(**gpu, s);
  expect_same(g, receive(**cpu, s));
  for (std::size_t u = 0; u < s.tbs.size(); ++u) EXPECT_EQ(g.tbs[u], s.tbs[u]) << "UE " << u;
}

TEST(GpuPuschReceiver, GraphAndPlainLaunchesAgreeAndTheGraphIsReused) {
  AIRAN_REQUIRE_GPU();
  const test::PuschSlotScenario s = test::make_pusch_slot(34, test::default_slot_ues(), 12.0);
  PuschSlotReceiverConfig config = test::slot_receiver_config();
  auto graph = GpuPuschReceiver::create(config);
  ASSERT_TRUE(graph.has_value()) << graph.error().message;
  config.cuda_graph = false;
  auto plain = GpuPuschReceiver::create(config);
  ASSERT_TRUE(plain.has_value());
  const Decoded a = receive(**graph, s);
  const Decoded b = receive(**plain, s);
  for (std::size_t u = 0; u < a.results.size(); ++u) {
    EXPECT_EQ(a.tbs[u], b.tbs[u]);
    EXPECT_EQ(a.results[u].tb_crc_ok, b.results[u].tb_crc_ok);
    EXPECT_EQ(a.results[u].max_iterations, b.results[u].max_iterations);
    EXPECT_EQ(a.results[u].sinr_db, b.results[u].sinr_db);
  }
  (void)receive(**graph, s);
  EXPECT_EQ((*graph)->cached_graphs(), 1);
  EXPECT_EQ((*plain)->cached_graphs(), 0);
}

TEST(GpuPuschReceiver, StageTimesAddUpToTheSlot) {
  AIRAN_REQUIRE_GPU();
  const test::PuschSlotScenario s = test::make_pusch_slot(42, test::default_slot_ues());
  PuschSlotReceiverConfig config = test::slot_receiver_config();
  config.cuda_graph = false;
  config.stage_timing = true;
  auto gpu = GpuPuschReceiver::create(config);
  ASSERT_TRUE(gpu.has_value()) << gpu.error().message;
  const Decoded d = receive(**gpu, s);
  for (const PuschSlotUeResult& r : d.results) EXPECT_TRUE(r.tb_crc_ok);
  const PuschSlotTimes& t = (*gpu)->last_times();
  const double stages[] = {t.stages.front_end_us, t.stages.quantize_us, t.stages.rate_recovery_us,
                           t.stages.ldpc_us,      t.stages.assemble_us, t.stages.results_us};
  double sum = 0.0;
  for (double v : stages) {
    EXPECT_GE(v, 0.0);
    sum += v;
  }
  EXPECT_NEAR(sum, t.device_us, 0.01 * t.device_us + 1.0);
}

TEST(GpuPuschReceiver, LowSnrAndRetransmissionsMatchTheCpuBackend) {
  AIRAN_REQUIRE_GPU();
  // A first transmission at 0 dB fails; the rv-3 retransmission at 20 dB combines with it in the
  // device HARQ buffers, quantised on the first transmission's scale, and decodes (checked on
  // the CPU backend: these SNRs are decisive, not marginal, for the 64QAM and 16QAM UEs).
  std::vector<test::SlotUeSpec> spec = {test::default_slot_ues()[0], test::default_slot_ues()[1]};
  const test::PuschSlotScenario first = test::make_pusch_slot(35, spec, 0.0);
  for (auto& ue : spec) ue.rv = 3;
  const test::PuschSlotScenario second = test::make_pusch_slot(36, spec, 20.0, 106, &first.tbs);
  auto gpu = create_pusch_slot_receiver(PhyBackend::cuda, test::slot_receiver_config());
  ASSERT_TRUE(gpu.has_value()) << gpu.error().message;
  auto cpu = create_pusch_slot_receiver(PhyBackend::cpu, test::slot_receiver_config());
  ASSERT_TRUE(cpu.has_value());
  const Decoded g_first = receive(**gpu, first);
  expect_same(g_first, receive(**cpu, first));
  for (const PuschSlotUeResult& r : g_first.results) EXPECT_FALSE(r.tb_crc_ok);
  const Decoded g = receive(**gpu, second, false);
  const Decoded c = receive(**cpu, second, false);
  expect_same(g, c);
  for (std::size_t u = 0; u < g.results.size(); ++u) {
    EXPECT_TRUE(g.results[u].tb_crc_ok) << "UE " << u;
    EXPECT_EQ(g.tbs[u], first.tbs[u]) << "UE " << u;
  }
}

TEST(GpuPuschReceiver, AFullCarrierOfFourLayers) {
  AIRAN_REQUIRE_GPU();
  // 273 PRBs, 4 layers, 64QAM: a TB of about 50 code blocks.
  const std::vector<test::SlotUeSpec> spec = {{4, McsTable::qam64, 17, 0, 273, 0, 273}};
  const test::PuschSlotScenario s = test::make_pusch_slot(37, spec, 35.0, 273);
  const PuschSlotReceiverConfig config = test::slot_receiver_config(273);
  auto gpu = create_pusch_slot_receiver(PhyBackend::cuda, config);
  ASSERT_TRUE(gpu.has_value()) << gpu.error().message;
  auto cpu = create_pusch_slot_receiver(PhyBackend::cpu, config);
  ASSERT_TRUE(cpu.has_value());
  const Decoded g = receive(**gpu, s);
  expect_same(g, receive(**cpu, s));
  EXPECT_GT(g.results[0].code_blocks, 30);
  EXPECT_TRUE(g.results[0].tb_crc_ok);
}

TEST(GpuPuschReceiver, TwoCellsOnTheirOwnStreams) {
  AIRAN_REQUIRE_GPU();
  const test::PuschSlotScenario a = test::make_pusch_slot(38, test::default_slot_ues());
  const test::PuschSlotScenario b = test::make_pusch_slot(39, test::default_slot_ues());
  auto cell_a = GpuPuschReceiver::create(test::slot_receiver_config());
  auto cell_b = GpuPuschReceiver::create(test::slot_receiver_config());
  ASSERT_TRUE(cell_a.has_value() && cell_b.has_value());
  EXPECT_NE((*cell_a)->stream(), (*cell_b)->stream());
  Decoded da;
  Decoded db;
  const auto ues_a = a.slot_ues(da.tbs);
  const auto ues_b = b.slot_ues(db.tbs);
  da.results.resize(ues_a.size());
  db.results.resize(ues_b.size());
  ASSERT_TRUE((*cell_a)->setup(ues_a, a.grid.ports(), a.grid.subcarriers()).is_ok());
  ASSERT_TRUE((*cell_b)->setup(ues_b, b.grid.ports(), b.grid.subcarriers()).is_ok());
  ASSERT_TRUE((*cell_a)->upload_grid(a.grid).is_ok());
  ASSERT_TRUE((*cell_b)->upload_grid(b.grid).is_ok());
  ASSERT_TRUE((*cell_a)->enqueue().is_ok());
  ASSERT_TRUE((*cell_b)->enqueue().is_ok());
  ASSERT_TRUE((*cell_a)->finish(ues_a, da.results).is_ok());
  ASSERT_TRUE((*cell_b)->finish(ues_b, db.results).is_ok());
  for (std::size_t u = 0; u < a.tbs.size(); ++u) {
    EXPECT_TRUE(da.results[u].tb_crc_ok);
    EXPECT_EQ(da.tbs[u], a.tbs[u]);
    EXPECT_TRUE(db.results[u].tb_crc_ok);
    EXPECT_EQ(db.tbs[u], b.tbs[u]);
  }
}

TEST(GpuPuschReceiver, ACellGroupInOneLaunchPerStage) {
  AIRAN_REQUIRE_GPU();
  // Three cells of 106 PRBs and 4 ports, the default UEs in each, one receiver (max_cells = 3):
  // every UE of every cell decodes as the CPU backend decodes its own cell.
  constexpr int kCells = 3;
  PuschSlotReceiverConfig config = test::slot_receiver_config();
  config.limits.max_cells = kCells;
  config.limits.max_ues = 12;
  config.harq_processes = 12;
  auto gpu = GpuPuschReceiver::create(config);
  ASSERT_TRUE(gpu.has_value()) << gpu.error().message;
  std::vector<test::PuschSlotScenario> cells;
  std::vector<std::vector<std::uint8_t>> decoded;
  std::vector<PuschSlotUe> ues;
  for (int c = 0; c < kCells; ++c) cells.push_back(test::make_pusch_slot(50 + c, test::default_slot_ues()));
  decoded.reserve(12);
  for (int c = 0; c < kCells; ++c) {
    for (std::size_t u = 0; u < cells[c].plans.size(); ++u) {
      decoded.emplace_back(cells[c].tbs[u].size(), 2);
      PuschSlotUe ue{&cells[c].plans[u], cells[c].bwp_start_prb[u], true, static_cast<int>(ues.size()), decoded.back()};
      ue.cell = c;
      ues.push_back(ue);
    }
  }
  std::vector<PuschSlotUeResult> results(ues.size());
  ASSERT_TRUE((*gpu)->setup(ues, 4, 12 * 106).is_ok());
  for (int c = 0; c < kCells; ++c) ASSERT_TRUE((*gpu)->upload_grid(cells[c].grid, c).is_ok());
  ASSERT_TRUE((*gpu)->enqueue().is_ok());
  const Status finished = (*gpu)->finish(ues, results);
  ASSERT_TRUE(finished.is_ok()) << finished.message();
  std::size_t i = 0;
  for (int c = 0; c < kCells; ++c) {
    auto cpu = create_pusch_slot_receiver(PhyBackend::cpu, test::slot_receiver_config());
    ASSERT_TRUE(cpu.has_value());
    const Decoded expected = receive(**cpu, cells[c]);
    for (std::size_t u = 0; u < cells[c].plans.size(); ++u, ++i) {
      SCOPED_TRACE(::testing::Message() << "cell " << c << " UE " << u);
      EXPECT_EQ(results[i].tb_crc_ok, expected.results[u].tb_crc_ok);
      EXPECT_TRUE(results[i].tb_crc_ok);
      EXPECT_EQ(decoded[i], cells[c].tbs[u]);
      EXPECT_NEAR(results[i].sinr_db, expected.results[u].sinr_db, 0.05);
    }
  }
  // A UE of a cell the receiver was not made for is refused by name.
  ues[0].cell = kCells;
  const Status refused = (*gpu)->setup(ues, 4, 12 * 106);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.message().find("cell 3 is outside 0..2"), std::string::npos) << refused.message();
}

TEST(GpuPuschReceiver, PreparedProcessesTakeARetransmissionFirst) {
  AIRAN_REQUIRE_GPU();
  const test::PuschSlotScenario s = test::make_pusch_slot(43, test::default_slot_ues());
  auto gpu = create_pusch_slot_receiver(PhyBackend::cuda, test::slot_receiver_config());
  ASSERT_TRUE(gpu.has_value()) << gpu.error().message;
  auto cpu = create_pusch_slot_receiver(PhyBackend::cpu, test::slot_receiver_config());
  ASSERT_TRUE(cpu.has_value());
  std::vector<std::vector<std::uint8_t>> unused;
  const std::vector<PuschSlotUe> ues = s.slot_ues(unused, false);
  ASSERT_TRUE((*gpu)->prepare(ues).is_ok());
  ASSERT_TRUE((*cpu)->prepare(ues).is_ok());
  const Decoded g = receive(**gpu, s, false);
  expect_same(g, receive(**cpu, s, false));
  for (std::size_t u = 0; u < s.tbs.size(); ++u) EXPECT_EQ(g.tbs[u], s.tbs[u]) << "UE " << u;
}

TEST(GpuPuschReceiver, RejectsWhatItCannotDo) {
  AIRAN_REQUIRE_GPU();
  PuschSlotReceiverConfig config = test::slot_receiver_config();
  config.receiver.interference_rejection = true;
  auto irc = GpuPuschReceiver::create(config);
  ASSERT_FALSE(irc.has_value());
  EXPECT_NE(irc.error().message.find("MMSE-IRC"), std::string::npos);
  auto gpu = GpuPuschReceiver::create(test::slot_receiver_config());
  ASSERT_TRUE(gpu.has_value());
  const test::PuschSlotScenario s = test::make_pusch_slot(40, test::default_slot_ues());
  std::vector<std::vector<std::uint8_t>> decoded;
  auto ues = s.slot_ues(decoded, false);
  std::vector<PuschSlotUeResult> results(ues.size());
  const Status status = (*gpu)->receive(s.grid, ues, results);
  ASSERT_FALSE(status.is_ok());
  EXPECT_NE(status.message().find("a retransmission of TBS"), std::string::npos) << status.message();
  EXPECT_FALSE((*gpu)->enqueue().is_ok());  // the failed setup left nothing to run
}

}  // namespace
}  // namespace airan::phy
