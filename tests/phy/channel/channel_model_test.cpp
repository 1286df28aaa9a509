#include "airan/phy/channel/channel_model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <numbers>
#include <random>
#include <vector>

#include "airan/phy/channel/tdl_profiles.hpp"
#include "airan/phy/ofdm/ofdm.hpp"

namespace airan::phy {
namespace {

std::unique_ptr<ChannelModel> make(ChannelConfig c) {
  auto m = make_channel(c);
  EXPECT_TRUE(m) << m.error().message;
  return m ? std::move(*m) : nullptr;
}

void fill_qpsk(ResourceGrid& grid, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const float a = 1.0F / std::sqrt(2.0F);
  for (Complex& x : grid.data()) x = Complex((rng() & 1) ? a : -a, (rng() & 2) ? a : -a);
}

TEST(ChannelModel, UnknownProfilesAndBadParametersAreNamed) {
  ChannelConfig c;
  c.profile = "tdl-x";
  auto m = make_channel(c);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("'tdl-x'"), std::string::npos) << m.error().message;
  c.profile = "rician";
  EXPECT_NE(make_channel(c).error().message.find("'rician'"), std::string::npos);
  c.profile = "tdla30-abc";
  m = make_channel(c);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("abc"), std::string::npos) << m.error().message;
  c.profile = "tdla30-10";
  c.max_doppler_hz = 5;
  m = make_channel(c);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("max_doppler_hz=5"), std::string::npos) << m.error().message;
  c = ChannelConfig{};
  c.tx_ports = 0;
  EXPECT_NE(make_channel(c).error().message.find("tx_ports=0"), std::string::npos);
  c = ChannelConfig{};
  c.delay_spread_s = -1e-9;
  EXPECT_NE(make_channel(c).error().message.find("delay_spread_s="), std::string::npos);
  c = ChannelConfig{};
  c.max_doppler_hz = -3;
  EXPECT_NE(make_channel(c).error().message.find("max_doppler_hz=-3"), std::string::npos);
  c = ChannelConfig{};
  c.sinusoids_per_tap = 1;
  EXPECT_NE(make_channel(c).error().message.find("sinusoids_per_tap=1"), std::string::npos);
}

TEST(ChannelModel, ProfilesDelaysAndNames) {
  ChannelConfig c;
  c.profile = "TDL-A";
  c.delay_spread_s = 100e-9;
  auto m = make(c);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->profile_name(), "TDL-A");
  ASSERT_EQ(m->taps(), 23);
  EXPECT_NEAR(m->tap_delays_s()[22], 9.6586 * 100e-9, 1e-15);
  c.profile = "tdlc300-100";
  m = make(c);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->profile_name(), "TDLC300");
  EXPECT_EQ(m->config().max_doppler_hz, 100.0);
  EXPECT_NEAR(m->tap_delays_s()[11], 2595e-9, 1e-15);
  for (const char* name : {"awgn", "rayleigh", "tdl-a", "tdl-b", "tdl-c", "tdl-d", "tdl-e", "tdla30", "tdlb100", "tdlc300",
                           "TDLA30-10", "tdlb100-400"}) {
    c = ChannelConfig{};
    c.profile = name;
    auto ch = make(c);
    ASSERT_TRUE(ch) << name;
    double total = 0.0;
    for (double p : ch->tap_powers()) total += p;
    EXPECT_NEAR(total, 1.0, 1e-12) << name;
  }
}

