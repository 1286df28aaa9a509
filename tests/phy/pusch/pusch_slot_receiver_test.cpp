// The slot receiver: its CPU backend on a multi-UE slot, the checks both backends share, and
// the GPU chain (descriptor plan, quantize, rate recovery, LDPC, TB assembly and CRC) run on the
// CPU by emulating every kernel thread, fed with the CPU front half's LLRs. What only a device
// can check (launches, graphs, the CUDA runtime) is in tests/gpu/gpu_pusch_receiver_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "airan/phy/coding/llr.hpp"
#include "airan/phy/cuda/gpu_pusch_receiver.hpp"
#include "airan/phy/detail/gpu_ldpc_host.hpp"
#include "airan/phy/detail/gpu_pusch_chain_host.hpp"
#include "airan/phy/detail/gpu_rate_recovery_host.hpp"
#include "airan/phy/gpu.hpp"
#include "../../support/pusch_slot_scenario.hpp"

namespace airan::phy {
namespace {

namespace chain = gpu_pusch_chain;


TEST(PuschSlotReceiver, CpuBackendDecodesEveryUeOfTheSlot) {
  const test::PuschSlotScenario s = test::make_pusch_slot(11, test::default_slot_ues());
  auto receiver = create_pusch_slot_receiver(PhyBackend::cpu, test::slot_receiver_config());
  ASSERT_TRUE(receiver.has_value()) << receiver.error().message;
  std::vector<std::vector<std::uint8_t>> decoded;
  const std::vector<PuschSlotUe> ues = s.slot_ues(decoded);
  std::vector<PuschSlotUeResult> results(ues.size());
  const Status status = (*receiver)->receive(s.grid, ues, results);
  ASSERT_TRUE(status.is_ok()) << status.message();
  EXPECT_EQ((*receiver)->backend(), PhyBackend::cpu);
  EXPECT_GT((*receiver)->last_times().host_us, 0.0);
  EXPECT_EQ((*receiver)->last_times().device_us, -1.0);
  for (std::size_t u = 0; u < ues.size(); ++u) {
    SCOPED_TRACE(::testing::Message() << "UE " << u);
    EXPECT_TRUE(results[u].tb_crc_ok);
    EXPECT_EQ(decoded[u], s.tbs[u]);
    EXPECT_EQ(results[u].code_blocks, s.plans[u].sch.segmentation.num_blocks);
    EXPECT_EQ(results[u].code_blocks_ok, results[u].code_blocks);
    EXPECT_GT(results[u].sinr_db, 10.0);
  }
  EXPECT_GT(s.plans[0].sch.segmentation.num_blocks, 1);  // the scenario covers segmented TBs
  EXPECT_EQ(s.plans[2].sch.segmentation.tb_crc_bits, 16);  // and a CRC16 TB
}

TEST(PuschSlotReceiver, CpuBackendTakesTransformPrecodedUes) {
  std::vector<test::SlotUeSpec> spec = test::default_slot_ues();
  spec.push_back({1, McsTable::qam64, 9, 0, 106, 100, 5, 0, true});  // DFT-s-OFDM, 5 PRBs
  const test::PuschSlotScenario s = test::make_pusch_slot(13, spec);
  auto receiver = create_pusch_slot_receiver(PhyBackend::cpu, test::slot_receiver_config());
  ASSERT_TRUE(receiver.has_value());
  std::vector<std::vector<std::uint8_t>> decoded;
  const std::vector<PuschSlotUe> ues = s.slot_ues(decoded);
  std::vector<PuschSlotUeResult> results(ues.size());
  ASSERT_TRUE((*receiver)->receive(s.grid, ues, results).is_ok());
  for (std::size_t u = 0; u < ues.size(); ++u) {
    EXPECT_TRUE(results[u].tb_crc_ok) << "UE " << u;
    EXPECT_EQ(decoded[u], s.tbs[u]) << "UE " << u;
  }
}

TEST(PuschSlotReceiver, PreparedProcessesHoldNothingYet) {
  // prepare() sizes the soft buffers; the processes hold zeros, so a retransmission that comes
  // first (a capture that starts mid-HARQ) combines with nothing and, self-decodable, decodes.
  const test::PuschSlotScenario s = test::make_pusch_slot(14, test::default_slot_ues());
  auto receiver = create_pusch_slot_receiver(PhyBackend::cpu, test::slot_receiver_config());
  ASSERT_TRUE(receiver.has_value());
  std::vector<std::vector<std::uint8_t>> decoded;
  const std::vector<PuschSlotUe> ues = s.slot_ues(decoded, false);
  ASSERT_TRUE((*receiver)->prepare(ues).is_ok());
  std::vector<PuschSlotUeResult> results(ues.size());
  const Status status = (*receiver)->receive(s.grid, ues, results);
  ASSERT_TRUE(status.is_ok()) << status.message();
  for (std::size_t u = 0; u < ues.size(); ++u) {
    EXPECT_TRUE(results[u].tb_crc_ok) << "UE " << u;
    EXPECT_EQ(decoded[u], s.tbs[u]) << "UE " << u;
  }
  std::vector<PuschSlotUe> bad = ues;
  bad[0].harq_process = 99;
  EXPECT_NE((*receiver)->prepare(bad).message().find("harq_process=99 is outside 0..7"), std::string::npos);
}

TEST(PuschSlotReceiver, RejectsImpossibleSlotsByName) {
  const test::PuschSlotScenario s = test::make_pusch_slot(12, test::default_slot_ues());
  const PuschSlotReceiverConfig config = test::slot_receiver_config();
  auto receiver = create_pusch_slot_receiver(PhyBackend::cpu, config);
  ASSERT_TRUE(receiver.has_value());
  std::vector<std::vector<std::uint8_t>> decoded;
  std::vector<PuschSlotUeResult> results(3);
  const auto message = [&](std::vector<PuschSlotUe> ues, const ResourceGrid& grid) {
    results.resize(ues.size());
    const Status st = (*receiver)->receive(grid, ues, results);
    return st ? std::string() : st.message();
  };
  auto ues = s.slot_ues(decoded);
  ues[1].harq_process = 0;
  EXPECT_NE(message(ues, s.grid).find("UE 1: harq_process=0 is UE 0's too"), std::string::npos);
  ues = s.slot_ues(decoded);
  ues[2].harq_process = 8;
  EXPECT_NE(message(ues, s.grid).find("harq_process=8 is outside 0..7"), std::string::npos);
  ues = s.slot_ues(decoded);
  ues[0].bwp_start_prb = 50;
  EXPECT_NE(message(ues, s.grid).find("UE 0: BWP 50+106 PRBs lies outside the 106-PRB cell grid"), std::string::npos);
  ues = s.slot_ues(decoded);
  ues[1].tb_bits = ues[1].tb_bits.first(10);
  EXPECT_NE(message(ues, s.grid).find("tb_bits holds 10 bits"), std::string::npos);
  ResourceGrid two_ports(2, kSymbolsPerSlot, 12 * 106);
  EXPECT_NE(message(s.slot_ues(decoded), two_ports).find("UE 2: 4 layers on 2 receive ports"), std::string::npos);
  results.resize(1);
  EXPECT_FALSE((*receiver)->receive(s.grid, s.slot_ues(decoded), results).is_ok());

  PuschSlotReceiverConfig bad = config;
  bad.limits.max_ues = 0;
  EXPECT_NE(create_pusch_slot_receiver(PhyBackend::cpu, bad).error().message.find("limits.max_ues=0"), std::string::npos);
  bad = config;
  bad.harq_processes = 0;
  EXPECT_NE(create_pusch_slot_receiver(PhyBackend::cpu, bad).error().message.find("harq_processes=0"), std::string::npos);
  EXPECT_FALSE(parse_phy_backend("gpu").has_value());
  EXPECT_EQ(*parse_phy_backend("cuda"), PhyBackend::cuda);
}

TEST(PuschSlotReceiver, CudaBackendSaysWhyItIsMissing) {
  if (detect_gpu().available) GTEST_SKIP() << "a GPU is present: tests/gpu covers the CUDA backend";
  auto receiver = create_pusch_slot_receiver(PhyBackend::cuda, test::slot_receiver_config());
  ASSERT_FALSE(receiver.has_value());
  EXPECT_NE(receiver.error().message.find("GPU PUSCH"), std::string::npos) << receiver.error().message;
}

// The GPU chain after the front end, every kernel emulated on the host, on the GPU layouts.
struct EmulatedChain {
  PuschSlotReceiverConfig config = test::slot_receiver_config();
  chain::Sizing sizing;
  std::vector<chain::HarqProcess> harq;
  chain::SoftBufferPool pool;
  chain::SlotChain slot;
  // Front-end outputs (natural-unit LLRs, post-equalisation noise per symbol).
  std::vector<float> llrs, symbol_noise;
  std::size_t symbol_stride = 0;
  // Chain buffers.
  std::vector<chain::UeDescriptor> ue_descriptors;
  std::vector<float> gains, sinr_sums;
  std::vector<std::uint32_t> nonzero, remainders, crc_tables;
  std::vector<std::int8_t> received, harq_buffers, decoder_llrs, messages;
  std::vector<std::uint8_t> block_bits, tb_bits;
  std::vector<gpu_ldpc::BlockOutcome> outcomes;

