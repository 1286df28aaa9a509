#include "airan/phy/mimo/precoding.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace airan::phy {
namespace {

struct Config {
  int ports;
  int layers;
  bool tp;
  int size;
};
// Table 6.3.1.5-1, -2, -3, -4, -5, -6, -7 and the single-port case.
const Config kTables[] = {{1, 1, false, 1}, {2, 1, false, 6}, {2, 1, true, 6},  {4, 1, true, 28}, {4, 1, false, 28},
                          {2, 2, false, 3}, {4, 2, false, 22}, {4, 3, false, 7}, {4, 4, false, 5}};

PrecodingMatrix w_of(int ports, int layers, int tpmi, bool tp) {
  auto w = pusch_codebook(ports, layers, tpmi, tp);
  EXPECT_TRUE(w.has_value()) << ports << "/" << layers << "/" << tpmi << ": " << (w ? "" : w.error().message);
  return w ? *w : PrecodingMatrix{};
}

// Expected matrix given as rows of integers scaled by `scale`, with 2 = j, -2 = -j.
void expect_matrix(const PrecodingMatrix& w, std::vector<std::vector<int>> rows, double scale) {
  ASSERT_EQ(w.ports, static_cast<int>(rows.size()));
  for (int p = 0; p < w.ports; ++p) {
    ASSERT_EQ(w.layers, static_cast<int>(rows[p].size()));
    for (int v = 0; v < w.layers; ++v) {
      const int e = rows[p][v];
      const std::complex<double> expected =
          scale * (e == 2 ? std::complex<double>(0, 1) : e == -2 ? std::complex<double>(0, -1) : std::complex<double>(e));
      EXPECT_NEAR(w(p, v).real(), expected.real(), 1e-6) << "port " << p << " layer " << v;
      EXPECT_NEAR(w(p, v).imag(), expected.imag(), 1e-6) << "port " << p << " layer " << v;
    }
  }
}

TEST(Precoding, CodebookSizes) {
  for (const Config& c : kTables) {
    auto n = pusch_codebook_size(c.ports, c.layers, c.tp);
    ASSERT_TRUE(n.has_value());
    EXPECT_EQ(*n, c.size) << c.ports << " ports " << c.layers << " layers tp " << c.tp;
  }
}

TEST(Precoding, EveryMatrixShapeNormAndOrthogonality) {
  for (const Config& c : kTables) {
    for (int tpmi = 0; tpmi < c.size; ++tpmi) {
      const PrecodingMatrix w = w_of(c.ports, c.layers, tpmi, c.tp);
      ASSERT_EQ(w.ports, c.ports);
      ASSERT_EQ(w.layers, c.layers);
      double frob = 0;
      double magnitude = -1;
      int active_ports = 0;
      for (int p = 0; p < kMaxPrecodingPorts; ++p) {
        bool active = false;
        for (int v = 0; v < kMaxPrecodingLayers; ++v) {
          const Complex e = w(p, v);
          if (p >= c.ports || v >= c.layers) {
            EXPECT_EQ(e, Complex{}) << "outside the matrix";
            continue;
          }
          if (std::abs(e) == 0) continue;
          active = true;
          frob += std::norm(e);
          // Entries are a common magnitude times 1, -1, j or -j.
          if (magnitude < 0) magnitude = std::abs(e);
          EXPECT_NEAR(std::abs(e), magnitude, 1e-6);
          EXPECT_TRUE(std::abs(e.real()) < 1e-7 || std::abs(e.imag()) < 1e-7);
        }
        active_ports += active;
      }
      // The spec's scale factors give ||W||_F^2 = (active ports) / ports.
      EXPECT_NEAR(frob, static_cast<double>(active_ports) / c.ports, 1e-6)
          << c.ports << "p " << c.layers << "l tpmi " << tpmi;
      // Layers are orthogonal and none is empty.
      for (int a = 0; a < c.layers; ++a) {
        double column = 0;
        for (int p = 0; p < c.ports; ++p) column += std::norm(w(p, a));
        EXPECT_GT(column, 0.0);
        for (int b = a + 1; b < c.layers; ++b) {
          std::complex<double> dot = 0;
          for (int p = 0; p < c.ports; ++p) dot += std::conj(std::complex<double>(w(p, a))) * std::complex<double>(w(p, b));
          EXPECT_NEAR(std::abs(dot), 0.0, 1e-6) << c.ports << "p " << c.layers << "l tpmi " << tpmi;
        }
      }
    }
  }
}

TEST(Precoding, SpotValuesFromSpecTables) {
  const double r2 = 1 / std::sqrt(2.0);
  const double r8 = 1 / (2 * std::sqrt(2.0));
  const double r12 = 1 / (2 * std::sqrt(3.0));
  expect_matrix(w_of(1, 1, 0, false), {{1}}, 1.0);
  expect_matrix(w_of(2, 1, 4, false), {{1}, {2}}, r2);                 // 6.3.1.5-1
  expect_matrix(w_of(2, 1, 5, true), {{1}, {-2}}, r2);
  expect_matrix(w_of(4, 1, 12, true), {{1}, {1}, {1}, {-1}}, 0.5);     // 6.3.1.5-2
  expect_matrix(w_of(4, 1, 19, true), {{1}, {2}, {-2}, {-1}}, 0.5);
  expect_matrix(w_of(4, 1, 25, true), {{1}, {-2}, {2}, {-1}}, 0.5);
  expect_matrix(w_of(4, 1, 12, false), {{1}, {1}, {1}, {1}}, 0.5);     // 6.3.1.5-3
  expect_matrix(w_of(4, 1, 19, false), {{1}, {2}, {-2}, {1}}, 0.5);
  expect_matrix(w_of(4, 1, 27, false), {{1}, {-2}, {-2}, {-1}}, 0.5);
  expect_matrix(w_of(4, 1, 7, false), {{1}, {0}, {-2}, {0}}, 0.5);
  expect_matrix(w_of(2, 2, 0, false), {{1, 0}, {0, 1}}, r2);           // 6.3.1.5-4
  expect_matrix(w_of(2, 2, 2, false), {{1, 1}, {2, -2}}, 0.5);
  expect_matrix(w_of(4, 2, 3, false), {{0, 0}, {1, 0}, {0, 1}, {0, 0}}, 0.5);  // 6.3.1.5-5
  expect_matrix(w_of(4, 2, 8, false), {{1, 0}, {0, 1}, {-2, 0}, {0, 1}}, 0.5);
  expect_matrix(w_of(4, 2, 17, false), {{1, 1}, {2, 2}, {2, -2}, {-1, 1}}, r8);
  expect_matrix(w_of(4, 2, 21, false), {{1, 1}, {-2, -2}, {2, -2}, {1, -1}}, r8);
  expect_matrix(w_of(4, 3, 2, false), {{1, 0, 0}, {0, 1, 0}, {-1, 0, 0}, {0, 0, 1}}, 0.5);  // 6.3.1.5-6
  expect_matrix(w_of(4, 3, 6, false), {{1, 1, 1}, {-1, 1, -1}, {2, 2, -2}, {-2, 2, 2}}, r12);
  expect_matrix(w_of(4, 4, 2, false), {{1, 1, 0, 0}, {0, 0, 1, 1}, {2, -2, 0, 0}, {0, 0, 2, -2}}, r8);  // 6.3.1.5-7
  expect_matrix(w_of(4, 4, 4, false), {{1, 1, 1, 1}, {1, -1, 1, -1}, {2, 2, -2, -2}, {2, -2, -2, 2}}, 0.25);
}

TEST(Precoding, TransformPrecodingTableDiffersWhereTheSpecDoes) {
  const std::set<int> differ = {12, 14, 17, 19, 20, 22, 25, 27};
  for (int tpmi = 0; tpmi < 28; ++tpmi) {
    const PrecodingMatrix a = w_of(4, 1, tpmi, true);
    const PrecodingMatrix b = w_of(4, 1, tpmi, false);
    bool same = true;
    for (int p = 0; p < 4; ++p) same = same && std::abs(a(p, 0) - b(p, 0)) < 1e-7F;
    EXPECT_EQ(!same, differ.count(tpmi) == 1) << "tpmi " << tpmi;
    // Where they differ, only the last port's sign does.
    if (!same) {
      EXPECT_NEAR(std::abs(a(3, 0) + b(3, 0)), 0.0, 1e-7);
    }
  }
  // Two ports use Table 6.3.1.5-1 either way.
  for (int tpmi = 0; tpmi < 6; ++tpmi) {
    EXPECT_EQ(w_of(2, 1, tpmi, true).w, w_of(2, 1, tpmi, false).w);
  }
}

TEST(Precoding, InvalidParametersAreNamed) {
  auto message = [](int ports, int layers, int tpmi, bool tp) {
    auto w = pusch_codebook(ports, layers, tpmi, tp);
    EXPECT_FALSE(w.has_value());
    return w ? std::string() : w.error().message;
  };
  EXPECT_NE(message(3, 1, 0, false).find("antenna_ports = 3"), std::string::npos);
  EXPECT_NE(message(8, 1, 0, false).find("antenna_ports"), std::string::npos);
  EXPECT_NE(message(2, 3, 0, false).find("layers = 3"), std::string::npos);
  EXPECT_NE(message(4, 0, 0, false).find("layers = 0"), std::string::npos);
  EXPECT_NE(message(4, 2, 0, true).find("transform precoding"), std::string::npos);
  EXPECT_NE(message(2, 1, 6, false).find("tpmi = 6"), std::string::npos);
  EXPECT_NE(message(4, 1, 28, true).find("tpmi = 28"), std::string::npos);
  EXPECT_NE(message(4, 2, 22, false).find("0..21"), std::string::npos);
  EXPECT_NE(message(4, 3, 7, false).find("tpmi"), std::string::npos);
  EXPECT_NE(message(4, 4, 5, false).find("tpmi"), std::string::npos);
  EXPECT_NE(message(2, 2, -1, false).find("tpmi = -1"), std::string::npos);
  EXPECT_FALSE(pusch_codebook_size(4, 5, false).has_value());
}

TEST(Precoding, PrecodeIsWTimesYPerRe) {
  std::mt19937 rng(9);
  std::normal_distribution<float> g;
  for (const Config& c : kTables) {
    for (int tpmi = 0; tpmi < c.size; tpmi += 3) {
      const PrecodingMatrix w = w_of(c.ports, c.layers, tpmi, c.tp);
      const std::size_t n = 23;
      std::vector<Complex> y(n * c.layers);
      for (auto& v : y) v = {g(rng), g(rng)};
      std::vector<Complex> z(n * c.ports, Complex(99, 99));
      ASSERT_TRUE(precode(w, y, z).is_ok());
      for (int p = 0; p < c.ports; ++p) {
        for (std::size_t i = 0; i < n; ++i) {
          std::complex<double> expected = 0;
          for (int v = 0; v < c.layers; ++v) {
            expected += std::complex<double>(w(p, v)) * std::complex<double>(y[v * n + i]);
          }
          EXPECT_NEAR(std::abs(std::complex<double>(z[p * n + i]) - expected), 0.0, 1e-5);
        }
      }
    }
  }
  const PrecodingMatrix w = w_of(4, 2, 0, false);
  std::vector<Complex> y(10);
  std::vector<Complex> z(19);
  EXPECT_NE(precode(w, y, z).message().find("ports size"), std::string::npos);
  std::vector<Complex> y_odd(9);
  EXPECT_NE(precode(w, y_odd, z).message().find("layers size"), std::string::npos);
}

}  // namespace
}  // namespace airan::phy