// Average total power ~1 and the per-tap powers follow the table (static draws over seeds and
// Doppler draws over time).
TEST(ChannelModel, TdlPowerDelayProfile) {
  for (const char* name : {"tdl-a", "tdlb100", "tdl-d"}) {
    ChannelConfig c;
    c.profile = name;
    c.tx_ports = 4;
    c.rx_ports = 4;
    auto probe = make(c);
    ASSERT_TRUE(probe);
    const int taps = probe->taps();
    std::vector<double> power(static_cast<std::size_t>(taps));
    int draws = 0;
    for (std::uint64_t seed = 1; seed <= 150; ++seed) {
      c.seed = seed;
      auto m = make(c);
      m->realize(0.0);
      for (int r = 0; r < 4; ++r) {
        for (int t = 0; t < 4; ++t) {
          for (int p = 0; p < taps; ++p) power[p] += std::norm(m->tap_gain(r, t, p));
          ++draws;
        }
      }
    }
    double total = 0.0;
    for (int p = 0; p < taps; ++p) {
      power[p] /= draws;
      total += power[p];
      EXPECT_NEAR(power[p] / probe->tap_powers()[p], 1.0, 0.12) << name << " tap " << p;
    }
    EXPECT_NEAR(total, 1.0, 0.05) << name;
  }
  // Time-varying: average over time and pairs.
  ChannelConfig c;
  c.profile = "tdla30-100";
  c.tx_ports = 4;
  c.rx_ports = 4;
  c.seed = 9;
  auto m = make(c);
  double total = 0.0;
  int n = 0;
  for (int i = 0; i < 400; ++i) {
    m->realize(i * 3.7e-3);
    for (int r = 0; r < 4; ++r) {
      for (int t = 0; t < 4; ++t) {
        for (int p = 0; p < m->taps(); ++p) total += std::norm(m->tap_gain(r, t, p));
        ++n;
      }
    }
  }
  EXPECT_NEAR(total / n, 1.0, 0.05);
}

// Time autocorrelation per Clarke: J0(2 pi f_d tau), so the decorrelation time scales as 1/f_d.
TEST(ChannelModel, DopplerAutocorrelationFollowsBesselJ0) {
  for (double fd : {50.0, 200.0}) {
    for (double lag_cycles : {0.1, 0.25, 1.0}) {  // tau in units of 1/f_d
      const double tau = lag_cycles / fd;
      std::complex<double> corr{};
      double power = 0.0;
      for (std::uint64_t seed = 1; seed <= 60; ++seed) {
        ChannelConfig c;
        c.profile = "rayleigh";
        c.tx_ports = 4;
        c.rx_ports = 4;
        c.max_doppler_hz = fd;
        c.seed = seed;
        auto m = make(c);
        for (double t0 : {0.0, 0.37, 1.1}) {
          m->realize(t0);
          std::vector<Complex> a;
          for (int r = 0; r < 4; ++r)
            for (int t = 0; t < 4; ++t) a.push_back(m->tap_gain(r, t, 0));
          m->realize(t0 + tau);
          int i = 0;
          for (int r = 0; r < 4; ++r) {
            for (int t = 0; t < 4; ++t, ++i) {
              const std::complex<double> x0(a[i].real(), a[i].imag());
              const Complex b = m->tap_gain(r, t, 0);
              corr += std::complex<double>(b.real(), b.imag()) * std::conj(x0);
              power += std::norm(x0);
            }
          }
        }
      }
      const double rho = corr.real() / power;
      const double j0 = std::cyl_bessel_j(0.0, 2.0 * std::numbers::pi * lag_cycles);
      EXPECT_NEAR(rho, j0, 0.08) << "f_d " << fd << " lag " << lag_cycles << "/f_d";
    }
  }
}

TEST(ChannelModel, ReproducibleFromSeedAndBlockFading) {
  ChannelConfig c;
  c.profile = "rayleigh";
  c.tx_ports = 2;
  c.rx_ports = 2;
  c.block_fading = true;
  c.seed = 42;
  auto a = make(c);
  auto b = make(c);
  const Numerology num{1};
  ResourceGrid tx(2, 14, 24), ra, rb;
  fill_qpsk(tx, 1);
  ASSERT_TRUE(a->apply(tx, ra, num, 5));
  ASSERT_TRUE(b->apply(tx, rb, num, 5));
  EXPECT_EQ(ra.ports(), 2);
  for (std::size_t i = 0; i < ra.data().size(); ++i) ASSERT_EQ(ra.data()[i], rb.data()[i]);
  // Flat: H constant over the slot; a different slot draws anew.
  const Complex h0 = ra.at(0, 0, 0) / tx.at(0, 0, 0);
  ResourceGrid tx1(2, 14, 24);
  tx1.at(0, 0, 0) = tx1.at(0, 13, 23) = 1.0F;
  ASSERT_TRUE(a->apply(tx1, ra, num, 5));
  EXPECT_NEAR(std::abs(ra.at(1, 0, 0) - ra.at(1, 13, 23)), 0.0, 1e-6);
  ASSERT_TRUE(a->apply(tx1, rb, num, 6));
  EXPECT_GT(std::abs(ra.at(1, 0, 0) - rb.at(1, 0, 0)), 1e-3);
  (void)h0;
  c.seed = 43;
  auto other = make(c);
  ASSERT_TRUE(other->apply(tx1, rb, num, 5));
  EXPECT_GT(std::abs(ra.at(1, 0, 0) - rb.at(1, 0, 0)), 1e-3);
}

