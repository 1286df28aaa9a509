#include "airan/phy/ofdm/ofdm.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <numbers>
#include <random>
#include <vector>

namespace airan::phy {
namespace {

void fill_random(ResourceGrid& grid, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0F, std::sqrt(0.5F));
  for (Complex& x : grid.data()) x = Complex(normal(rng), normal(rng));
}

float max_abs_diff(const ResourceGrid& a, const ResourceGrid& b, int port) {
  float m = 0.0F;
  for (int l = 0; l < a.symbols(); ++l) {
    for (int k = 0; k < a.subcarriers(); ++k) m = std::max(m, std::abs(a.at(port, l, k) - b.at(port, l, k)));
  }
  return m;
}

struct RoundTripCase {
  int mu;
  CyclicPrefix cp;
  int fft;
  int subcarriers;
  int window_offset;
};

TEST(OfdmTest, RoundTripIsIdentity) {
  for (const RoundTripCase& c : {RoundTripCase{0, CyclicPrefix::normal, 2048, 1272, 0},
                                 RoundTripCase{1, CyclicPrefix::normal, 4096, 3276, 0},
                                 RoundTripCase{1, CyclicPrefix::normal, 4096, 3276, 100},
                                 RoundTripCase{1, CyclicPrefix::normal, 1024, 612, 36},
                                 RoundTripCase{1, CyclicPrefix::normal, 1536, 1272, 0},
                                 RoundTripCase{2, CyclicPrefix::extended, 512, 396, 64},
                                 RoundTripCase{3, CyclicPrefix::normal, 256, 133, 9},
                                 RoundTripCase{0, CyclicPrefix::normal, 128, 72, 0},
                                 RoundTripCase{0, CyclicPrefix::normal, 8192, 8191, 1},
                                 RoundTripCase{6, CyclicPrefix::normal, 2048, 1584, 144}}) {
    OfdmConfig config;
    config.numerology = {c.mu, c.cp};
    config.fft_size = c.fft;
    config.grid_subcarriers = c.subcarriers;
    config.fft_window_offset = c.window_offset;
    config.plan_effort = FftPlanEffort::estimate;
    auto mod = OfdmModulator::create(config);
    ASSERT_TRUE(mod) << mod.error().message;
    auto demod = OfdmDemodulator::create(config);
    ASSERT_TRUE(demod) << demod.error().message;
    ResourceGrid tx(2, config.numerology.symbols_per_slot(), c.subcarriers);
    ResourceGrid rx(2, config.numerology.symbols_per_slot(), c.subcarriers);
    fill_random(tx, static_cast<std::uint64_t>(c.fft + c.mu));
    for (int slot = 0; slot < std::min(4, config.numerology.slots_per_subframe()); ++slot) {
      std::vector<Complex> samples(static_cast<std::size_t>(mod->slot_samples(slot)));
      ASSERT_TRUE(mod->modulate(tx, 1, samples, slot));
      ASSERT_TRUE(demod->demodulate(samples, rx, 1, slot));
      EXPECT_LT(max_abs_diff(tx, rx, 1), 2e-5F) << "mu " << c.mu << " fft " << c.fft << " sc " << c.subcarriers
                                                << " offset " << c.window_offset << " slot " << slot;
      // Unitary scaling: time-domain energy = grid energy.
      double e_time = 0.0, e_grid = 0.0;
      for (int l = 0; l < tx.symbols(); ++l) {
        for (Complex x : tx.symbol(1, l)) e_grid += std::norm(x);
      }
      int pos = 0;
      for (int l = 0; l < tx.symbols(); ++l) {
        const int cp = config.numerology.cp_length_samples(l, slot, c.fft);
        for (int i = 0; i < c.fft; ++i) e_time += std::norm(samples[pos + cp + i]);
        pos += cp + c.fft;
      }
      EXPECT_NEAR(e_time / e_grid, 1.0, 1e-4);
    }
  }
}

TEST(OfdmTest, ToneLandsInOneBinWithCyclicPrefix) {
  OfdmConfig config;
  config.numerology = {1};
  config.fft_size = 1024;
  config.grid_subcarriers = 612;
  config.plan_effort = FftPlanEffort::estimate;
  auto mod = OfdmModulator::create(config);
  ASSERT_TRUE(mod);
  const int n = config.fft_size;
  for (int k : {0, 5, 305, 306, 307, 611}) {
    ResourceGrid grid(1, 14, 612);
    const Complex a(0.6F, -0.8F);
    grid.at(0, 3, k) = a;
    std::vector<Complex> samples(static_cast<std::size_t>(mod->slot_samples(0)));
    ASSERT_TRUE(mod->modulate(grid, 0, samples, 0));
    const int bin = k - 612 / 2;  // signed frequency index, bin (k - N/2) mod N_fft
    const int start = config.numerology.symbol_start_samples(3, 0, n);
    const int cp = config.numerology.cp_length_samples(3, 0, n);
    double err = 0.0;
    for (int i = -cp; i < n; ++i) {  // the CP continues the same exponential
      const double phi = 2.0 * std::numbers::pi * bin * i / n;
      const Complex expect = a * Complex(static_cast<float>(std::cos(phi)), static_cast<float>(std::sin(phi))) /
                             std::sqrt(static_cast<float>(n));
      err = std::max(err, static_cast<double>(std::abs(samples[start + cp + i] - expect)));
    }
    EXPECT_LT(err, 1e-6) << "subcarrier " << k;
    // Every other symbol is silent.
    const int next = config.numerology.symbol_start_samples(4, 0, n);
    for (int i = 0; i < start; ++i) ASSERT_EQ(samples[i], Complex{});
    for (int i = next; i < static_cast<int>(samples.size()); ++i) ASSERT_EQ(samples[i], Complex{});
  }
}

TEST(OfdmTest, WindowOffsetToleratesEarlyAndLateTiming) {
  OfdmConfig config;
  config.numerology = {1};
  config.fft_size = 2048;
  config.grid_subcarriers = 1272;
  config.fft_window_offset = 72;  // half the CP
  config.plan_effort = FftPlanEffort::estimate;
  auto mod = OfdmModulator::create(config);
  auto demod = OfdmDemodulator::create(config);
  ASSERT_TRUE(mod && demod);
  ResourceGrid tx(1, 14, 1272), rx(1, 14, 1272);
  fill_random(tx, 7);
  std::vector<Complex> samples(static_cast<std::size_t>(mod->slot_samples(0)));
  ASSERT_TRUE(mod->modulate(tx, 0, samples, 0));
  for (int delay : {-40, -5, 3, 40}) {  // the signal arrives `delay` samples late
    std::vector<Complex> shifted(samples.size());
    for (int i = 0; i < static_cast<int>(samples.size()); ++i) {
      const int j = i - delay;
      shifted[i] = (j >= 0 && j < static_cast<int>(samples.size())) ? samples[j] : Complex{};
    }
    ASSERT_TRUE(demod->demodulate(shifted, rx, 0, 0));
    // A pure linear phase exp(-j 2 pi m delay / N): no inter-symbol interference. The first
    // symbol of an early signal and the last of a late one lose samples at the slot edge.
    float err = 0.0F;
    for (int l = 1; l < 13; ++l) {
      for (int k = 0; k < 1272; ++k) {
        const double phi = -2.0 * std::numbers::pi * (k - 636) * delay / 2048.0;
        const Complex expect = tx.at(0, l, k) * Complex(static_cast<float>(std::cos(phi)), static_cast<float>(std::sin(phi)));
        err = std::max(err, std::abs(rx.at(0, l, k) - expect));
      }
    }
    EXPECT_LT(err, 1e-4F) << "delay " << delay;
  }
}

TEST(OfdmTest, UpconversionPhaseCompensation) {
  OfdmConfig plain;
  plain.numerology = {1};
  plain.fft_size = 512;
  plain.grid_subcarriers = 300;
  plain.plan_effort = FftPlanEffort::estimate;
  OfdmConfig comp = plain;
  comp.upconversion_phase = true;
  comp.carrier_frequency_hz = 3.5e9 + 12345.0;
  auto mod_plain = OfdmModulator::create(plain);
  auto mod_comp = OfdmModulator::create(comp);
  auto demod_comp = OfdmDemodulator::create(comp);
  ASSERT_TRUE(mod_plain && mod_comp && demod_comp);
  ResourceGrid tx(1, 14, 300), rx(1, 14, 300);
  fill_random(tx, 3);
  const int slot = 1;
  std::vector<Complex> a(static_cast<std::size_t>(mod_plain->slot_samples(slot))), b(a.size());
  ASSERT_TRUE(mod_plain->modulate(tx, 0, a, slot));
  ASSERT_TRUE(mod_comp->modulate(tx, 0, b, slot));
  const Numerology& n = comp.numerology;
  for (int l : {0, 5, 13}) {
    const std::int64_t t = n.slot_start_in_subframe_tc(slot) + n.symbol_start_tc(l, slot) + n.cp_length_tc(l, slot);
    const double phi = -2.0 * std::numbers::pi * std::fmod(comp.carrier_frequency_hz * static_cast<double>(t) * kBasicTimeUnitS, 1.0);
    const Complex rot(static_cast<float>(std::cos(phi)), static_cast<float>(std::sin(phi)));
    const int i = n.symbol_start_samples(l, slot, 512) + 100;
    EXPECT_LT(std::abs(b[i] - a[i] * rot), 1e-5F) << "symbol " << l;
  }
  ASSERT_TRUE(demod_comp->demodulate(b, rx, 0, slot));
  EXPECT_LT(max_abs_diff(tx, rx, 0), 2e-5F);
}

TEST(OfdmTest, ErrorsNameTheParameter) {
  OfdmConfig config;
  config.fft_size = 2048;  // 3276 subcarriers do not fit
  auto m = OfdmModulator::create(config);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("grid_subcarriers=3276"), std::string::npos) << m.error().message;
  config = OfdmConfig{};
  config.fft_window_offset = 289;
  auto d = OfdmDemodulator::create(config);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("fft_window_offset=289"), std::string::npos) << d.error().message;
  config = OfdmConfig{};
  config.fft_size = 1000;
  EXPECT_FALSE(OfdmModulator::create(config));
  config = OfdmConfig{};
  config.numerology.mu = 9;
  EXPECT_FALSE(OfdmModulator::create(config));

  config = OfdmConfig{};
  config.fft_size = 256;
  config.grid_subcarriers = 120;
  config.plan_effort = FftPlanEffort::estimate;
  auto mod = OfdmModulator::create(config);
  ASSERT_TRUE(mod);
  ResourceGrid grid(1, 14, 120);
  std::vector<Complex> samples(static_cast<std::size_t>(mod->slot_samples()) - 1);
  auto s = mod->modulate(grid, 0, samples);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("size="), std::string::npos) << s.message();
  samples.resize(samples.size() + 1);
  s = mod->modulate(grid, 1, samples);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("port=1"), std::string::npos) << s.message();
  ResourceGrid wrong(1, 14, 121);
  EXPECT_FALSE(mod->modulate(wrong, 0, samples));
}