  explicit EmulatedChain(int soft_buffers = 0, int max_cells = 1) {
    config.gpu_soft_buffers = soft_buffers;
    config.limits.max_cells = max_cells;
    auto z = chain::sizing(config);
    EXPECT_TRUE(z.has_value());
    sizing = *z;
    harq.resize(static_cast<std::size_t>(sizing.harq_processes));
    pool.reset(sizing.soft_buffers, sizing.harq_processes, sizing.max_blocks_per_tb);
    slot.reserve(sizing);
    const auto ues = static_cast<std::size_t>(sizing.max_ues);
    llrs.resize(ues * sizing.llr_stride);
    symbol_stride = sizing.llr_stride / 2;  // at least G / Qm
    symbol_noise.resize(ues * symbol_stride);
    gains.resize(ues);
    sinr_sums.resize(ues);
    nonzero.resize(ues);
    remainders.resize(ues);
    crc_tables = chain::tb_crc_tables(sizing.crc_table_length);
    received.resize(sizing.received_capacity);
    harq_buffers.resize(static_cast<std::size_t>(sizing.soft_buffers) * gpu_rate_recovery::kHarqBufferBytes);
    decoder_llrs.resize(static_cast<std::size_t>(sizing.max_code_blocks) * chain::kLlrsPerBlockSlot);
    block_bits.resize(static_cast<std::size_t>(sizing.max_code_blocks) * gpu_ldpc::kBitsPerBlockSlot);
    messages.resize(static_cast<std::size_t>(sizing.max_code_blocks) * gpu_ldpc::kMessageBytesPerBlock);
    outcomes.resize(static_cast<std::size_t>(sizing.max_code_blocks));
    tb_bits.resize(sizing.tb_bits_capacity);
  }

