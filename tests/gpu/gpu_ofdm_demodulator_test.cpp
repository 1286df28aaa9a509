// GpuOfdmDemodulator against the CPU OfdmDemodulator on the same split-8 slots (random grids
// modulated by OfdmModulator, plus noise), and the chain GpuOfdmDemodulator -> GpuPuschFrontEnd
// (the demodulator writing straight into the front end's device grid) against the CPU chain
// OfdmDemodulator -> PuschReceiver::soft_bits. Without a CUDA device every test skips with
// detect_gpu()'s reason.
//
// Tolerance: the per-RE arithmetic is the shared detail/ofdm_math.hpp; cuFFT and FFTW round
// differently (both O(eps log N) per bin), so |GPU - CPU| <= 1e-4 x the grid's RMS for every RE
// (float eps x log2 4096 is about 1.4e-6; the margin covers the worst bin of a slot). The chain
// uses the front end tests' LLR tolerance.
#include <gtest/gtest.h>

#include "../support/require_gpu.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "airan/phy/cuda/gpu_ofdm_demodulator.hpp"
#include "airan/phy/cuda/gpu_pusch_front_end.hpp"
#include "airan/phy/gpu.hpp"
#include "airan/phy/ofdm/ofdm.hpp"
#include "airan/phy/pusch/pusch_receiver.hpp"
#include "airan/phy/pusch/pusch_transmitter.hpp"

