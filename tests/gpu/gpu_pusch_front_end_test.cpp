// GpuPuschFrontEnd against the CPU PuschReceiver::soft_bits on the same received grids:
// random PUSCH transmissions (1, 2, 4 layers; QPSK..256QAM; DMRS types, lengths, additional
// positions; transform-precoded UEs) through a random frequency-selective MIMO channel and AWGN, several UEs in one
// slot. Without a CUDA device every test skips with detect_gpu()'s reason.
//
// Tolerance. Both sides run the same per-element arithmetic (detail/*_math.hpp, checked bit for
// bit against the CPU stages by tests/phy/detail); what differs is summation order (reductions,
// the DFT denoiser as direct sums on the GPU against FFTW on the CPU, the transform-precoding
// IDFT as a Bluestein convolution through cuFFT against FFTW of size M) and fused multiply-adds.
// So: |LLR_gpu - LLR_cpu| <= 1e-3 x mean |LLR_cpu| + 1e-3 x |LLR_cpu| for at least 99.9% of the
// LLRs, and signs agree for at least 99.9% of those with |LLR_cpu| above that tolerance.
#include <gtest/gtest.h>

#include "../support/random_channel.hpp"
#include "../support/require_gpu.hpp"

#include <cmath>
#include <numbers>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "airan/phy/coding/llr.hpp"
#include "airan/phy/cuda/gpu_pusch_front_end.hpp"
#include "airan/phy/gpu.hpp"
#include "airan/phy/pusch/pusch_receiver.hpp"
#include "airan/phy/pusch/pusch_transmitter.hpp"

