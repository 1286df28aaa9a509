#include "airan/phy/numerology.hpp"

#include <gtest/gtest.h>

namespace airan::phy {
namespace {

TEST(Numerology, BasicQuantities) {
  for (int mu = 0; mu <= kMaxNumerology; ++mu) {
    const Numerology n{mu, CyclicPrefix::normal};
    ASSERT_TRUE(n.validate()) << n.validate().message();
    EXPECT_EQ(n.scs_khz(), 15 << mu);
    EXPECT_DOUBLE_EQ(n.scs_hz(), 15e3 * (1 << mu));
    EXPECT_EQ(n.symbols_per_slot(), 14);
    EXPECT_EQ(n.slots_per_subframe(), 1 << mu);
    EXPECT_EQ(n.slots_per_frame(), 10 << mu);
    auto back = numerology_from_scs_khz(n.scs_khz());
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, mu);
  }
  EXPECT_EQ((Numerology{2, CyclicPrefix::extended}.symbols_per_slot()), 12);
  EXPECT_DOUBLE_EQ((Numerology{1}.sample_rate_hz(4096)), 122.88e6);
  EXPECT_DOUBLE_EQ((Numerology{0}.sample_rate_hz(2048)), 30.72e6);
}

TEST(Numerology, CpLengthsMu1Fft4096) {
  const Numerology n{1, CyclicPrefix::normal};
  for (int slot = 0; slot < 2; ++slot) {
    EXPECT_EQ(n.cp_length_samples(0, slot, 4096), 352) << "slot " << slot;
    for (int l = 1; l < 14; ++l) EXPECT_EQ(n.cp_length_samples(l, slot, 4096), 288) << "slot " << slot << " symbol " << l;
  }
  EXPECT_EQ(n.slot_length_samples(0, 4096), 61440);
  EXPECT_EQ(n.cp_length_samples(0, 0, 2048), 176);
  EXPECT_EQ(n.cp_length_samples(1, 0, 2048), 144);
}

TEST(Numerology, CpLengthsMu0Fft2048) {
  const Numerology n{0, CyclicPrefix::normal};
  for (int l = 0; l < 14; ++l) {
    EXPECT_EQ(n.cp_length_samples(l, 0, 2048), (l == 0 || l == 7) ? 160 : 144) << "symbol " << l;
    EXPECT_EQ(n.cp_length_samples(l, 0, 4096), (l == 0 || l == 7) ? 320 : 288) << "symbol " << l;
  }
  EXPECT_EQ(n.slot_length_samples(0, 2048), 30720);
  EXPECT_EQ(n.symbol_start_samples(7, 0, 2048), 160 + 6 * 144 + 7 * 2048);
}

TEST(Numerology, LongCpOnlyInFirstSlotOfEachHalfSubframe) {
  const Numerology n{2, CyclicPrefix::normal};  // 4 slots per subframe, long CP in slots 0 and 2
  EXPECT_TRUE(n.is_long_cp_symbol(0, 0));
  EXPECT_FALSE(n.is_long_cp_symbol(0, 1));
  EXPECT_TRUE(n.is_long_cp_symbol(0, 2));
  EXPECT_FALSE(n.is_long_cp_symbol(0, 3));
  EXPECT_TRUE(n.is_long_cp_symbol(0, 6));  // slot 6 = slot 2 of subframe 1
  EXPECT_EQ(n.slot_length_samples(0, 1024) - n.slot_length_samples(1, 1024), 32);  // 16 * 2^2 * 1024 / 2048
  const Numerology e{2, CyclicPrefix::extended};
  for (int l = 0; l < 12; ++l) EXPECT_EQ(e.cp_length_samples(l, 0, 2048), 512);
}

TEST(Numerology, SlotsSumToOneMillisecondPerSubframe) {
  const std::int64_t subframe_tc = 480000LL * 4096 / 1000;  // 1 ms in T_c
  for (int mu = 0; mu <= kMaxNumerology; ++mu) {
    for (CyclicPrefix cp : {CyclicPrefix::normal, CyclicPrefix::extended}) {
      const Numerology n{mu, cp};
      if (!n.validate()) continue;
      std::int64_t total = 0;
      double seconds = 0.0;
      for (int s = 0; s < n.slots_per_subframe(); ++s) {
        EXPECT_EQ(n.slot_start_in_subframe_tc(s), total) << "mu " << mu << " slot " << s;
        EXPECT_NEAR(n.slot_start_s(s), static_cast<double>(total) * kBasicTimeUnitS, 1e-15);
        total += n.slot_length_tc(s);
        seconds += n.slot_duration_s(s);
      }
      EXPECT_EQ(total, subframe_tc) << "mu " << mu;
      EXPECT_NEAR(seconds, 1e-3, 1e-15) << "mu " << mu;
      // In samples at any valid FFT size: 15 * 2^mu * N_fft samples per ms.
      for (int fft : {128, 1536, 4096}) {
        int samples = 0;
        for (int s = 0; s < n.slots_per_subframe(); ++s) samples += n.slot_length_samples(s, fft);
        EXPECT_EQ(samples, 15 * (1 << mu) * fft) << "mu " << mu << " fft " << fft;
      }
      EXPECT_NEAR(n.slot_start_s(n.slots_per_subframe() * 3 + 1), 3e-3 + n.slot_duration_s(0), 1e-15);
      // Symbol starts add up.
      EXPECT_EQ(n.symbol_start_tc(n.symbols_per_slot(), 0), n.slot_length_tc(0));
      EXPECT_NEAR(n.symbol_start_s(1, 0), static_cast<double>(n.symbol_length_tc(0, 0)) * kBasicTimeUnitS, 1e-15);
    }
  }
}

TEST(Numerology, ValidationNamesTheParameter) {
  auto s = Numerology{7}.validate();
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("mu=7"), std::string::npos) << s.message();
  s = Numerology{1, CyclicPrefix::extended}.validate();
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("extended"), std::string::npos) << s.message();
  EXPECT_FALSE(numerology_from_scs_khz(45));
  EXPECT_NE(numerology_from_scs_khz(45).error().message.find("45"), std::string::npos);
  EXPECT_TRUE(validate_fft_size(4096));
  EXPECT_TRUE(validate_fft_size(8192));
  EXPECT_TRUE(validate_fft_size(1536));
  auto f = validate_fft_size(1000);
  ASSERT_FALSE(f);
  EXPECT_NE(f.message().find("fft_size=1000"), std::string::npos);
  EXPECT_FALSE(validate_fft_size(16384));
}

