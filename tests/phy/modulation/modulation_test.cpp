#include "airan/phy/modulation/modulation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <vector>

#include "airan/phy/modulation/qpsk.hpp"

namespace airan::phy {
namespace {

const Modulation kAll[] = {Modulation::pi2_bpsk, Modulation::bpsk,   Modulation::qpsk,   Modulation::qam16,
                           Modulation::qam64,    Modulation::qam256, Modulation::qam1024};
const Modulation kQam[] = {Modulation::qpsk, Modulation::qam16, Modulation::qam64, Modulation::qam256,
                           Modulation::qam1024};

std::vector<std::uint8_t> label_bits(unsigned label, int qm) {
  std::vector<std::uint8_t> bits(qm);
  for (int j = 0; j < qm; ++j) bits[j] = (label >> (qm - 1 - j)) & 1U;
  return bits;
}

// 38.211 5.1.3-5.1.7 written out literally, independently of the library's recursion.
std::complex<double> spec_point(Modulation m, const std::vector<std::uint8_t>& b) {
  auto s = [&](int i) { return 1.0 - 2.0 * b[i]; };
  switch (m) {
    case Modulation::qpsk:
      return std::complex<double>(s(0), s(1)) / std::sqrt(2.0);
    case Modulation::qam16:
      return std::complex<double>(s(0) * (2 - s(2)), s(1) * (2 - s(3))) / std::sqrt(10.0);
    case Modulation::qam64:
      return std::complex<double>(s(0) * (4 - s(2) * (2 - s(4))), s(1) * (4 - s(3) * (2 - s(5)))) / std::sqrt(42.0);
    case Modulation::qam256:
      return std::complex<double>(s(0) * (8 - s(2) * (4 - s(4) * (2 - s(6)))),
                                  s(1) * (8 - s(3) * (4 - s(5) * (2 - s(7))))) /
             std::sqrt(170.0);
    case Modulation::qam1024:
      return std::complex<double>(s(0) * (16 - s(2) * (8 - s(4) * (4 - s(6) * (2 - s(8))))),
                                  s(1) * (16 - s(3) * (8 - s(5) * (4 - s(7) * (2 - s(9)))))) /
             std::sqrt(682.0);
    default:
      return std::complex<double>(s(0), s(0)) / std::sqrt(2.0);
  }
}

TEST(ModConstellation, BitsPerSymbolAndFromOrder) {
  EXPECT_EQ(bits_per_symbol(Modulation::pi2_bpsk), 1);
  EXPECT_EQ(bits_per_symbol(Modulation::qam1024), 10);
  for (int qm : {2, 4, 6, 8, 10}) {
    auto m = modulation_from_order(qm);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(bits_per_symbol(*m), qm);
  }
  EXPECT_EQ(*modulation_from_order(1), Modulation::bpsk);
  EXPECT_EQ(*modulation_from_order(1, true), Modulation::pi2_bpsk);
  EXPECT_EQ(*modulation_from_order(2, true), Modulation::qpsk);
  for (int qm : {0, 3, 5, 12, -2}) {
    auto m = modulation_from_order(qm);
    ASSERT_FALSE(m.has_value());
    EXPECT_NE(m.error().message.find("qm"), std::string::npos) << m.error().message;
  }
}

TEST(ModConstellation, UnitAverageEnergy) {
  for (Modulation m : kAll) {
    const int qm = bits_per_symbol(m);
    double energy = 0;
    for (unsigned label = 0; label < (1U << qm); ++label) energy += std::norm(constellation_point(m, label));
    EXPECT_NEAR(energy / (1U << qm), 1.0, 1e-6) << to_string(m);
  }
}

TEST(ModConstellation, ModulateMatchesSpecFormulaForEveryLabel) {
  for (Modulation m : kQam) {
    const int qm = bits_per_symbol(m);
    const unsigned count = 1U << qm;
    std::vector<std::uint8_t> bits;
    for (unsigned label = 0; label < count; ++label) {
      auto b = label_bits(label, qm);
      bits.insert(bits.end(), b.begin(), b.end());
    }
    std::vector<Complex> symbols(count);
    modulate(m, bits, symbols);
    for (unsigned label = 0; label < count; ++label) {
      const auto expected = spec_point(m, label_bits(label, qm));
      EXPECT_NEAR(symbols[label].real(), expected.real(), 1e-6) << to_string(m) << " label " << label;
      EXPECT_NEAR(symbols[label].imag(), expected.imag(), 1e-6) << to_string(m) << " label " << label;
    }
  }
}

TEST(ModConstellation, ExactPointsOf38211) {
  auto point = [](Modulation m, std::vector<std::uint8_t> bits) {
    std::vector<Complex> s(1);
    modulate(m, bits, s);
    return s[0];
  };
  auto expect = [](Complex got, double re, double im) {
    EXPECT_NEAR(got.real(), re, 1e-6);
    EXPECT_NEAR(got.imag(), im, 1e-6);
  };
  const double r2 = std::sqrt(2.0);
  expect(point(Modulation::bpsk, {1}), -1 / r2, -1 / r2);
  expect(point(Modulation::qpsk, {0, 1}), 1 / r2, -1 / r2);
  expect(point(Modulation::qam16, {0, 0, 0, 0}), 1 / std::sqrt(10.0), 1 / std::sqrt(10.0));
  expect(point(Modulation::qam16, {1, 1, 1, 1}), -3 / std::sqrt(10.0), -3 / std::sqrt(10.0));
  expect(point(Modulation::qam16, {0, 1, 1, 0}), 3 / std::sqrt(10.0), -1 / std::sqrt(10.0));
  expect(point(Modulation::qam64, {0, 0, 0, 0, 0, 0}), 3 / std::sqrt(42.0), 3 / std::sqrt(42.0));
  expect(point(Modulation::qam64, {1, 1, 1, 1, 1, 1}), -7 / std::sqrt(42.0), -7 / std::sqrt(42.0));
  expect(point(Modulation::qam64, {0, 0, 1, 0, 1, 1}), 7 / std::sqrt(42.0), 1 / std::sqrt(42.0));
  expect(point(Modulation::qam256, {0, 0, 0, 0, 0, 0, 0, 0}), 5 / std::sqrt(170.0), 5 / std::sqrt(170.0));
  expect(point(Modulation::qam256, {1, 0, 1, 0, 1, 0, 1, 0}), -15 / std::sqrt(170.0), 5 / std::sqrt(170.0));
  expect(point(Modulation::qam1024, std::vector<std::uint8_t>(10, 0)), 11 / std::sqrt(682.0), 11 / std::sqrt(682.0));
}

TEST(ModConstellation, GrayPerDimension) {
  for (Modulation m : kQam) {
    const int qm = bits_per_symbol(m);
    const int k = qm / 2;
    for (int dim = 0; dim < 2; ++dim) {
      // Level of each dimension label (the bits of that dimension), read from the points.
      std::map<float, unsigned> level_to_bits;
      for (unsigned label = 0; label < (1U << qm); ++label) {
        const Complex p = constellation_point(m, label);
        unsigned dim_bits = 0;
        for (int j = 0; j < k; ++j) dim_bits = (dim_bits << 1) | ((label >> (qm - 1 - 2 * j - dim)) & 1U);
        const float level = dim == 0 ? p.real() : p.imag();
        auto [it, inserted] = level_to_bits.emplace(level, dim_bits);
        if (!inserted) {
          EXPECT_EQ(it->second, dim_bits) << "dimension label must fix the level";
        }
      }
      ASSERT_EQ(level_to_bits.size(), 1U << k) << to_string(m);
      unsigned previous = level_to_bits.begin()->second;
      for (auto it = std::next(level_to_bits.begin()); it != level_to_bits.end(); ++it) {
        EXPECT_EQ(__builtin_popcount(previous ^ it->second), 1) << to_string(m) << " dim " << dim;
        previous = it->second;
      }
    }
  }
}

TEST(ModConstellation, Pi2BpskAlternatesPhase) {
  std::vector<std::uint8_t> bits = {0, 0, 0, 0, 1, 1};
  std::vector<Complex> s(6);
  modulate(Modulation::pi2_bpsk, bits, s);
  const float a = 1.0F / std::sqrt(2.0F);
  const Complex expected[] = {{a, a}, {-a, a}, {a, a}, {-a, a}, {-a, -a}, {a, -a}};
  for (int i = 0; i < 6; ++i) {
    EXPECT_NEAR(s[i].real(), expected[i].real(), 1e-6) << i;
    EXPECT_NEAR(s[i].imag(), expected[i].imag(), 1e-6) << i;
    // d(i) = e^{j pi/2 (i mod 2)} * BPSK point.
    std::vector<Complex> b(1);
    modulate(Modulation::bpsk, std::span<const std::uint8_t>(&bits[i], 1), b);
    const Complex rotated = (i % 2) ? Complex(0, 1) * b[0] : b[0];
    EXPECT_NEAR(std::abs(s[i] - rotated), 0.0, 1e-6);
  }
  // Continuing a codeword at an odd index.
  std::vector<Complex> tail(2);
  modulate(Modulation::pi2_bpsk, std::span<const std::uint8_t>(bits).subspan(3, 2), tail, 3);
  EXPECT_NEAR(std::abs(tail[0] - s[3]), 0.0, 1e-6);
  EXPECT_NEAR(std::abs(tail[1] - s[4]), 0.0, 1e-6);
}

// Brute-force max-log over the full constellation, in double.
std::vector<double> brute_force_llrs(Modulation m, Complex y, double nv, std::size_t index) {
  const int qm = bits_per_symbol(m);
  std::vector<double> d0(qm, std::numeric_limits<double>::infinity());
  std::vector<double> d1 = d0;
  for (unsigned label = 0; label < (1U << qm); ++label) {
    std::complex<double> p = constellation_point(m, label);
    if (m == Modulation::pi2_bpsk && (index & 1U)) p *= std::complex<double>(0, 1);
    const double d = std::norm(std::complex<double>(y) - p);
    for (int j = 0; j < qm; ++j) {
      auto& target = ((label >> (qm - 1 - j)) & 1U) ? d1 : d0;
      target[j] = std::min(target[j], d);
    }
  }
  std::vector<double> llr(qm);
  for (int j = 0; j < qm; ++j) llr[j] = (d1[j] - d0[j]) / nv;
  return llr;
}

TEST(ModDemapper, HighSnrSignsForEveryPoint) {
  std::mt19937 rng(7);
  for (Modulation m : kAll) {
    const int qm = bits_per_symbol(m);
    const unsigned count = 1U << qm;
    // Every label, shuffled, plus 3 more symbols so both the vector groups and the tail run.
    std::vector<unsigned> labels(count + 3);
    for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<unsigned>(i % count);
    std::shuffle(labels.begin(), labels.end(), rng);
    std::vector<std::uint8_t> bits;
    for (unsigned l : labels) {
      auto b = label_bits(l, qm);
      bits.insert(bits.end(), b.begin(), b.end());
    }
    std::vector<Complex> symbols(labels.size());
    modulate(m, bits, symbols);
    std::vector<float> nv(symbols.size(), 1e-3F);
    std::vector<float> llrs(bits.size());
    demodulate_soft(m, symbols, nv, llrs);
    std::vector<Llr> q(bits.size());
    demodulate_soft(m, symbols, nv, 1.0F, q);
    for (std::size_t i = 0; i < bits.size(); ++i) {
      EXPECT_EQ(llrs[i] < 0, bits[i] == 1) << to_string(m) << " bit " << i << " llr " << llrs[i];
      EXPECT_EQ(q[i] < 0, bits[i] == 1) << to_string(m) << " bit " << i << " q " << int{q[i]};
      EXPECT_NE(q[i], 0);
    }
  }
}

class ModDemapperBruteForce : public ::testing::TestWithParam<Modulation> {};

TEST_P(ModDemapperBruteForce, MatchesFullConstellationMaxLog) {
  const Modulation m = GetParam();
  const int qm = bits_per_symbol(m);
  std::mt19937 rng(1234);
  std::normal_distribution<float> noise(0.0F, 1.0F);
  std::uniform_real_distribution<float> variance(0.001F, 1.0F);
  std::uniform_int_distribution<unsigned> label(0, (1U << qm) - 1);
  const std::size_t n = 1003;  // not a multiple of 4 or 8
  std::vector<std::uint8_t> bits(n * qm);
  for (std::size_t i = 0; i < n; ++i) {
    auto b = label_bits(label(rng), qm);
    std::copy(b.begin(), b.end(), bits.begin() + i * qm);
  }
  const std::size_t first_index = 5;  // odd start: exercises the pi/2-BPSK phase
  std::vector<Complex> symbols(n);
  modulate(m, bits, symbols, first_index);
  std::vector<float> nv(n);
  for (std::size_t i = 0; i < n; ++i) {
    nv[i] = variance(rng);
    // Noise of the symbol's variance, some points blown far outside the constellation.
    const float scale = (i % 17 == 0) ? 3.0F : std::sqrt(nv[i] / 2);
    symbols[i] += Complex(scale * noise(rng), scale * noise(rng));
  }
  std::vector<float> llrs(n * qm);
  demodulate_soft(m, symbols, nv, llrs, first_index);
  for (std::size_t i = 0; i < n; ++i) {
    const auto ref = brute_force_llrs(m, symbols[i], nv[i], first_index + i);
    for (int j = 0; j < qm; ++j) {
      const double tol = 1e-4 * std::max(std::abs(ref[j]), 1.0 / nv[i]);
      ASSERT_NEAR(llrs[i * qm + j], ref[j], tol) << to_string(m) << " symbol " << i << " bit " << j << " y "
                                                 << symbols[i] << " nv " << nv[i];
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Mod, ModDemapperBruteForce, ::testing::ValuesIn(kAll),
                         [](const auto& test_info) {
                           std::string name(to_string(test_info.param));
                           name.erase(std::remove_if(name.begin(), name.end(),
                                                     [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }),
                                      name.end());
                           return name;
                         });

TEST(ModDemapper, QpskMatchesLegacyConvention) {
  std::mt19937 rng(3);
  std::normal_distribution<float> g(0.0F, 1.0F);
  std::vector<Complex> symbols(101);
  for (auto& s : symbols) s = {g(rng), g(rng)};
  const float nv = 0.3F;
  std::vector<float> legacy(202);
  std::vector<float> llrs(202);
  qpsk_demodulate_soft(symbols, nv, legacy);
  demodulate_soft(Modulation::qpsk, symbols, std::span<const float>(&nv, 1), llrs);
  for (std::size_t i = 0; i < llrs.size(); ++i) EXPECT_NEAR(llrs[i], legacy[i], 1e-5F * (1 + std::abs(legacy[i])));
  // And 2 sqrt(2) y / nv exactly as documented.
  EXPECT_NEAR(llrs[0], 2 * std::sqrt(2.0F) * symbols[0].real() / nv, 1e-4F);
}

TEST(ModDemapper, BroadcastNoiseVarianceEqualsPerSymbol) {
  std::mt19937 rng(5);
  std::normal_distribution<float> g(0.0F, 0.7F);
  for (Modulation m : kAll) {
    const int qm = bits_per_symbol(m);
    std::vector<Complex> symbols(37);
    for (auto& s : symbols) s = {g(rng), g(rng)};
    const float nv = 0.2F;
    std::vector<float> per_symbol(symbols.size(), nv);
    std::vector<float> a(symbols.size() * qm);
    std::vector<float> b(symbols.size() * qm);
    demodulate_soft(m, symbols, per_symbol, a);
    demodulate_soft(m, symbols, std::span<const float>(&nv, 1), b);
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-6F * (1 + std::abs(a[i]))) << to_string(m);
  }
}

TEST(ModDemapper, Int8IsQuantisedFloat) {
  std::mt19937 rng(11);
  std::normal_distribution<float> g(0.0F, 0.8F);
  for (Modulation m : kAll) {
    const int qm = bits_per_symbol(m);
    std::vector<Complex> symbols(700);  // more than one internal chunk
    for (auto& s : symbols) s = {g(rng), g(rng)};
    std::vector<float> nv(symbols.size());
    for (auto& v : nv) v = 0.05F + std::abs(g(rng));
    const float gain = 4.0F;
    std::vector<float> f(symbols.size() * qm);
    std::vector<Llr> q(symbols.size() * qm);
    demodulate_soft(m, symbols, nv, f);
    demodulate_soft(m, symbols, nv, gain, q);
    int saturated = 0;
    for (std::size_t i = 0; i < f.size(); ++i) {
      const float expected = std::clamp(std::nearbyint(gain * f[i]), -127.0F, 127.0F);
      // Gain is folded into 1/nv, so a value right at .5 may round the other way.
      EXPECT_NEAR(q[i], expected, 1.0F) << to_string(m) << " " << i;
      saturated += std::abs(q[i]) == 127;
      EXPECT_GE(q[i], -127);
    }
    EXPECT_GT(saturated, 0) << "test should reach saturation";
  }
}

TEST(ModDemapper, ZeroNoiseVarianceIsFinite) {
  std::vector<Complex> symbols(9, Complex(0.3F, -0.2F));
  std::vector<float> nv(9, 0.0F);
  std::vector<float> llrs(9 * 8);
  demodulate_soft(Modulation::qam256, symbols, nv, llrs);
  for (float v : llrs) EXPECT_TRUE(std::isfinite(v));
}

}  // namespace
}  // namespace airan::phy