  // The CPU front half's LLRs of every UE stand in for the GPU front end's.
  void front_end(const test::PuschSlotScenario& s) {
    auto receiver = PuschReceiver::create({});
    ASSERT_TRUE(receiver.has_value());
    for (std::size_t u = 0; u < s.plans.size(); ++u) {
      const PuschPlan& plan = s.plans[u];
      ResourceGrid bwp;
      bwp.assign_subcarriers(s.grid, 12 * s.bwp_start_prb[u], 12 * plan.config.bwp_size);
      std::span<float> out(llrs.data() + u * sizing.llr_stride, static_cast<std::size_t>(plan.g));
      ASSERT_TRUE((*receiver)->soft_bits(plan, bwp, out).is_ok());
      std::fill_n(symbol_noise.begin() + static_cast<std::ptrdiff_t>(u * symbol_stride), plan.g / plan.modulation_order,
                  0.02F);
    }
  }

  chain::KernelParams params() {
    return {ue_descriptors.data(), llrs.data(),      sizing.llr_stride,          symbol_noise.data(),
            symbol_stride,         received.data(),  gains.data(),               sinr_sums.data(),
            nonzero.data(),        block_bits.data(), gpu_ldpc::kBitsPerBlockSlot, crc_tables.data(),
            static_cast<std::uint32_t>(sizing.crc_table_length), tb_bits.data(), remainders.data()};
  }