TEST(Numerology, MaxTransmissionBandwidth) {
  struct Case {
    int scs, bw;
    FrequencyRange fr;
    int n_rb;
  };
  for (const Case& c : {Case{30, 100, FrequencyRange::fr1, 273}, Case{30, 20, FrequencyRange::fr1, 51},
                        Case{15, 20, FrequencyRange::fr1, 106}, Case{15, 5, FrequencyRange::fr1, 25},
                        Case{15, 50, FrequencyRange::fr1, 270}, Case{30, 40, FrequencyRange::fr1, 106},
                        Case{60, 100, FrequencyRange::fr1, 135}, Case{60, 10, FrequencyRange::fr1, 11},
                        Case{120, 400, FrequencyRange::fr2, 264}, Case{120, 50, FrequencyRange::fr2, 32},
                        Case{60, 200, FrequencyRange::fr2, 264}, Case{60, 50, FrequencyRange::fr2, 66}}) {
    auto n = max_transmission_bandwidth_rbs(c.scs, c.bw, c.fr);
    ASSERT_TRUE(n) << n.error().message;
    EXPECT_EQ(*n, c.n_rb) << c.scs << " kHz " << c.bw << " MHz";
  }
  auto e = max_transmission_bandwidth_rbs(15, 100, FrequencyRange::fr1);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("bandwidth_mhz=100"), std::string::npos) << e.error().message;
  e = max_transmission_bandwidth_rbs(120, 100, FrequencyRange::fr1);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("scs_khz=120"), std::string::npos) << e.error().message;
  EXPECT_FALSE(max_transmission_bandwidth_rbs(60, 400, FrequencyRange::fr2));
}

TEST(Numerology, MinimalFftSize) {
  EXPECT_EQ(*minimal_fft_size(3276), 4096);
  EXPECT_EQ(*minimal_fft_size(1272), 2048);
  EXPECT_EQ(*minimal_fft_size(12), 128);
  EXPECT_EQ(*minimal_fft_size_for_bandwidth(30, 100, FrequencyRange::fr1), 4096);
  EXPECT_EQ(*minimal_fft_size_for_bandwidth(30, 20, FrequencyRange::fr1), 1024);
  EXPECT_EQ(*minimal_fft_size_for_bandwidth(15, 20, FrequencyRange::fr1), 2048);
  EXPECT_FALSE(minimal_fft_size(9000));
  EXPECT_FALSE(minimal_fft_size(0));
}

TEST(Numerology, CarrierConfigValidate) {
  CarrierConfig c;
  EXPECT_TRUE(c.validate()) << c.validate().message();
  EXPECT_EQ(c.subcarriers(), 3276);
  EXPECT_DOUBLE_EQ(c.sample_rate_hz(), 122.88e6);
  c.fft_size = 2048;
  auto s = c.validate();
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("fft_size=2048"), std::string::npos) << s.message();
  c = CarrierConfig{};
  c.n_rb = 276;
  EXPECT_NE(c.validate().message().find("n_rb=276"), std::string::npos);
}

}  // namespace
}  // namespace airan::phy