namespace airan::phy {
namespace {

constexpr double kGridTolerance = 1e-4;

OfdmConfig config_of(int mu, int fft_size, int prbs, int window_offset, bool upconversion) {
  OfdmConfig c;
  c.numerology.mu = mu;
  c.fft_size = fft_size;
  c.grid_subcarriers = 12 * prbs;
  c.fft_window_offset = window_offset;
  c.upconversion_phase = upconversion;
  c.carrier_frequency_hz = upconversion ? 3.5e9 + 15e3 * 7 : 0.0;
  c.plan_effort = FftPlanEffort::estimate;
  return c;
}

// ports x slot_samples(slot) samples, port after port: `grid` modulated plus noise.
std::vector<Complex> modulate(const OfdmConfig& c, const ResourceGrid& grid, int slot, std::mt19937_64& e) {
  auto modulator = OfdmModulator::create(c);
  EXPECT_TRUE(modulator.has_value());
  const auto samples = static_cast<std::size_t>(c.slot_samples(slot));
  std::vector<Complex> time(samples * grid.ports());
  std::normal_distribution<float> normal(0.0F, 1.0F);
  for (int p = 0; p < grid.ports(); ++p) {
    std::span<Complex> port(time.data() + p * samples, samples);
    EXPECT_TRUE(modulator->modulate(grid, p, port, slot).is_ok());
    for (auto& v : port) v += 0.01F * Complex(normal(e), normal(e));
  }
  return time;
}

ResourceGrid cpu_demodulate(const OfdmConfig& c, std::span<const Complex> time, int ports, int slot) {
  auto demodulator = OfdmDemodulator::create(c);
  EXPECT_TRUE(demodulator.has_value());
  ResourceGrid out(ports, c.numerology.symbols_per_slot(), c.grid_subcarriers);
  const auto samples = static_cast<std::size_t>(c.slot_samples(slot));
  for (int p = 0; p < ports; ++p) {
    EXPECT_TRUE(demodulator->demodulate(time.subspan(p * samples, samples), out, p, slot).is_ok());
  }
  return out;
}

// Empty when every RE is within kGridTolerance x RMS, else the worst.
std::string compare_grids(const ResourceGrid& gpu, const ResourceGrid& cpu) {
  if (gpu.data().size() != cpu.data().size()) return "grid sizes differ";
  double power = 0.0;
  for (const Complex& v : cpu.data()) power += std::norm(v);
  const double rms = std::sqrt(power / static_cast<double>(cpu.data().size()));
  double worst = 0.0;
  std::size_t at = 0;
  for (std::size_t i = 0; i < cpu.data().size(); ++i) {
    const double d = std::abs(gpu.data()[i] - cpu.data()[i]) / rms;
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  if (worst <= kGridTolerance) return "";
  std::ostringstream s;
  s << "worst |GPU - CPU| / RMS = " << worst << " at element " << at;
  return s.str();
}

TEST(GpuOfdmDemodulator, MatchesTheCpuDemodulatorSlotAfterSlotThroughOneGraph) {
  AIRAN_REQUIRE_GPU();
  struct Case {
    int mu, fft, prbs, offset;
    bool upconversion;
    int ports;
  };
  for (const Case& k : {Case{1, 4096, 273, 0, false, 4}, Case{1, 4096, 273, 144, true, 3}, Case{0, 2048, 106, 72, true, 2},
                        Case{2, 4096, 135, 0, false, 1}}) {
    const OfdmConfig c = config_of(k.mu, k.fft, k.prbs, k.offset, k.upconversion);
    GpuOfdmDemodulatorLimits limits;
    limits.max_ports = 4;
    auto created = GpuOfdmDemodulator::create(c, limits);
    ASSERT_TRUE(created.has_value()) << created.error().message;
    GpuOfdmDemodulator& gpu = **created;
    std::mt19937_64 e(static_cast<std::uint64_t>(k.mu * 1000 + k.offset));
    std::normal_distribution<float> normal(0.0F, 1.0F);
    // Slots of both CP patterns (at 60 kHz slot 1 has no longer CP, slot 2 has), one graph.
    for (int slot : {0, 1, 2, 5}) {
      ResourceGrid tx(k.ports, c.numerology.symbols_per_slot(), c.grid_subcarriers);
      for (auto& v : tx.data()) v = Complex(normal(e), normal(e));
      const std::vector<Complex> time = modulate(c, tx, slot, e);
      ASSERT_TRUE(gpu.setup(slot, k.ports).is_ok());
      ASSERT_TRUE(gpu.upload_input(time).is_ok());
      const Status ran = gpu.run_graph();
      ASSERT_TRUE(ran.is_ok()) << ran.message();
      ResourceGrid got;
      const Status copied = gpu.copy_grid_to_host(got);
      ASSERT_TRUE(copied.is_ok()) << copied.message();
      EXPECT_EQ(compare_grids(got, cpu_demodulate(c, time, k.ports, slot)), "")
          << "mu " << k.mu << " FFT " << k.fft << " slot " << slot << " offset " << k.offset;
      // A plain run gives the graph's grid bit for bit.
      ASSERT_TRUE(gpu.run().is_ok());
      ResourceGrid plain;
      ASSERT_TRUE(gpu.copy_grid_to_host(plain).is_ok());
      EXPECT_TRUE(plain.data().size() == got.data().size() &&
                  std::equal(plain.data().begin(), plain.data().end(), got.data().begin()))
          << "slot " << slot;
    }
  }
}

// The demodulator writes into the front end's device grid (rows 12 x grid_prbs apart), then
// the front end runs: its LLRs match the CPU chain's.
TEST(GpuOfdmDemodulator, WritesStraightIntoTheFrontEndGrid) {
  AIRAN_REQUIRE_GPU();
  constexpr int kRx = 4;
  constexpr int kPrbs = 273;
  PuschConfig pc;
  pc.numerology = 1;
  pc.bwp_size = kPrbs;
  pc.rb_size = 200;
  pc.rb_start = 30;
  pc.num_layers = 2;
  pc.num_antenna_ports = 2;
  pc.mcs_table = McsTable::qam256;
  pc.mcs_index = 20;
  pc.dmrs.additional_position = 1;
  pc.dmrs.num_cdm_groups_without_data = 2;
  pc.slot_number = 3;
  auto plan = plan_pusch(pc);
  ASSERT_TRUE(plan.has_value()) << plan.error().message;
  std::mt19937_64 e(11);
  std::vector<std::uint8_t> tb(static_cast<std::size_t>(plan->tbs));
  for (auto& b : tb) b = static_cast<std::uint8_t>(e() & 1U);
  PuschTransmitter transmitter;
  ResourceGrid tx;
  ASSERT_TRUE(transmitter.transmit(*plan, tb, tx).is_ok());
  std::normal_distribution<float> normal(0.0F, std::sqrt(0.5F));
  ResourceGrid rx_freq(kRx, kSymbolsPerSlot, 12 * kPrbs);
  for (int r = 0; r < kRx; ++r) {
    for (int t = 0; t < 2; ++t) {
      const Complex h(normal(e), normal(e));
      for (int l = 0; l < kSymbolsPerSlot; ++l) {
        for (int k = 0; k < tx.subcarriers(); ++k) rx_freq.at(r, l, k) += h * tx.at(t, l, k);
      }
    }
  }
  const OfdmConfig c = config_of(1, 4096, kPrbs, 0, false);
  const std::vector<Complex> time = modulate(c, rx_freq, pc.slot_number, e);
  const ResourceGrid cpu_grid = cpu_demodulate(c, time, kRx, pc.slot_number);
  auto receiver = PuschReceiver::create(PuschReceiverConfig{});
  ASSERT_TRUE(receiver.has_value());
  std::vector<float> expected(static_cast<std::size_t>(plan->g));
  ASSERT_TRUE((*receiver)->soft_bits(*plan, cpu_grid, expected).is_ok());

  GpuPuschLimits limits;
  limits.grid_prbs = 275;  // rows wider than the demodulated grid
  limits.max_ues = 1;
  auto front_end = GpuPuschFrontEnd::create(limits, {});
  ASSERT_TRUE(front_end.has_value()) << front_end.error().message;
  GpuOfdmDemodulatorLimits demod_limits;
  demod_limits.max_ports = kRx;
  demod_limits.grid_row_subcarriers = 12 * limits.grid_prbs;
  auto demodulator = GpuOfdmDemodulator::create(c, demod_limits);
  ASSERT_TRUE(demodulator.has_value()) << demodulator.error().message;
  ASSERT_TRUE((*demodulator)->set_output((*front_end)->device_grid()).is_ok());
  ASSERT_TRUE((*demodulator)->setup(pc.slot_number, kRx).is_ok());
  ASSERT_TRUE((*demodulator)->upload_input(time).is_ok());
  ASSERT_TRUE((*demodulator)->run().is_ok());
  ASSERT_TRUE((*demodulator)->synchronize().is_ok());  // the two objects have their own streams
  const GpuPuschUe ue{&*plan, 0};
  ASSERT_TRUE((*front_end)->setup(std::span(&ue, 1), kRx, 12 * kPrbs).is_ok());
  ASSERT_TRUE((*front_end)->run().is_ok());
  ASSERT_TRUE((*front_end)->copy_llrs_to_host().is_ok());
  ASSERT_TRUE((*front_end)->synchronize().is_ok());
  const auto got = (*front_end)->llrs(0);
  ASSERT_EQ(got.size(), expected.size());
  double mean = 0.0;
  for (float v : expected) mean += std::abs(v);
  mean /= static_cast<double>(expected.size());
  std::size_t outside = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    outside += !(std::abs(got[i] - expected[i]) <= 1e-3 * (mean + std::abs(expected[i])));
  }
  EXPECT_LE(static_cast<double>(outside), 1e-3 * static_cast<double>(got.size()))
      << outside << " of " << got.size() << " LLRs outside 1e-3 (mean |LLR| + |LLR|)";
}

TEST(GpuOfdmDemodulator, ErrorsNameTheField) {
  AIRAN_REQUIRE_GPU();
  const OfdmConfig c = config_of(1, 4096, 273, 0, false);
  GpuOfdmDemodulatorLimits limits;
  limits.max_ports = 0;
  auto bad = GpuOfdmDemodulator::create(c, limits);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("max_ports=0"), std::string::npos) << bad.error().message;
  limits.max_ports = 2;
  limits.grid_row_subcarriers = 100;
  bad = GpuOfdmDemodulator::create(c, limits);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("grid_row_subcarriers=100"), std::string::npos) << bad.error().message;
  limits.grid_row_subcarriers = 0;
  auto good = GpuOfdmDemodulator::create(c, limits);
  ASSERT_TRUE(good.has_value()) << good.error().message;
  Status s = (*good)->setup(0, 3);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("ports=3"), std::string::npos) << s.message();
  ASSERT_TRUE((*good)->setup(0, 2).is_ok());
  s = (*good)->upload_input(std::vector<Complex>(100));
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("100 samples"), std::string::npos) << s.message();
}

TEST(GpuOfdmDemodulator, CreateSaysWhyWithoutADevice) {
  const GpuInfo& gpu = detect_gpu();
  if (gpu.available) GTEST_SKIP() << "a GPU is present: " << gpu.name;
  auto demodulator = GpuOfdmDemodulator::create(config_of(1, 4096, 273, 0, false), {});
  ASSERT_FALSE(demodulator.has_value());
  EXPECT_NE(demodulator.error().message.find("GPU OFDM demodulator"), std::string::npos)
      << demodulator.error().message;
}

}  // namespace
}  // namespace airan::phy