  // One slot: plan, quantize, rate recovery, LDPC, assemble; the HARQ state committed.
  Status run(std::span<const PuschSlotUe> ues) {
    if (Status s = chain::plan_slot(sizing, config, ues, harq, pool, slot); !s) return s;
    ue_descriptors = slot.ues;
    const chain::KernelParams p = params();
    chain::emulate_quantize(p, static_cast<int>(ues.size()));

    GpuRateRecoveryConfig rr_config{.max_code_blocks = sizing.max_code_blocks,
                                    .max_e_per_block = static_cast<int>(sizing.llr_stride),
                                    .harq_buffers = sizing.soft_buffers,
                                    .max_received_soft_bits = sizing.received_capacity};
    std::vector<gpu_rate_recovery::BlockDescriptor> rr(slot.rate_recovery.size());
    std::vector<std::uint32_t> stamps(static_cast<std::size_t>(rr_config.harq_buffers), 0);
    gpu_rate_recovery::LaunchShape rr_shape;
    if (Status s = gpu_rate_recovery::fill_descriptors(rr_config, slot.rate_recovery, rr, stamps, 1, rr_shape); !s) {
      return s;
    }
    gpu_rate_recovery::emulate_kernel({rr.data(), received.data(), harq_buffers.data(), decoder_llrs.data()}, rr_shape);

    GpuLdpcDecoderConfig ldpc_config{.max_code_blocks = sizing.max_code_blocks,
                                     .max_llrs_per_block = chain::kLlrsPerBlockSlot};
    std::vector<gpu_ldpc::BlockDescriptor> blocks(slot.code_blocks.size());
    gpu_ldpc::LaunchShape ldpc_shape;
    if (Status s = gpu_ldpc::fill_descriptors(ldpc_config, slot.code_blocks, blocks, ldpc_shape); !s) return s;
    const gpu_ldpc::LiftedGraphTable& table = gpu_ldpc::lifted_graph_table();
    gpu_ldpc::emulate_kernel({table.graphs.data(), table.edges.data(), blocks.data(), decoder_llrs.data(),
                              messages.data(), block_bits.data(), outcomes.data(), gpu_ldpc::crc_bit_tables().data()},
                             ldpc_shape);
    chain::emulate_assemble(p, static_cast<int>(ues.size()));
    before = harq;
    chain::commit_harq(ues, slot, std::span(nonzero).first(ues.size()), std::span(gains).first(ues.size()), harq);
    return Status::ok();
  }

