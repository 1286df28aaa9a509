#include "airan/phy/channel/impairments.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

namespace airan::phy {
namespace {

TEST(ChannelImpairments, FrequencyOffsetAddsPhasePerSample) {
  const double fs = 30.72e6;
  const double cfo = 1234.5;
  auto f = FrequencyOffset::create(cfo, fs, 0.3);
  ASSERT_TRUE(f) << f.error().message;
  const double tone = 2.0 * std::numbers::pi * 0.01;  // rad/sample
  std::vector<Complex> x(4000);
  for (std::size_t n = 0; n < x.size(); ++n) x[n] = std::polar(1.0F, static_cast<float>(tone * static_cast<double>(n)));
  std::vector<Complex> y = x;
  f->apply(std::span(y).first(1000));  // two calls: the phase runs on
  f->apply(std::span(y).subspan(1000));
  const double step = 2.0 * std::numbers::pi * cfo / fs;
  for (std::size_t n = 0; n < y.size(); n += 97) {
    const double expected = std::remainder(0.3 + step * static_cast<double>(n), 2.0 * std::numbers::pi);
    const double got = std::arg(y[n] / x[n]);
    EXPECT_NEAR(std::remainder(got - expected, 2.0 * std::numbers::pi), 0.0, 2e-3) << "sample " << n;
    EXPECT_NEAR(std::abs(y[n]), 1.0, 1e-4);
  }
  for (std::size_t n = 1; n < y.size(); n += 131) {  // the tone moved by the offset
    EXPECT_NEAR(std::arg(y[n] * std::conj(y[n - 1])), tone + step, 1e-4);
  }
  EXPECT_FALSE(FrequencyOffset::create(cfo, 0.0));
  auto e = FrequencyOffset::create(20e6, fs);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("offset_hz="), std::string::npos);
}

TEST(ChannelImpairments, IntegerAndFractionalDelay) {
  std::vector<Complex> x(600), y(600);
  const double w = 2.0 * std::numbers::pi * 0.05;
  for (std::size_t n = 0; n < x.size(); ++n) x[n] = std::polar(1.0F, static_cast<float>(w * static_cast<double>(n)));
  ASSERT_TRUE(apply_delay(x, y, 7.0));
  for (std::size_t n = 0; n < 7; ++n) EXPECT_EQ(y[n], Complex{});
  for (std::size_t n = 7; n < y.size(); ++n) EXPECT_EQ(y[n], x[n - 7]);
  ASSERT_TRUE(apply_delay(x, y, 10.37));
  for (std::size_t n = 100; n < 500; n += 37) {  // a delayed tone: phase -w * 10.37
    const Complex expect = std::polar(1.0F, static_cast<float>(w * (static_cast<double>(n) - 10.37)));
    EXPECT_LT(std::abs(y[n] - expect), 2e-3F) << n;
  }
  auto bad = apply_delay(x, y, -1.0);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.message().find("delay_samples=-1"), std::string::npos);
}

}  // namespace
}  // namespace airan::phy