TEST(ChannelModel, AwgnProfileIsIdentity) {
  ChannelConfig c;
  c.tx_ports = 2;
  c.rx_ports = 3;
  auto m = make(c);
  ResourceGrid tx(2, 14, 36), rx;
  fill_qpsk(tx, 3);
  ASSERT_TRUE(m->apply(tx, rx, Numerology{0}, 0));
  ASSERT_EQ(rx.ports(), 3);
  for (int l = 0; l < 14; ++l) {
    for (int k = 0; k < 36; ++k) {
      EXPECT_EQ(rx.at(0, l, k), tx.at(0, l, k));
      EXPECT_EQ(rx.at(1, l, k), tx.at(1, l, k));
      EXPECT_EQ(rx.at(2, l, k), Complex{});
    }
  }
}

// The frequency response is the DFT of the taps: check it against the tap gains directly.
TEST(ChannelModel, FrequencyResponseMatchesTaps) {
  ChannelConfig c;
  c.profile = "tdl-c";
  c.delay_spread_s = 300e-9;
  c.tx_ports = 2;
  c.rx_ports = 2;
  c.keep_frequency_response = true;
  auto m = make(c);
  const Numerology num{1};
  ResourceGrid tx(2, 14, 120), rx;
  fill_qpsk(tx, 4);
  ASSERT_TRUE(m->apply(tx, rx, num, 0));
  m->realize(0.0);  // static channel: the same gains at any time
  for (int k : {0, 17, 60, 119}) {
    const double f = (k - 60) * num.scs_hz();
    std::complex<double> h{};
    for (int p = 0; p < m->taps(); ++p) {
      const Complex g = m->tap_gain(1, 0, p);
      h += std::complex<double>(g.real(), g.imag()) * std::polar(1.0, -2.0 * std::numbers::pi * f * m->tap_delays_s()[p]);
    }
    const Complex got = m->frequency_response(1, 0, 7)[k];
    EXPECT_NEAR(got.real(), h.real(), 1e-4) << k;
    EXPECT_NEAR(got.imag(), h.imag(), 1e-4) << k;
  }
  // rx = sum_t H tx
  const Complex y = m->frequency_response(1, 0, 3)[5] * tx.at(0, 3, 5) + m->frequency_response(1, 1, 3)[5] * tx.at(1, 3, 5);
  EXPECT_LT(std::abs(rx.at(1, 3, 5) - y), 1e-5F);
}

double nmse_db(const ResourceGrid& ref, const ResourceGrid& got) {
  double e = 0.0, p = 0.0;
  for (std::size_t i = 0; i < ref.data().size(); ++i) {
    e += std::norm(ref.data()[i] - got.data()[i]);
    p += std::norm(ref.data()[i]);
  }
  return 10.0 * std::log10(e / p);
}

// OFDM + time-domain channel + OFDM equals the frequency-domain channel for a static channel
// whose delays fit the CP.
void check_time_vs_frequency(ChannelConfig c, double max_nmse_db) {
  c.tx_ports = 2;
  c.rx_ports = 2;
  auto fd = make(c);
  auto td = make(c);
  ASSERT_TRUE(fd && td);
  OfdmConfig oc;
  oc.numerology = {1};
  oc.fft_size = 1024;
  oc.grid_subcarriers = 612;  // 51 PRB: 20 MHz at 30 kHz
  oc.plan_effort = FftPlanEffort::estimate;
  auto mod = OfdmModulator::create(oc);
  auto demod = OfdmDemodulator::create(oc);
  ASSERT_TRUE(mod && demod);
  const double fs = oc.sample_rate_hz();
  for (std::int64_t slot = 0; slot < 2; ++slot) {
    ResourceGrid tx(2, 14, 612), rx_fd, rx_td(2, 14, 612);
    fill_qpsk(tx, 100 + static_cast<std::uint64_t>(slot));
    ASSERT_TRUE(fd->apply(tx, rx_fd, oc.numerology, slot));
    const std::size_t n = static_cast<std::size_t>(mod->slot_samples(static_cast<int>(slot)));
    std::vector<std::vector<Complex>> x(2, std::vector<Complex>(n)), y(2, std::vector<Complex>(n));
    for (int p = 0; p < 2; ++p) ASSERT_TRUE(mod->modulate(tx, p, x[p], static_cast<int>(slot)));
    std::vector<std::span<const Complex>> in{x[0], x[1]};
    std::vector<std::span<Complex>> out{y[0], y[1]};
    auto s = td->apply_time_domain(in, out, oc.numerology.slot_start_s(slot), fs);
    ASSERT_TRUE(s) << s.message();
    for (int p = 0; p < 2; ++p) ASSERT_TRUE(demod->demodulate(y[p], rx_td, p, static_cast<int>(slot)));
    const double e = nmse_db(rx_fd, rx_td);
    EXPECT_LT(e, max_nmse_db) << c.profile << " slot " << slot;
    std::cout << "[ info ] " << c.profile << " slot " << slot << ": time vs frequency domain NMSE " << e << " dB\n";
  }
}

