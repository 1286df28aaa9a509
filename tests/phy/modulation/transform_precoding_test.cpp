#include "airan/phy/modulation/transform_precoding.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace airan::phy {
namespace {

std::vector<Complex> random_symbols(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g;
  std::vector<Complex> v(n);
  for (auto& s : v) s = {g(rng), g(rng)};
  return v;
}

TEST(TransformPrecoding, SizesAre2_3_5Smooth) {
  for (int n : {1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 18, 20, 24, 25, 27, 30, 32, 36, 40, 45, 48, 50, 75, 100, 270}) {
    EXPECT_TRUE(validate_transform_precoding_prbs(n).is_ok()) << n;
  }
  for (int n : {7, 11, 13, 14, 21, 22, 26, 49, 275}) {
    const Status s = validate_transform_precoding_prbs(n);
    ASSERT_FALSE(s.is_ok()) << n;
    EXPECT_NE(s.message().find("n_prb = " + std::to_string(n)), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("2^a 3^b 5^c"), std::string::npos) << s.message();
  }
  for (int n : {0, -3, 276}) {
    EXPECT_NE(validate_transform_precoding_prbs(n).message().find("n_prb"), std::string::npos);
    EXPECT_FALSE(TransformPrecoder::create(n).has_value());
  }
  auto bad = TransformPrecoder::create(7);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("M_sc = 84"), std::string::npos);
}

TEST(TransformPrecoding, MatchesDftFormulaOf6314) {
  for (int n_prb : {1, 5}) {
    auto tp = TransformPrecoder::create(n_prb);
    ASSERT_TRUE(tp.has_value());
    const int m = 12 * n_prb;
    EXPECT_EQ(tp->subcarriers(), m);
    const auto x = random_symbols(2 * m, 1);  // two OFDM symbols
    std::vector<Complex> y(x.size());
    ASSERT_TRUE(tp->apply(x, y).is_ok());
    for (int l = 0; l < 2; ++l) {
      for (int k = 0; k < m; ++k) {
        std::complex<double> sum = 0;
        for (int i = 0; i < m; ++i) {
          sum += std::complex<double>(x[l * m + i]) * std::polar(1.0, -2 * std::numbers::pi * i * k / m);
        }
        sum /= std::sqrt(static_cast<double>(m));
        EXPECT_NEAR(std::abs(std::complex<double>(y[l * m + k]) - sum), 0.0, 1e-4) << "l " << l << " k " << k;
      }
    }
  }
}

TEST(TransformPrecoding, InverseRoundTripAndParseval) {
  for (int n_prb = 1; n_prb <= 275; ++n_prb) {
    if (!validate_transform_precoding_prbs(n_prb).is_ok()) continue;
    auto tp = TransformPrecoder::create(n_prb);
    ASSERT_TRUE(tp.has_value()) << n_prb;
    const std::size_t m = 12 * static_cast<std::size_t>(n_prb);
    const auto x = random_symbols(3 * m, static_cast<unsigned>(n_prb));
    std::vector<Complex> y(x.size());
    std::vector<Complex> back(x.size());
    ASSERT_TRUE(tp->apply(x, y).is_ok());
    ASSERT_TRUE(tp->apply_inverse(y, back).is_ok());
    for (int l = 0; l < 3; ++l) {
      double ex = 0;
      double ey = 0;
      double err = 0;
      for (std::size_t i = 0; i < m; ++i) {
        ex += std::norm(x[l * m + i]);
        ey += std::norm(y[l * m + i]);
        err += std::norm(back[l * m + i] - x[l * m + i]);
      }
      EXPECT_NEAR(ey / ex, 1.0, 1e-4) << "Parseval, n_prb " << n_prb;
      EXPECT_LT(err / ex, 1e-10) << "round trip, n_prb " << n_prb;
    }
  }
}

TEST(TransformPrecoding, InPlaceAndSizeErrors) {
  auto tp = TransformPrecoder::create(3);
  ASSERT_TRUE(tp.has_value());
  const auto x = random_symbols(36, 4);
  std::vector<Complex> y(36);
  ASSERT_TRUE(tp->apply(x, y).is_ok());
  std::vector<Complex> z = x;
  ASSERT_TRUE(tp->apply(z, z).is_ok());
  for (std::size_t i = 0; i < z.size(); ++i) EXPECT_EQ(z[i], y[i]);
  std::vector<Complex> wrong(35);
  EXPECT_NE(tp->apply(wrong, wrong).message().find("multiple of M_sc = 36"), std::string::npos);
  std::vector<Complex> short_out(24);
  EXPECT_NE(tp->apply(x, short_out).message().find("output size"), std::string::npos);
  // A constant input concentrates on k = 0 with sqrt(M) gain.
  std::vector<Complex> ones(36, Complex(1, 0));
  ASSERT_TRUE(tp->apply(ones, y).is_ok());
  EXPECT_NEAR(y[0].real(), 6.0F, 1e-5F);
  EXPECT_NEAR(std::abs(y[1]), 0.0F, 1e-5F);
  // Moved-from objects report it instead of crashing.
  TransformPrecoder moved = std::move(*tp);
  EXPECT_FALSE(tp->apply(x, y).is_ok());
  EXPECT_TRUE(moved.apply(x, y).is_ok());
}

TEST(TransformPrecoding, ConcurrentCreation) {
  std::vector<std::thread> threads;
  std::vector<int> ok(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t, &ok] {
      for (int n : {1, 2, 3, 4, 5, 6, 8, 9, 10}) {
        auto tp = TransformPrecoder::create(n + t % 2);
        if (!tp) continue;
        const auto x = random_symbols(tp->subcarriers(), 1);
        std::vector<Complex> y(x.size());
        std::vector<Complex> back(x.size());
        if (tp->apply(x, y).is_ok() && tp->apply_inverse(y, back).is_ok() && std::abs(back[0] - x[0]) < 1e-4F) ++ok[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 8; ++t) EXPECT_GE(ok[t], 7) << t;
}

}  // namespace
}  // namespace airan::phy