  // As GpuPuschReceiver::finish decides it.
  bool tb_ok(const PuschSlotUe& ue, std::size_t u) const {
    const CodeBlockSegmentation& seg = ue.plan->sch.segmentation;
    const chain::UeDescriptor& d = slot.ues[u];
    for (int r = 0; r < seg.num_blocks; ++r) {
      const gpu_ldpc::BlockOutcome& o = outcomes[d.first_block + static_cast<std::size_t>(r)];
      if (seg.num_blocks > 1 ? o.crc_remainder != 0 : o.parity_ok == 0) return false;
    }
    return chain::tb_has_energy(ue, nonzero[u], before[static_cast<std::size_t>(ue.harq_process)]) &&
           remainders[u] == 0;
  }
  std::vector<std::uint8_t> tb(std::size_t u) const {
    const chain::UeDescriptor& d = slot.ues[u];
    return {tb_bits.begin() + d.tb_offset, tb_bits.begin() + d.tb_offset + d.tbs};
  }
  std::vector<chain::HarqProcess> before;
};

TEST(GpuPuschChainEmulation, DecodesEveryUeAsTheCpuReceiverDoes) {
  const test::PuschSlotScenario s = test::make_pusch_slot(21, test::default_slot_ues());
  EmulatedChain emulated;
  emulated.front_end(s);
  std::vector<std::vector<std::uint8_t>> decoded;
  const std::vector<PuschSlotUe> ues = s.slot_ues(decoded);
  const Status status = emulated.run(ues);
  ASSERT_TRUE(status.is_ok()) << status.message();

  auto cpu = create_pusch_slot_receiver(PhyBackend::cpu, emulated.config);
  ASSERT_TRUE(cpu.has_value());
  std::vector<std::vector<std::uint8_t>> cpu_decoded;
  const std::vector<PuschSlotUe> cpu_ues = s.slot_ues(cpu_decoded);
  std::vector<PuschSlotUeResult> cpu_results(cpu_ues.size());
  ASSERT_TRUE((*cpu)->receive(s.grid, cpu_ues, cpu_results).is_ok());
  for (std::size_t u = 0; u < ues.size(); ++u) {
    SCOPED_TRACE(::testing::Message() << "UE " << u);
    EXPECT_TRUE(emulated.tb_ok(ues[u], u));
    EXPECT_EQ(emulated.remainders[u], 0U);
    EXPECT_EQ(emulated.tb(u), s.tbs[u]);
    EXPECT_TRUE(cpu_results[u].tb_crc_ok);
    EXPECT_EQ(emulated.tb(u), cpu_decoded[u]);
    // The gain brings the mean |LLR| of every 16th symbol to 32, as the CPU receiver's does.
    EXPECT_GT(emulated.gains[u], 0.0F);
    EXPECT_GT(emulated.nonzero[u], static_cast<std::uint32_t>(s.plans[u].g / 2));
    // SINR sum: 1 / 0.02 per symbol.
    EXPECT_NEAR(emulated.sinr_sums[u], 50.0 * (s.plans[u].g / s.plans[u].modulation_order), 1e-3 * emulated.sinr_sums[u]);
    EXPECT_EQ(emulated.pool.tbs(static_cast<int>(u)), s.plans[u].tbs);
    EXPECT_TRUE(emulated.harq[u].energy);
  }
}

TEST(GpuPuschChainEmulation, QuantizesAsTheCpuReceiver) {
  // The int8 soft bits equal quantize_llrs(llrs, gain) with the CPU's gain rule.
  const test::PuschSlotScenario s = test::make_pusch_slot(22, {test::default_slot_ues()[1]});
  EmulatedChain emulated;
  emulated.front_end(s);
  std::vector<std::vector<std::uint8_t>> decoded;
  ASSERT_TRUE(emulated.run(s.slot_ues(decoded)).is_ok());
  const PuschPlan& plan = s.plans[0];
  const int qm = plan.modulation_order;
  const std::span<const float> llrs(emulated.llrs.data(), static_cast<std::size_t>(plan.g));
  double magnitude = 0.0;
  int count = 0;
  for (int sym = 0; sym < plan.g / qm; sym += 16) {
    for (int j = 0; j < qm; ++j, ++count) magnitude += std::abs(llrs[static_cast<std::size_t>(sym * qm + j)]);
  }
  const auto gain = static_cast<float>(kTargetMeanLlr / (magnitude / count));
  EXPECT_NEAR(emulated.gains[0], gain, 1e-6F * gain);
  std::vector<Llr> expected(static_cast<std::size_t>(plan.g));
  quantize_llrs(llrs, emulated.gains[0], expected);
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), emulated.received.begin()));
}

