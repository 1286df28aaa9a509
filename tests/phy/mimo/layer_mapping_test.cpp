#include "airan/phy/mimo/layer_mapping.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace airan::phy {
namespace {

std::vector<Complex> ramp(std::size_t n, float offset = 0) {
  std::vector<Complex> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = {static_cast<float>(i) + offset, -static_cast<float>(i)};
  return v;
}

bool mentions(const Status& s, const std::string& word) {
  return !s.is_ok() && s.message().find(word) != std::string::npos;
}

TEST(LayerMapping, OneCodewordFollows6313) {
  for (int layers = 1; layers <= 4; ++layers) {
    const std::size_t m = 12;
    const auto d = ramp(m * layers);
    std::vector<Complex> x(d.size());
    ASSERT_TRUE(layer_map(d, layers, x).is_ok());
    for (int v = 0; v < layers; ++v) {
      for (std::size_t i = 0; i < m; ++i) EXPECT_EQ(x[v * m + i], d[layers * i + v]) << layers << " " << v << " " << i;
    }
    std::vector<Complex> back(d.size());
    ASSERT_TRUE(layer_demap(x, layers, back).is_ok());
    EXPECT_EQ(back, d);
  }
}

TEST(LayerMapping, NoiseVarianceDemapFollowsSymbols) {
  const int layers = 3;
  const std::size_t m = 5;
  std::vector<float> per_layer(layers * m);
  for (std::size_t i = 0; i < per_layer.size(); ++i) per_layer[i] = static_cast<float>(i);
  std::vector<float> cw(per_layer.size());
  ASSERT_TRUE(layer_demap(per_layer, layers, cw).is_ok());
  for (std::size_t i = 0; i < m; ++i) {
    for (int v = 0; v < layers; ++v) EXPECT_EQ(cw[layers * i + v], per_layer[v * m + i]);
  }
}

TEST(LayerMapping, PdschTable7313) {
  const std::size_t m = 7;
  for (int layers = 1; layers <= 8; ++layers) {
    const int l0 = pdsch_codeword_layers(layers, 0);
    const int l1 = pdsch_codeword_layers(layers, 1);
    EXPECT_EQ(l0 + l1, layers);
    EXPECT_EQ(pdsch_codewords(layers), layers <= 4 ? 1 : 2);
    const auto cw0 = ramp(m * l0);
    const auto cw1 = ramp(m * l1, 1000);
    std::vector<Complex> x(m * layers);
    ASSERT_TRUE(pdsch_layer_map(cw0, cw1, layers, x).is_ok()) << layers;
    for (std::size_t i = 0; i < m; ++i) {
      for (int v = 0; v < l0; ++v) EXPECT_EQ(x[v * m + i], cw0[l0 * i + v]);
      for (int v = 0; v < l1; ++v) EXPECT_EQ(x[(l0 + v) * m + i], cw1[l1 * i + v]);
    }
    std::vector<Complex> b0(cw0.size());
    std::vector<Complex> b1(cw1.size());
    ASSERT_TRUE(pdsch_layer_demap(x, layers, b0, b1).is_ok());
    EXPECT_EQ(b0, cw0);
    EXPECT_EQ(b1, cw1);
  }
  // Spot checks of Table 7.3.1.3-1.
  EXPECT_EQ(pdsch_codeword_layers(5, 0), 2);
  EXPECT_EQ(pdsch_codeword_layers(5, 1), 3);
  EXPECT_EQ(pdsch_codeword_layers(6, 0), 3);
  EXPECT_EQ(pdsch_codeword_layers(7, 0), 3);
  EXPECT_EQ(pdsch_codeword_layers(7, 1), 4);
  EXPECT_EQ(pdsch_codeword_layers(8, 1), 4);
  EXPECT_EQ(pdsch_codeword_layers(9, 0), 0);
  // 5 layers: x2(i) = d1(3i), x4(i) = d1(3i + 2).
  const auto cw0 = ramp(2 * m);
  const auto cw1 = ramp(3 * m, 1000);
  std::vector<Complex> x(5 * m);
  ASSERT_TRUE(pdsch_layer_map(cw0, cw1, 5, x).is_ok());
  EXPECT_EQ(x[2 * m + 1], cw1[3]);
  EXPECT_EQ(x[4 * m + 2], cw1[8]);
  EXPECT_EQ(x[1 * m + 3], cw0[7]);
}

TEST(LayerMapping, PdschFloatDemap) {
  const std::size_t m = 4;
  std::vector<float> x(6 * m);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
  std::vector<float> cw0(3 * m);
  std::vector<float> cw1(3 * m);
  ASSERT_TRUE(pdsch_layer_demap(x, 6, cw0, cw1).is_ok());
  EXPECT_EQ(cw0[3 * 1 + 2], x[2 * m + 1]);
  EXPECT_EQ(cw1[3 * 2 + 0], x[3 * m + 2]);
}

TEST(LayerMapping, ErrorsNameTheParameter) {
  std::vector<Complex> d(12);
  std::vector<Complex> x(12);
  EXPECT_TRUE(mentions(layer_map(d, 0, x), "layers"));
  EXPECT_TRUE(mentions(layer_map(d, 5, x), "layers = 5"));
  std::vector<Complex> odd(10);
  std::vector<Complex> odd_out(10);
  EXPECT_TRUE(mentions(layer_map(odd, 4, odd_out), "multiple of layers"));
  std::vector<Complex> small(8);
  EXPECT_TRUE(mentions(layer_map(d, 2, small), "layered size"));
  EXPECT_TRUE(mentions(layer_demap(x, 2, small), "layered size"));
  EXPECT_TRUE(mentions(layer_demap(x, 3, small), "codeword size 8"));
  std::vector<Complex> cw1(4);
  EXPECT_TRUE(mentions(pdsch_layer_map(d, cw1, 3, x), "cw1"));
  EXPECT_TRUE(mentions(pdsch_layer_map(d, cw1, 9, x), "layers = 9"));
  std::vector<Complex> cw0(6);  // 5 layers: 2 + 3 -> M = 3, cw1 must be 9
  std::vector<Complex> x5(15);
  EXPECT_TRUE(mentions(pdsch_layer_map(cw0, cw1, 5, x5), "cw1 size"));
  std::vector<Complex> cw1_ok(9);
  EXPECT_TRUE(pdsch_layer_map(cw0, cw1_ok, 5, x5).is_ok());
  std::vector<Complex> x_bad(14);
  EXPECT_TRUE(mentions(pdsch_layer_map(cw0, cw1_ok, 5, x_bad), "layered size"));
}

}  // namespace
}  // namespace airan::phy