namespace airan::phy {
namespace {

constexpr double kRelativeTolerance = 1e-3;
constexpr double kRequiredAgreement = 0.999;

Complex cn(std::mt19937_64& e) { return test::random_cn(e); }

// MCS of the 256QAM table (38.214 Table 5.1.3.1-2) with the wanted modulation order.
int mcs_for_order(int qm, std::mt19937_64& e) {
  switch (qm) {
    case 2: return static_cast<int>(e() % 5);         // 0..4
    case 4: return 5 + static_cast<int>(e() % 6);     // 5..10
    case 6: return 11 + static_cast<int>(e() % 9);    // 11..19
    default: return 20 + static_cast<int>(e() % 8);   // 20..27
  }
}

PuschPlan make_plan(std::mt19937_64& e, int layers, int qm, int bwp_size, int rb_start, int rb_size) {
  PuschConfig c;
  c.n_cell_id = static_cast<int>(e() % 1008);
  c.slot_number = static_cast<int>(e() % 20);
  c.bwp_start = static_cast<int>(e() % 3);
  c.bwp_size = bwp_size;
  c.rb_start = rb_start;
  c.rb_size = rb_size;
  c.rnti = static_cast<std::uint16_t>(1 + e() % 65000);
  c.num_layers = layers;
  c.num_antenna_ports = layers;
  c.dmrs.config_type = 1 + static_cast<int>(e() % 2);
  c.dmrs.length = layers == 4 && c.dmrs.config_type == 1 ? 1 : 1 + static_cast<int>(e() % 2);
  c.dmrs.additional_position = c.dmrs.length == 2 ? static_cast<int>(e() % 2) : static_cast<int>(e() % 4);
  // Data beside the DMRS where the layers' CDM groups leave room (ports 0, 1 are CDM group 0).
  if (c.dmrs.config_type == 1) {
    c.dmrs.num_cdm_groups_without_data = layers <= 2 ? 1 + static_cast<int>(e() % 2) : 2;
  } else {
    c.dmrs.num_cdm_groups_without_data = layers <= 2 ? 1 + static_cast<int>(e() % 3) : 2 + static_cast<int>(e() % 2);
  }
  c.dmrs.n_scid = static_cast<int>(e() % 2);
  c.dmrs.n_id = {static_cast<std::uint16_t>(e() % 65536), static_cast<std::uint16_t>(e() % 65536)};
  c.mcs_table = McsTable::qam256;
  c.mcs_index = mcs_for_order(qm, e);
  auto plan = plan_pusch(c);
  EXPECT_TRUE(plan.has_value()) << (plan ? "" : plan.error().message);
  return *plan;
}

// Adds one UE's transmission to the received BWP grid through a random channel: per
// (rx, layer) a complex gain and a delay (a linear phase over the subcarriers). Returns the TB.
std::vector<std::uint8_t> add_ue(const PuschPlan& plan, std::mt19937_64& e, ResourceGrid& rx) {
  std::vector<std::uint8_t> tb(static_cast<std::size_t>(plan.tbs));
  for (auto& b : tb) b = static_cast<std::uint8_t>(e() & 1U);
  PuschTransmitter transmitter;
  ResourceGrid tx;
  const Status transmitted = transmitter.transmit(plan, tb, tx);
  EXPECT_TRUE(transmitted.is_ok()) << (transmitted ? "" : transmitted.message());
  test::add_through_random_channel(tx, plan.config.num_layers, rx, 0, e);
  return tb;
}

void add_noise(ResourceGrid& grid, double snr_db, std::mt19937_64& e) { test::add_awgn(grid, snr_db, e); }

// Empty when the GPU LLRs agree with the CPU ones, else what differs.
std::string compare(std::span<const float> gpu, std::span<const float> cpu) {
  if (gpu.size() != cpu.size()) {
    return "GPU gave " + std::to_string(gpu.size()) + " LLRs, the CPU " + std::to_string(cpu.size());
  }
  double mean = 0.0;
  for (float v : cpu) mean += std::abs(v);
  mean /= static_cast<double>(std::max<std::size_t>(cpu.size(), 1));
  std::size_t outside = 0;
  std::size_t signed_count = 0;
  std::size_t sign_flips = 0;
  double worst = 0.0;
  for (std::size_t i = 0; i < cpu.size(); ++i) {
    const double tolerance = kRelativeTolerance * (mean + std::abs(cpu[i]));
    const double difference = std::abs(static_cast<double>(gpu[i]) - cpu[i]);
    worst = std::max(worst, difference / std::max(mean, 1e-30));
    if (!(difference <= tolerance)) ++outside;
    if (std::abs(cpu[i]) > tolerance) {
      ++signed_count;
      if ((gpu[i] < 0.0F) != (cpu[i] < 0.0F)) ++sign_flips;
    }
  }
  const double within = 1.0 - static_cast<double>(outside) / static_cast<double>(cpu.size());
  const double agree = signed_count ? 1.0 - static_cast<double>(sign_flips) / static_cast<double>(signed_count) : 1.0;
  if (within >= kRequiredAgreement && agree >= kRequiredAgreement) return "";
  std::ostringstream s;
  s << outside << " of " << cpu.size() << " LLRs outside the tolerance, " << sign_flips << " of " << signed_count
    << " signs differ; worst |difference| / mean |LLR| = " << worst << " (mean |LLR| " << mean << ")";
  return s.str();
}

std::unique_ptr<GpuPuschFrontEnd> make_front_end(const GpuPuschFrontEndConfig& config, GpuPuschLimits limits = {}) {
  auto front_end = GpuPuschFrontEnd::create(limits, config);
  EXPECT_TRUE(front_end.has_value()) << (front_end ? "" : front_end.error().message);
  return front_end ? std::move(*front_end) : nullptr;
}

std::vector<float> cpu_llrs(const PuschReceiverConfig& config, const PuschPlan& plan, const ResourceGrid& rx) {
  auto receiver = PuschReceiver::create(config);
  EXPECT_TRUE(receiver.has_value());
  std::vector<float> llrs(static_cast<std::size_t>(plan.g));
  const Status s = (*receiver)->soft_bits(plan, rx, llrs);
  EXPECT_TRUE(s.is_ok()) << (s ? "" : s.message());
  return llrs;
}

struct Case {
  int layers;
  int qm;
  FrequencyInterpolation interpolation;
  EqualizerType equalizer;
};

std::string describe(const Case& c) {
  return std::to_string(c.layers) + " layer(s), Qm " + std::to_string(c.qm) + ", " +
         (c.interpolation == FrequencyInterpolation::dft ? "DFT" : "linear") + " interpolation, " +
         std::string(to_string(c.equalizer));
}

// Three UEs share one BWP grid of 4 receive ports (disjoint PRBs, the first one up to 200
// PRBs wide), one slot, one run.
void check_slot(const Case& test, std::uint64_t seed) {
  std::mt19937_64 e(seed);
  constexpr int kBwp = 273;
  constexpr int kRx = 4;
  const std::vector<std::pair<int, int>> allocations = {{0, 200}, {200, 1}, {201, 72}};
  std::vector<PuschPlan> plans;
  for (const auto& [start, size] : allocations) plans.push_back(make_plan(e, test.layers, test.qm, kBwp, start, size));
  // One BWP for all (the grid is per BWP): the UEs share the BWP's start.
  for (auto& plan : plans) {
    PuschConfig c = plan.config;
    c.bwp_start = plans[0].config.bwp_start;
    plan = *plan_pusch(c);
  }
  ResourceGrid rx(kRx, kSymbolsPerSlot, 12 * kBwp);
  for (const auto& plan : plans) add_ue(plan, e, rx);
  add_noise(rx, 22.0, e);

  PuschReceiverConfig cpu_config;
  cpu_config.equalizer = test.equalizer;
  cpu_config.estimator.interpolation = test.interpolation;
  GpuPuschFrontEndConfig gpu_config;
  gpu_config.equalizer = test.equalizer;
  gpu_config.estimator = cpu_config.estimator;
  auto front_end = make_front_end(gpu_config);
  ASSERT_NE(front_end, nullptr);
  std::vector<GpuPuschUe> ues;
  for (const auto& plan : plans) ues.push_back({&plan, 0});
  ASSERT_TRUE(front_end->setup(ues, kRx, 12 * kBwp).is_ok());
  ASSERT_TRUE(front_end->upload_grid(rx).is_ok());
  const Status ran = front_end->run();
  ASSERT_TRUE(ran.is_ok()) << ran.message();
  ASSERT_TRUE(front_end->copy_llrs_to_host().is_ok());
  const Status synced = front_end->synchronize();
  ASSERT_TRUE(synced.is_ok()) << synced.message();
  auto receiver = PuschReceiver::create(cpu_config);
  ASSERT_TRUE(receiver.has_value());
  for (std::size_t u = 0; u < plans.size(); ++u) {
    std::vector<float> expected(static_cast<std::size_t>(plans[u].g));
    ASSERT_TRUE((*receiver)->soft_bits(plans[u], rx, expected).is_ok());
    const float cpu_noise = (*receiver)->last_channel_estimate().noise_variance;
    EXPECT_NEAR(front_end->noise_variance(static_cast<int>(u)), cpu_noise, 1e-3F * cpu_noise)
        << describe(test) << ", UE " << u << ": noise variance";
    EXPECT_EQ(compare(front_end->llrs(static_cast<int>(u)), expected), "")
        << describe(test) << ", UE " << u << " (PRBs " << plans[u].config.rb_start << "+" << plans[u].config.rb_size
        << ", DMRS type " << plans[u].config.dmrs.config_type << " length " << plans[u].config.dmrs.length
        << " addpos " << plans[u].config.dmrs.additional_position << ")";
  }
}

// True when the LLRs, scaled as PuschReceiver scales them (mean |LLR| to kTargetMeanLlr) and
// quantised, decode on the CPU to `tb` (CRC and bits).
bool decodes(std::span<const float> llrs, const PuschPlan& plan, const std::vector<std::uint8_t>& tb) {
  double mean = 0.0;
  for (float v : llrs) mean += std::abs(v);
  mean /= static_cast<double>(std::max<std::size_t>(llrs.size(), 1));
  std::vector<Llr> soft(llrs.size());
  quantize_llrs(llrs, static_cast<float>(kTargetMeanLlr / mean), soft);
  auto decoder = SchDecoder::create(LdpcDecoderConfig{});
  if (!decoder) return false;
  HarqSoftBuffer harq;
  std::vector<std::uint8_t> decoded(tb.size(), 2);
  auto result = (*decoder)->decode(plan.sch, soft, true, harq, decoded);
  return result.has_value() && result->tb_crc_ok && decoded == tb;
}

// The whole receive chain with the front half on the GPU: its LLRs decode (rate recovery,
// LDPC, CRC on the CPU) exactly when the CPU front half's do, and most of these blocks do.
TEST(GpuPuschFrontEnd, GpuLlrsDecodeAsTheCpuLlrsDo) {
  AIRAN_REQUIRE_GPU();
  std::mt19937_64 e(55);
  constexpr int kRx = 4;
  std::vector<PuschPlan> plans = {make_plan(e, 1, 8, 273, 0, 100), make_plan(e, 2, 8, 273, 100, 100),
                                  make_plan(e, 4, 4, 273, 200, 73)};
  for (auto& plan : plans) {
    PuschConfig c = plan.config;
    c.bwp_start = plans[0].config.bwp_start;
    plan = *plan_pusch(c);
  }
  ResourceGrid rx(kRx, kSymbolsPerSlot, 12 * 273);
  std::vector<std::vector<std::uint8_t>> tbs;
  for (const auto& plan : plans) tbs.push_back(add_ue(plan, e, rx));
  add_noise(rx, 32.0, e);
  auto front_end = make_front_end({});
  ASSERT_NE(front_end, nullptr);
  std::vector<GpuPuschUe> ues;
  for (const auto& plan : plans) ues.push_back({&plan, 0});
  ASSERT_TRUE(front_end->setup(ues, kRx, 12 * 273).is_ok());
  ASSERT_TRUE(front_end->upload_grid(rx).is_ok());
  ASSERT_TRUE(front_end->run_graph().is_ok());
  ASSERT_TRUE(front_end->copy_llrs_to_host().is_ok());
  ASSERT_TRUE(front_end->synchronize().is_ok());
  int decoded_blocks = 0;
  for (std::size_t u = 0; u < plans.size(); ++u) {
    const bool cpu_ok = decodes(cpu_llrs(PuschReceiverConfig{}, plans[u], rx), plans[u], tbs[u]);
    EXPECT_EQ(decodes(front_end->llrs(static_cast<int>(u)), plans[u], tbs[u]), cpu_ok) << "UE " << u;
    decoded_blocks += cpu_ok ? 1 : 0;
  }
  EXPECT_GE(decoded_blocks, 2) << "the scenario should mostly decode";
}

TEST(GpuPuschFrontEnd, CreateSaysWhyWithoutADevice) {
  const GpuInfo& gpu = detect_gpu();
  if (gpu.available) GTEST_SKIP() << "a GPU is present: " << gpu.name;
  auto front_end = GpuPuschFrontEnd::create({}, {});
  ASSERT_FALSE(front_end.has_value());
  EXPECT_FALSE(front_end.error().message.empty());
}

TEST(GpuPuschFrontEnd, LlrsMatchTheCpuForEveryLayerCountAndModulation) {
  AIRAN_REQUIRE_GPU();
  std::uint64_t seed = 1;
  for (int layers : {1, 2, 4}) {
    for (int qm : {2, 4, 6, 8}) {
      check_slot({layers, qm, FrequencyInterpolation::dft, EqualizerType::mmse}, seed++);
    }
  }
}

TEST(GpuPuschFrontEnd, LlrsMatchTheCpuWithLinearInterpolationAndZf) {
  AIRAN_REQUIRE_GPU();
  check_slot({2, 6, FrequencyInterpolation::linear, EqualizerType::mmse}, 101);
  check_slot({4, 4, FrequencyInterpolation::dft, EqualizerType::zf}, 102);
  check_slot({3, 8, FrequencyInterpolation::linear, EqualizerType::zf}, 103);
}

// A UE whose BWP starts inside a wider cell grid; then a second slot with other UEs through
// the same captured graph (descriptors live in device memory, the graph does not change).
TEST(GpuPuschFrontEnd, GraphServesSlotAfterSlotAndBwpOffsetsApply) {
  AIRAN_REQUIRE_GPU();
  std::mt19937_64 e(7);
  constexpr int kRx = 4;
  constexpr int kCellPrbs = 273;
  auto front_end = make_front_end({});
  ASSERT_NE(front_end, nullptr);
  for (int slot = 0; slot < 2; ++slot) {
    const int bwp_prbs = slot == 0 ? 100 : 51;
    const int bwp_offset_prbs = slot == 0 ? 150 : 7;
    const PuschPlan plan = make_plan(e, slot == 0 ? 2 : 4, slot == 0 ? 8 : 4, bwp_prbs, 3, bwp_prbs - 5);
    ResourceGrid bwp(kRx, kSymbolsPerSlot, 12 * bwp_prbs);
    add_ue(plan, e, bwp);
    add_noise(bwp, 25.0, e);
    ResourceGrid cell(kRx, kSymbolsPerSlot, 12 * kCellPrbs);
    for (auto& v : cell.data()) v = cn(e);  // other UEs' signals: must not leak in
    for (int r = 0; r < kRx; ++r) {
      for (int l = 0; l < kSymbolsPerSlot; ++l) {
        for (int k = 0; k < bwp.subcarriers(); ++k) cell.at(r, l, 12 * bwp_offset_prbs + k) = bwp.at(r, l, k);
      }
    }
    const GpuPuschUe ue{&plan, 12 * bwp_offset_prbs};
    ASSERT_TRUE(front_end->setup(std::span(&ue, 1), kRx, 12 * kCellPrbs).is_ok());
    ASSERT_TRUE(front_end->upload_grid(cell).is_ok());
    const Status ran = front_end->run_graph();
    ASSERT_TRUE(ran.is_ok()) << ran.message();
    ASSERT_TRUE(front_end->copy_llrs_to_host().is_ok());
    ASSERT_TRUE(front_end->synchronize().is_ok());
    const std::vector<float> graph_llrs(front_end->llrs(0).begin(), front_end->llrs(0).end());
    EXPECT_EQ(compare(graph_llrs, cpu_llrs(PuschReceiverConfig{}, plan, bwp)), "") << "slot " << slot;
    // The graph and a plain run give the same LLRs, bit for bit.
    ASSERT_TRUE(front_end->run().is_ok());
    ASSERT_TRUE(front_end->copy_llrs_to_host().is_ok());
    ASSERT_TRUE(front_end->synchronize().is_ok());
    const auto plain = front_end->llrs(0);
    ASSERT_EQ(plain.size(), graph_llrs.size());
    std::size_t different = 0;
    for (std::size_t i = 0; i < plain.size(); ++i) different += plain[i] != graph_llrs[i];
    EXPECT_EQ(different, 0U) << "slot " << slot;
  }
}

// A DFT-s-OFDM UE: one layer, DMRS type 1 with both CDM groups without data (38.211 6.4.1.1.3).
PuschPlan make_tp_plan(std::mt19937_64& e, int qm, int bwp_size, int rb_start, int rb_size) {
  PuschConfig c = make_plan(e, 1, qm, bwp_size, rb_start, rb_size).config;
  c.transform_precoding = true;
  c.dmrs.config_type = 1;
  c.dmrs.num_cdm_groups_without_data = 2;
  if (e() % 2) c.tp_dmrs_n_id = static_cast<std::uint16_t>(e() % 1008);
  auto plan = plan_pusch(c);
  EXPECT_TRUE(plan.has_value()) << (plan ? "" : plan.error().message);
  return *plan;
}

// Transform-precoded UEs (sizes from 1 PRB to the largest M, 3240) beside a CP-OFDM UE, two
// slots through one captured graph (the mix of M changes; the graph does not), against
// PuschReceiver::soft_bits (TransformPrecoder::apply_inverse, block-mean noise).
TEST(GpuPuschFrontEnd, TransformPrecodedUesMatchTheCpuSlotAfterSlotThroughOneGraph) {
  AIRAN_REQUIRE_GPU();
  std::mt19937_64 e(91);
  constexpr int kRx = 4;
  constexpr int kBwp = 273;
  auto front_end = make_front_end({});
  ASSERT_NE(front_end, nullptr);
  for (int slot = 0; slot < 2; ++slot) {
    std::vector<PuschPlan> plans;
    if (slot == 0) {
      plans = {make_tp_plan(e, 2, kBwp, 0, 1), make_tp_plan(e, 4, kBwp, 1, 2), make_plan(e, 2, 6, kBwp, 3, 30),
               make_tp_plan(e, 6, kBwp, 33, 100), make_tp_plan(e, 8, kBwp, 133, 135)};
    } else {
      plans = {make_tp_plan(e, 8, kBwp, 0, 270), make_plan(e, 1, 4, kBwp, 270, 3)};
    }
    for (auto& plan : plans) {  // one BWP for all
      PuschConfig c = plan.config;
      c.bwp_start = plans[0].config.bwp_start;
      plan = *plan_pusch(c);
    }
    ResourceGrid rx(kRx, kSymbolsPerSlot, 12 * kBwp);
    for (const auto& plan : plans) add_ue(plan, e, rx);
    add_noise(rx, 26.0, e);
    std::vector<GpuPuschUe> ues;
    for (const auto& plan : plans) ues.push_back({&plan, 0});
    const Status set = front_end->setup(ues, kRx, 12 * kBwp);
    ASSERT_TRUE(set.is_ok()) << set.message();
    ASSERT_TRUE(front_end->upload_grid(rx).is_ok());
    const Status ran = front_end->run_graph();
    ASSERT_TRUE(ran.is_ok()) << ran.message();
    ASSERT_TRUE(front_end->copy_llrs_to_host().is_ok());
    ASSERT_TRUE(front_end->synchronize().is_ok());
    auto receiver = PuschReceiver::create(PuschReceiverConfig{});
    ASSERT_TRUE(receiver.has_value());
    for (std::size_t u = 0; u < plans.size(); ++u) {
      std::vector<float> expected(static_cast<std::size_t>(plans[u].g));
      ASSERT_TRUE((*receiver)->soft_bits(plans[u], rx, expected).is_ok());
      const float cpu_noise = (*receiver)->last_channel_estimate().noise_variance;
      EXPECT_NEAR(front_end->noise_variance(static_cast<int>(u)), cpu_noise, 1e-3F * cpu_noise)
          << "slot " << slot << " UE " << u;
      EXPECT_EQ(compare(front_end->llrs(static_cast<int>(u)), expected), "")
          << "slot " << slot << " UE " << u << " (" << plans[u].config.rb_size << " PRBs, Qm "
          << plans[u].modulation_order << (plans[u].config.transform_precoding ? ", transform precoded)" : ")");
    }
  }
}

TEST(GpuPuschFrontEnd, TransformPrecodingLeftOutIsRefusedByName) {
  AIRAN_REQUIRE_GPU();
  std::mt19937_64 e(92);
  GpuPuschFrontEndConfig config;
  config.transform_precoding = false;
  GpuPuschLimits limits;
  limits.max_ues = 2;
  auto without = make_front_end(config, limits);
  ASSERT_NE(without, nullptr);
  auto with = make_front_end({}, limits);
  ASSERT_NE(with, nullptr);
  EXPECT_LT(without->device_bytes(), with->device_bytes());
  const PuschPlan plan = make_tp_plan(e, 4, 100, 0, 50);
  const GpuPuschUe ue{&plan, 0};
  const Status s = without->setup(std::span(&ue, 1), 4, 1200);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("UE 0"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("transform_precoding = false"), std::string::npos) << s.message();
  EXPECT_TRUE(with->setup(std::span(&ue, 1), 4, 1200).is_ok());
}

TEST(GpuPuschFrontEnd, SetupNamesWhatExceedsTheLimits) {
  AIRAN_REQUIRE_GPU();
  std::mt19937_64 e(3);
  GpuPuschLimits limits;
  limits.max_prbs = 50;
  limits.grid_prbs = 100;
  limits.max_layers = 2;
  limits.max_rx_ports = 4;
  limits.max_ues = 2;
  auto front_end = make_front_end({}, limits);
  ASSERT_NE(front_end, nullptr);
  const PuschPlan small = make_plan(e, 2, 4, 60, 0, 40);
  const PuschPlan wide = make_plan(e, 1, 4, 100, 0, 60);
  const PuschPlan four_layers = make_plan(e, 4, 4, 60, 0, 10);
  const GpuPuschUe three[] = {{&small, 0}, {&small, 0}, {&small, 0}};
  Status s = front_end->setup(three, 4, 1200);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("3 UEs"), std::string::npos) << s.message();
  const GpuPuschUe too_wide{&wide, 0};
  s = front_end->setup(std::span(&too_wide, 1), 4, 1200);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("60 PRBs"), std::string::npos) << s.message();
  const GpuPuschUe too_many_layers{&four_layers, 0};
  s = front_end->setup(std::span(&too_many_layers, 1), 4, 1200);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("4 layers"), std::string::npos) << s.message();
  const GpuPuschUe outside{&small, 12 * 50};
  s = front_end->setup(std::span(&outside, 1), 4, 1200);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("does not fit"), std::string::npos) << s.message();
  s = front_end->setup(std::span(&too_wide, 0), 5, 1200);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("receive ports"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace airan::phy