TEST(GpuPuschChainEmulation, CombinesARetransmissionInTheHarqBuffers) {
  // First transmission (rv 0) with every odd soft bit erased: it fails. The retransmission
  // (rv 3, self-decodable) loses every even one: it fails alone too; only the combination of the
  // two in the HARQ soft buffers decodes.
  std::vector<test::SlotUeSpec> spec = {test::default_slot_ues()[0]};
  const test::PuschSlotScenario first = test::make_pusch_slot(23, spec);
  spec[0].rv = 3;
  const test::PuschSlotScenario second = test::make_pusch_slot(24, spec, 28.0, 106, &first.tbs);
  EmulatedChain emulated;
  std::vector<std::vector<std::uint8_t>> decoded;

  emulated.front_end(first);
  const int g = first.plans[0].g;
  for (int i = 0; i < g; ++i) {
    if (i % 2 != 0) emulated.llrs[static_cast<std::size_t>(i)] = 0.0F;
  }
  auto ues = first.slot_ues(decoded, true, 5);
  ASSERT_TRUE(emulated.run(ues).is_ok());
  const int coverage_first = emulated.harq[5].coverage;
  const float gain_first = emulated.gains[0];
  EXPECT_EQ(emulated.harq[5].gain, gain_first);

  emulated.front_end(second);
  for (int i = 0; i < g; ++i) {
    if (i % 2 != 1) emulated.llrs[static_cast<std::size_t>(i)] = 0.0F;
  }
  ues = second.slot_ues(decoded, false, 5);
  const Status status = emulated.run(ues);
  ASSERT_TRUE(status.is_ok()) << status.message();
  EXPECT_TRUE(emulated.tb_ok(ues[0], 0));
  EXPECT_EQ(emulated.tb(0), first.tbs[0]);
  EXPECT_GE(emulated.harq[5].coverage, coverage_first);
  EXPECT_EQ(emulated.gains[0], gain_first);  // quantised on the first transmission's scale

  // The retransmission on its own, as new data in another process: it fails.
  std::vector<std::vector<std::uint8_t>> alone_decoded;
  const auto alone = second.slot_ues(alone_decoded, true, 6);
  ASSERT_TRUE(emulated.run(alone).is_ok());
  EXPECT_FALSE(emulated.tb_ok(alone[0], 0));
}

TEST(GpuPuschChainEmulation, ATransportBlockWithoutEnergyFails) {
  // All-zero soft bits decode to the all-zero word, which passes CB CRC24B and the TB CRC:
  // the chain must still call it a failure, as the CPU decoder does.
  const test::PuschSlotScenario s = test::make_pusch_slot(25, {test::default_slot_ues()[2]});
  EmulatedChain emulated;
  std::vector<std::vector<std::uint8_t>> decoded;
  const auto ues = s.slot_ues(decoded);
  ASSERT_TRUE(emulated.run(ues).is_ok());
  EXPECT_EQ(emulated.nonzero[0], 0U);
  EXPECT_EQ(emulated.remainders[0], 0U);
  EXPECT_FALSE(emulated.tb_ok(ues[0], 0));
  EXPECT_FALSE(emulated.harq[0].energy);
}

TEST(GpuPuschChainEmulation, TbCrcRemainderSeesAFlippedBit) {
  const test::PuschSlotScenario s = test::make_pusch_slot(26, {test::default_slot_ues()[0]});
  EmulatedChain emulated;
  emulated.front_end(s);
  std::vector<std::vector<std::uint8_t>> decoded;
  const auto ues = s.slot_ues(decoded);
  ASSERT_TRUE(emulated.run(ues).is_ok());
  ASSERT_EQ(emulated.remainders[0], 0U);
  // Flip one decided payload bit of block 1 and assemble again.
  emulated.block_bits[gpu_ldpc::kBitsPerBlockSlot + 17] ^= 1U;
  chain::emulate_assemble(emulated.params(), 1);
  EXPECT_NE(emulated.remainders[0], 0U);
}

TEST(GpuPuschChainEmulation, PlanRejectsSlotsItCannotHold) {
  const test::PuschSlotScenario s = test::make_pusch_slot(27, test::default_slot_ues());
  EmulatedChain emulated;
  std::vector<std::vector<std::uint8_t>> decoded;
  const auto message = [&](std::vector<PuschSlotUe> ues) {
    const Status st =
        chain::plan_slot(emulated.sizing, emulated.config, ues, emulated.harq, emulated.pool, emulated.slot);
    return st ? std::string() : st.message();
  };
  auto ues = s.slot_ues(decoded, false);
  EXPECT_NE(message(ues).find("UE 0: a retransmission of TBS"), std::string::npos);
  ues = s.slot_ues(decoded);
  ues[1].harq_process = ues[0].harq_process;
  EXPECT_NE(message(ues).find("UE 1: harq_process=0 is UE 0's too"), std::string::npos);
  ues = s.slot_ues(decoded);
  ues.insert(ues.end(), ues.begin(), ues.end());
  EXPECT_NE(message(ues).find("6 UEs in the slot, created for at most 4"), std::string::npos);
  EXPECT_NE(message({}).find("no UEs"), std::string::npos);
  ues = s.slot_ues(decoded);
  EXPECT_EQ(message(ues), "");
  EXPECT_EQ(emulated.slot.shape.size(), 1 + 3 * ues.size());
  // The sizing follows the limits: a full 4-layer 256QAM grid of 106 PRBs.
  EXPECT_EQ(emulated.sizing.received_capacity, std::size_t{12 * 106 * 14 * 4 * 8});
}