TEST(OfdmTest, MovedObjectsKeepWorking) {
  OfdmConfig config;
  config.fft_size = 256;
  config.grid_subcarriers = 144;
  config.plan_effort = FftPlanEffort::estimate;
  auto created = OfdmModulator::create(config);
  ASSERT_TRUE(created);
  OfdmModulator mod = std::move(*created);
  auto demod = OfdmDemodulator::create(config);
  ASSERT_TRUE(demod);
  std::vector<OfdmDemodulator> demods;
  demods.push_back(std::move(*demod));
  ResourceGrid tx(1, 14, 144), rx(1, 14, 144);
  fill_random(tx, 11);
  std::vector<Complex> samples(static_cast<std::size_t>(mod.slot_samples()));
  ASSERT_TRUE(mod.modulate(tx, 0, samples));
  ASSERT_TRUE(demods[0].demodulate(samples, rx, 0));
  EXPECT_LT(max_abs_diff(tx, rx, 0), 2e-5F);
}

// Timing figure (printed, not asserted): one 4096-point symbol, 273 PRB.
TEST(OfdmTest, TimingPerSymbol4096) {
  OfdmConfig config;  // mu = 1, 4096, 3276 subcarriers, FFTW_MEASURE
  auto mod = OfdmModulator::create(config);
  auto demod = OfdmDemodulator::create(config);
  ASSERT_TRUE(mod && demod);
  ResourceGrid tx(1, 14, 3276), rx(1, 14, 3276);
  fill_random(tx, 5);
  std::vector<Complex> samples(static_cast<std::size_t>(mod->slot_samples()));
  std::vector<double> tm, td;
  for (int rep = 0; rep < 21; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(mod->modulate(tx, 0, samples));
    auto t1 = std::chrono::steady_clock::now();
    ASSERT_TRUE(demod->demodulate(samples, rx, 0));
    auto t2 = std::chrono::steady_clock::now();
    tm.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / 14);
    td.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count() / 14);
  }
  std::nth_element(tm.begin(), tm.begin() + 10, tm.end());
  std::nth_element(td.begin(), td.begin() + 10, td.end());
  std::cout << "[ timing ] OFDM 4096-point symbol (3276 subcarriers): modulate " << tm[10] << " us, demodulate "
            << td[10] << " us (median of 21 slots)\n";
  EXPECT_LT(max_abs_diff(tx, rx, 0), 2e-5F);
}

}  // namespace
}  // namespace airan::phy