TEST(ChannelModel, TimeDomainAgreesWithFrequencyDomainStatic) {
  ChannelConfig c;
  c.profile = "tdl-a";
  c.delay_spread_s = 100e-9;  // up to 966 ns; the CP is 2.3 us
  check_time_vs_frequency(c, -30.0);
  c.profile = "tdla30";
  check_time_vs_frequency(c, -30.0);
  c.profile = "rayleigh";
  check_time_vs_frequency(c, -60.0);
}

TEST(ChannelModel, TimeDomainAgreesWithFrequencyDomainWithImpairments) {
  ChannelConfig c;
  c.profile = "tdlb100";
  c.timing_offset_s = 0.4e-6;
  c.carrier_frequency_offset_hz = 150.0;  // 0.5 % of the SCS: small ICI
  check_time_vs_frequency(c, -28.0);
  c = ChannelConfig{};
  c.profile = "tdla30-10";  // slow Doppler: nearly constant within a symbol
  check_time_vs_frequency(c, -28.0);
}

TEST(ChannelModel, TimeDomainErrors) {
  ChannelConfig c;
  c.profile = "rayleigh";
  c.timing_offset_s = -1e-6;
  auto m = make(c);
  std::vector<Complex> x(100), y(100);
  std::vector<std::span<const Complex>> in{x};
  std::vector<std::span<Complex>> out{y};
  auto s = m->apply_time_domain(in, out, 0.0, 30.72e6);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("timing_offset_s"), std::string::npos) << s.message();
  c = ChannelConfig{};
  m = make(c);
  std::vector<std::span<Complex>> two{y, y};
  EXPECT_FALSE(m->apply_time_domain(in, two, 0.0, 30.72e6));
  ResourceGrid wrong(2, 14, 12), rx;
  auto e = m->apply(wrong, rx, Numerology{1}, 0);
  ASSERT_FALSE(e);
  EXPECT_NE(e.message().find("ports=2"), std::string::npos);
}

// Timing figure (printed, not asserted): 4x4 TDL with Doppler on a 273-PRB slot, frequency domain.
TEST(ChannelModel, TimingFrequencyDomain4x4Slot) {
  for (const char* name : {"tdlc300-100", "tdl-a"}) {
    ChannelConfig c;
    c.profile = name;
    c.tx_ports = 4;
    c.rx_ports = 4;
    c.max_doppler_hz = std::string(name) == "tdl-a" ? 100.0 : 0.0;
    auto m = make(c);
    ResourceGrid tx(4, 14, 3276), rx(4, 14, 3276);
    fill_qpsk(tx, 1);
    const Numerology num{1};
    std::vector<double> ms;
    for (int slot = 0; slot < 15; ++slot) {
      auto t0 = std::chrono::steady_clock::now();
      ASSERT_TRUE(m->apply(tx, rx, num, slot));
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::nth_element(ms.begin(), ms.begin() + 7, ms.end());
    std::cout << "[ timing ] " << name << " (" << m->taps() << " taps) 4x4, 273 PRB x 14 symbols, frequency domain: "
              << ms[7] << " ms per slot (median of 15)\n";
  }
}

}  // namespace
}  // namespace airan::phy