TEST(GpuPuschChainEmulation, SharedSoftBuffersAreLentPerTransportBlock) {
  // A pool of 70 code-block buffers (at least the limits' largest TB) for 8 HARQ processes:
  // UE 0's TB (several blocks) and UE 2's (one) fit; a retransmission keeps its buffers and
  // decodes; new data on a process returns its buffers first; a slot that needs more than the
  // free buffers plus those it returns is refused, and then nothing changes.
  const test::PuschSlotScenario s = test::make_pusch_slot(28, {test::default_slot_ues()[0], test::default_slot_ues()[2]});
  EmulatedChain emulated(70, 2);  // two cells' worth of coded bits per slot, for the big TBs below
  ASSERT_EQ(emulated.sizing.soft_buffers, 70);
  emulated.front_end(s);
  std::vector<std::vector<std::uint8_t>> decoded;
  auto ues = s.slot_ues(decoded);
  ASSERT_TRUE(emulated.run(ues).is_ok());
  const int blocks0 = s.plans[0].sch.segmentation.num_blocks;
  EXPECT_EQ(emulated.pool.held(0), blocks0);
  EXPECT_EQ(emulated.pool.held(1), 1);
  EXPECT_EQ(emulated.pool.free_count(), 70 - blocks0 - 1);
  EXPECT_TRUE(emulated.tb_ok(ues[0], 0));
  EXPECT_TRUE(emulated.tb_ok(ues[1], 1));
  std::vector<int> held0;
  for (int r = 0; r < blocks0; ++r) held0.push_back(emulated.pool.buffer(0, r));

  ues = s.slot_ues(decoded, false);  // retransmissions: the same buffers
  ASSERT_TRUE(emulated.run(ues).is_ok());
  for (int r = 0; r < blocks0; ++r) EXPECT_EQ(emulated.pool.buffer(0, r), held0[static_cast<std::size_t>(r)]);
  EXPECT_TRUE(emulated.tb_ok(ues[0], 0));
  EXPECT_EQ(emulated.tb(0), s.tbs[0]);

  ues = s.slot_ues(decoded);  // new data on both: returned, then lent again
  ASSERT_TRUE(emulated.run(ues).is_ok());
  EXPECT_EQ(emulated.pool.free_count(), 70 - blocks0 - 1);

  // Three TBs of a 4-layer 106-PRB 64QAM allocation (about 24 blocks each) as new data in
  // processes 2..4: they do not fit beside what processes 0 and 1 hold.
  const test::PuschSlotScenario big = test::make_pusch_slot(29, {{4, McsTable::qam64, 20, 0, 106, 0, 106}});
  const int big_blocks = big.plans[0].sch.segmentation.num_blocks;
  ASSERT_GT(3 * big_blocks, emulated.pool.free_count());
  std::vector<std::uint8_t> big_tb(static_cast<std::size_t>(big.plans[0].tbs));
  std::vector<PuschSlotUe> many;
  for (int p = 2; p < 5; ++p) many.push_back({&big.plans[0], 0, true, p, big_tb});
  const Status refused = chain::plan_slot(emulated.sizing, emulated.config, many, emulated.harq, emulated.pool,
                                          emulated.slot);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.message().find("soft buffers"), std::string::npos) << refused.message();
  EXPECT_EQ(emulated.pool.free_count(), 70 - blocks0 - 1);
  EXPECT_EQ(emulated.pool.held(2), 0);

  PuschSlotReceiverConfig tight = emulated.config;
  tight.gpu_soft_buffers = 10;
  EXPECT_NE(chain::sizing(tight).error().message.find("gpu_soft_buffers=10 is outside"), std::string::npos)
      << chain::sizing(tight).error().message;
}

}  // namespace
}  // namespace airan::phy
