// ZF / MMSE equalisation against an independent reference: a double-precision Gauss-Jordan
// inverse of the Gram matrix computed here.
#include "airan/phy/mimo/equalizer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <random>
#include <string>
#include <vector>

namespace airan::phy {
namespace {

using C = std::complex<float>;
using Cd = std::complex<double>;
using MatrixD = std::vector<std::vector<Cd>>;

// Inverse by Gauss-Jordan elimination with partial pivoting.
MatrixD inverse(MatrixD a) {
  const int n = static_cast<int>(a.size());
  MatrixD inv(n, std::vector<Cd>(n));
  for (int i = 0; i < n; ++i) inv[i][i] = 1.0;
  for (int col = 0; col < n; ++col) {
    int pivot = col;
    for (int r = col + 1; r < n; ++r) {
      if (std::abs(a[r][col]) > std::abs(a[pivot][col])) pivot = r;
    }
    std::swap(a[col], a[pivot]);
    std::swap(inv[col], inv[pivot]);
    const Cd p = a[col][col];
    for (int j = 0; j < n; ++j) {
      a[col][j] /= p;
      inv[col][j] /= p;
    }
    for (int r = 0; r < n; ++r) {
      if (r == col) continue;
      const Cd f = a[r][col];
      for (int j = 0; j < n; ++j) {
        a[r][j] -= f * a[col][j];
        inv[r][j] -= f * inv[col][j];
      }
    }
  }
  return inv;
}

// H^H H (+ load I) from row-major h (rx x layers).
MatrixD gram(const std::vector<C>& h, int rx, int layers, double load = 0.0) {
  MatrixD g(layers, std::vector<Cd>(layers));
  for (int i = 0; i < layers; ++i) {
    for (int j = 0; j < layers; ++j) {
      Cd s = i == j ? load : 0.0;
      for (int r = 0; r < rx; ++r) s += std::conj(Cd(h[r * layers + i])) * Cd(h[r * layers + j]);
      g[i][j] = s;
    }
  }
  return g;
}

std::vector<Cd> matched(const std::vector<C>& h, int rx, int layers, const std::vector<C>& y) {
  std::vector<Cd> b(layers);
  for (int i = 0; i < layers; ++i) {
    for (int r = 0; r < rx; ++r) b[i] += std::conj(Cd(h[r * layers + i])) * Cd(y[r]);
  }
  return b;
}

std::vector<Cd> multiply(const MatrixD& a, const std::vector<Cd>& v) {
  std::vector<Cd> out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (std::size_t j = 0; j < v.size(); ++j) out[i] += a[i][j] * v[j];
  }
  return out;
}

C random_cn(std::mt19937_64& engine) {
  std::normal_distribution<float> normal(0.0F, std::sqrt(0.5F));
  return {normal(engine), normal(engine)};
}

// A random channel whose ZF noise enhancement is at most 10 (rejection sampling).
std::vector<C> well_conditioned_channel(std::mt19937_64& engine, int rx, int layers) {
  for (;;) {
    std::vector<C> h(static_cast<std::size_t>(rx) * layers);
    for (auto& v : h) v = random_cn(engine);
    const MatrixD inv = inverse(gram(h, rx, layers));
    bool ok = true;
    for (int i = 0; i < layers; ++i) ok &= std::isfinite(inv[i][i].real()) && inv[i][i].real() > 0 && inv[i][i].real() < 10.0;
    if (ok) return h;
  }
}

std::vector<C> apply(const std::vector<C>& h, int rx, int layers, const std::vector<C>& x) {
  std::vector<C> y(rx);
  for (int r = 0; r < rx; ++r) {
    for (int v = 0; v < layers; ++v) y[r] += h[r * layers + v] * x[v];
  }
  return y;
}

std::string name(EqualizerType type, int rx, int layers, int trial) {
  return std::string(to_string(type)) + " rx " + std::to_string(rx) + " layers " + std::to_string(layers) + " trial " +
         std::to_string(trial);
}

TEST(Equalizer, NoiselessRecovery) {
  std::mt19937_64 engine(11);
  for (EqualizerType type : {EqualizerType::zf, EqualizerType::mmse}) {
    for (int rx = 1; rx <= 8; ++rx) {
      for (int layers = 1; layers <= std::min(rx, kMaxEqualizerLayers); ++layers) {
        for (int trial = 0; trial < 20; ++trial) {
          const auto h = well_conditioned_channel(engine, rx, layers);
          std::vector<C> x(layers);
          for (auto& v : x) v = random_cn(engine);
          const auto y = apply(h, rx, layers, x);
          std::vector<C> xe(layers);
          std::vector<float> nve(layers, -1.0F);
          const float nv = type == EqualizerType::zf ? 0.0F : 1e-6F;
          equalize(type, h.data(), rx, layers, y.data(), nv, xe.data(), nve.data());
          for (int v = 0; v < layers; ++v) {
            EXPECT_NEAR(xe[v].real(), x[v].real(), 2e-3) << name(type, rx, layers, trial) << " layer " << v;
            EXPECT_NEAR(xe[v].imag(), x[v].imag(), 2e-3) << name(type, rx, layers, trial) << " layer " << v;
            EXPECT_GE(nve[v], 0.0F) << name(type, rx, layers, trial);
            EXPECT_LT(nve[v], 1e-3F) << name(type, rx, layers, trial);
          }
        }
      }
    }
  }
}

TEST(Equalizer, ZfMatchesReferenceAndNoiseVariance) {
  std::mt19937_64 engine(12);
  for (int rx = 1; rx <= 8; ++rx) {
    for (int layers = 1; layers <= std::min(rx, kMaxEqualizerLayers); ++layers) {
      for (int trial = 0; trial < 10; ++trial) {
        const float nv = 0.1F * static_cast<float>(trial + 1);
        const auto h = well_conditioned_channel(engine, rx, layers);
        std::vector<C> y(rx);
        for (auto& v : y) v = random_cn(engine);
        const MatrixD inv = inverse(gram(h, rx, layers));
        const auto want = multiply(inv, matched(h, rx, layers, y));
        std::vector<C> xe(layers);
        std::vector<float> nve(layers);
        equalize(EqualizerType::zf, h.data(), rx, layers, y.data(), nv, xe.data(), nve.data());
        for (int v = 0; v < layers; ++v) {
          const std::string what = name(EqualizerType::zf, rx, layers, trial) + " layer " + std::to_string(v);
          EXPECT_NEAR(xe[v].real(), want[v].real(), 1e-3 * (1 + std::abs(want[v]))) << what;
          EXPECT_NEAR(xe[v].imag(), want[v].imag(), 1e-3 * (1 + std::abs(want[v]))) << what;
          const double expected_nv = nv * inv[v][v].real();
          EXPECT_NEAR(nve[v], expected_nv, 1e-3 * expected_nv) << what;
        }
      }
    }
  }
}

TEST(Equalizer, MmseUnbiasedMatchesReference) {
  std::mt19937_64 engine(13);
  for (int rx = 1; rx <= 8; ++rx) {
    for (int layers = 1; layers <= std::min(rx, kMaxEqualizerLayers); ++layers) {
      for (int trial = 0; trial < 10; ++trial) {
        const float nv = 0.05F + 0.2F * static_cast<float>(trial);
        const auto h = well_conditioned_channel(engine, rx, layers);
        std::vector<C> y(rx);
        for (auto& v : y) v = random_cn(engine);
        const MatrixD g = gram(h, rx, layers);
        const MatrixD a_inv = inverse(gram(h, rx, layers, nv));
        const auto biased = multiply(a_inv, matched(h, rx, layers, y));
        std::vector<C> xe(layers);
        std::vector<float> nve(layers);
        equalize(EqualizerType::mmse, h.data(), rx, layers, y.data(), nv, xe.data(), nve.data());
        for (int v = 0; v < layers; ++v) {
          const std::string what = name(EqualizerType::mmse, rx, layers, trial) + " layer " + std::to_string(v);
          // Gain of the biased MMSE filter on its own symbol: (A^-1 H^H H)_vv; it equals
          // 1 - nv [A^-1]_vv.
          Cd mu_direct = 0.0;
          for (int k = 0; k < layers; ++k) mu_direct += a_inv[v][k] * g[k][v];
          const double mu = 1.0 - nv * a_inv[v][v].real();
          ASSERT_NEAR(mu_direct.real(), mu, 1e-9) << what;
          if (layers == 1) {
            // Single layer: MRC, whose unbiased output is the ZF one with variance nv / |h|^2.
            const double power = g[0][0].real();
            EXPECT_NEAR(nve[0], nv / power, 1e-3 * nv / power) << what;
          } else {
            EXPECT_NEAR(nve[v], (1.0 - mu) / mu, 1e-3 * (1.0 - mu) / mu + 1e-6) << what;
          }
          const Cd want = biased[v] / mu;
          EXPECT_NEAR(xe[v].real(), want.real(), 1e-3 * (1 + std::abs(want))) << what;
          EXPECT_NEAR(xe[v].imag(), want.imag(), 1e-3 * (1 + std::abs(want))) << what;
        }
      }
    }
  }
}

// Unbiasedness as a property: the unbiased MMSE output of y = H e_v has 1 on layer v.
TEST(Equalizer, MmseUnitGainOnOwnLayer) {
  std::mt19937_64 engine(14);
  for (int layers = 2; layers <= 4; ++layers) {
    const int rx = layers + 1;
    const auto h = well_conditioned_channel(engine, rx, layers);
    for (int v = 0; v < layers; ++v) {
      std::vector<C> x(layers);
      x[v] = 1.0F;
      const auto y = apply(h, rx, layers, x);
      std::vector<C> xe(layers);
      std::vector<float> nve(layers);
      equalize(EqualizerType::mmse, h.data(), rx, layers, y.data(), 0.3F, xe.data(), nve.data());
      EXPECT_NEAR(xe[v].real(), 1.0, 1e-4) << "layers " << layers << " layer " << v;
      EXPECT_NEAR(xe[v].imag(), 0.0, 1e-4) << "layers " << layers << " layer " << v;
    }
  }
}

void check_interpolated(EqualizerType type, int rx, int layers, int n, float w1, std::mt19937_64& engine) {
  // h0, h1 well conditioned around a strong "diagonal" so every interpolated H is too.
  std::vector<std::vector<C>> h0(rx * layers, std::vector<C>(n));
  std::vector<std::vector<C>> h1(rx * layers, std::vector<C>(n));
  std::vector<std::vector<C>> y(rx, std::vector<C>(n));
  for (int r = 0; r < rx; ++r) {
    for (int v = 0; v < layers; ++v) {
      const float diag = r % layers == v && r < layers ? 2.0F : 0.0F;
      for (int k = 0; k < n; ++k) {
        h0[r * layers + v][k] = random_cn(engine) + diag;
        h1[r * layers + v][k] = random_cn(engine) + diag;
      }
    }
    for (int k = 0; k < n; ++k) y[r][k] = random_cn(engine);
  }
  std::vector<const C*> p0;
  std::vector<const C*> p1;
  std::vector<const C*> py;
  for (const auto& v : h0) p0.push_back(v.data());
  for (const auto& v : h1) p1.push_back(v.data());
  for (const auto& v : y) py.push_back(v.data());
  const float nv = 0.07F;
  std::vector<C> x(static_cast<std::size_t>(n) * layers);
  std::vector<float> xnv(x.size());
  EqualizerScratch scratch;
  equalize_interpolated(type, rx, layers, n, p0, p1, w1, py, nv, x.data(), xnv.data(), scratch);
  for (int k = 0; k < n; ++k) {
    std::vector<C> h(static_cast<std::size_t>(rx) * layers);
    std::vector<C> yk(rx);
    for (int r = 0; r < rx; ++r) {
      yk[r] = y[r][k];
      for (int v = 0; v < layers; ++v) {
        const C a = h0[r * layers + v][k];
        const C b = h1[r * layers + v][k];
        h[r * layers + v] = a + w1 * (b - a);
      }
    }
    std::vector<C> xe(layers);
    std::vector<float> nve(layers);
    equalize(type, h.data(), rx, layers, yk.data(), nv, xe.data(), nve.data());
    for (int v = 0; v < layers; ++v) {
      const std::string what = std::string(to_string(type)) + " rx " + std::to_string(rx) + " layers " +
                               std::to_string(layers) + " w1 " + std::to_string(w1) + " RE " + std::to_string(k) +
                               " layer " + std::to_string(v);
      const C got = x[static_cast<std::size_t>(k) * layers + v];
      EXPECT_NEAR(got.real(), xe[v].real(), 1e-3F * (1.0F + std::abs(xe[v]))) << what;
      EXPECT_NEAR(got.imag(), xe[v].imag(), 1e-3F * (1.0F + std::abs(xe[v]))) << what;
      EXPECT_NEAR(xnv[static_cast<std::size_t>(k) * layers + v], nve[v], 1e-3F * nve[v] + 1e-7F) << what;
    }
  }
}

TEST(Equalizer, InterpolatedMatchesPerRe) {
  std::mt19937_64 engine(15);
  for (EqualizerType type : {EqualizerType::zf, EqualizerType::mmse}) {
    for (int layers = 1; layers <= 4; ++layers) {
      for (int rx : {layers, layers + 1, 8}) {
        for (float w1 : {0.0F, 0.3F, 1.0F, 1.5F}) check_interpolated(type, rx, layers, 37, w1, engine);
      }
    }
  }
}

TEST(Equalizer, InterpolatedReusesScratchAcrossSizes) {
  std::mt19937_64 engine(16);
  // One scratch through different layer counts and sizes, large before small and back.
  EqualizerScratch scratch;
  for (int layers : {4, 1, 3, 2, 4}) {
    for (int n : {100, 3, 1}) {
      const int rx = layers + 2;
      std::vector<std::vector<C>> h(rx * layers, std::vector<C>(n));
      std::vector<std::vector<C>> y(rx, std::vector<C>(n));
      std::vector<C> xs(layers);
      for (auto& v : xs) v = random_cn(engine);
      for (int r = 0; r < rx; ++r) {
        for (int v = 0; v < layers; ++v) {
          for (int k = 0; k < n; ++k) h[r * layers + v][k] = random_cn(engine) + (r == v ? 2.0F : 0.0F);
        }
        for (int k = 0; k < n; ++k) {
          for (int v = 0; v < layers; ++v) y[r][k] += h[r * layers + v][k] * xs[v];
        }
      }
      std::vector<const C*> ph;
      std::vector<const C*> py;
      for (const auto& v : h) ph.push_back(v.data());
      for (const auto& v : y) py.push_back(v.data());
      std::vector<C> x(static_cast<std::size_t>(n) * layers);
      std::vector<float> xnv(x.size());
      equalize_interpolated(EqualizerType::zf, rx, layers, n, ph, ph, 0.5F, py, 1e-3F, x.data(), xnv.data(), scratch);
      for (int k = 0; k < n; ++k) {
        for (int v = 0; v < layers; ++v) {
          EXPECT_NEAR(std::abs(x[static_cast<std::size_t>(k) * layers + v] - xs[v]), 0.0, 1e-3)
              << "layers " << layers << " n " << n << " RE " << k << " layer " << v;
        }
      }
    }
  }
}

void expect_finite(const std::vector<C>& x, const std::vector<float>& nv, const std::string& what) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_TRUE(std::isfinite(x[i].real()) && std::isfinite(x[i].imag())) << what << " x[" << i << "] = " << x[i];
    EXPECT_TRUE(std::isfinite(nv[i])) << what << " nv[" << i << "] = " << nv[i];
    EXPECT_GE(nv[i], 0.0F) << what << " nv[" << i << "]";
  }
}

TEST(Equalizer, SingularChannelGivesFiniteOutputs) {
  std::mt19937_64 engine(17);
  std::string known_bug;
  enum Kind { zero, identical_columns, rank_one, zero_column };
  for (EqualizerType type : {EqualizerType::zf, EqualizerType::mmse}) {
    for (int layers = 1; layers <= 4; ++layers) {
      for (int rx : {layers, 4}) {
        if (rx < layers) continue;
        for (Kind kind : {zero, identical_columns, rank_one, zero_column}) {
          if (layers == 1 && kind != zero && kind != zero_column) continue;
          std::vector<C> h(static_cast<std::size_t>(rx) * layers);
          std::vector<C> col(rx);
          std::vector<C> row(layers);
          for (auto& v : col) v = random_cn(engine);
          for (auto& v : row) v = random_cn(engine);
          for (int r = 0; r < rx; ++r) {
            for (int v = 0; v < layers; ++v) {
              C value{};
              switch (kind) {
                case zero: break;
                case identical_columns: value = col[r]; break;
                case rank_one: value = col[r] * row[v]; break;
                case zero_column: value = v == layers - 1 ? C{} : random_cn(engine); break;
              }
              h[r * layers + v] = value;
            }
          }
          std::vector<C> y(rx);
          for (auto& v : y) v = random_cn(engine);
          const std::string what = std::string(to_string(type)) + " rx " + std::to_string(rx) + " layers " +
                                   std::to_string(layers) + " kind " + std::to_string(kind);
          std::vector<C> x(layers);
          std::vector<float> xnv(layers);
          equalize(type, h.data(), rx, layers, y.data(), 0.01F, x.data(), xnv.data());
          expect_finite(x, xnv, what + " equalize");
          // ZF: a layer the channel cannot separate has an unbounded noise variance; MMSE: a
          // layer the channel does not carry at all (zero column) has mu -> 0.
          const bool must_be_unreliable = type == EqualizerType::zf || kind == zero || kind == zero_column;
          float worst = 0.0F;
          for (float v : xnv) worst = std::max(worst, v);
          if (must_be_unreliable) {
            EXPECT_GE(worst, 10.0F) << what << " equalize: a singular channel must report a large noise variance";
          }

          const int n = 5;
          std::vector<std::vector<C>> hn(rx * layers, std::vector<C>(n));
          std::vector<std::vector<C>> yn(rx, std::vector<C>(n));
          for (int i = 0; i < rx * layers; ++i) std::fill(hn[i].begin(), hn[i].end(), h[i]);
          for (int r = 0; r < rx; ++r) std::fill(yn[r].begin(), yn[r].end(), y[r]);
          std::vector<const C*> ph;
          std::vector<const C*> py;
          for (const auto& v : hn) ph.push_back(v.data());
          for (const auto& v : yn) py.push_back(v.data());
          std::vector<C> xi(static_cast<std::size_t>(n) * layers);
          std::vector<float> xinv(xi.size());
          EqualizerScratch scratch;
          equalize_interpolated(type, rx, layers, n, ph, ph, 0.25F, py, 0.01F, xi.data(), xinv.data(), scratch);
          expect_finite(xi, xinv, what + " equalize_interpolated");
          float worst_i = 0.0F;
          for (float v : xinv) worst_i = std::max(worst_i, v);
          if (must_be_unreliable && worst_i < 10.0F) {
            if (type == EqualizerType::zf && layers == 2 && kind == zero) {
              // Known: the closed-form 2x2 path of equalize_interpolated (see the skip below).
              known_bug = what + ": equalize_interpolated x_noise_variance = " + std::to_string(worst_i) +
                          ", equalize() gives " + std::to_string(worst);
            } else {
              ADD_FAILURE() << what << " equalize_interpolated: a singular channel must report a large noise variance, "
                            << "got " << worst_i;
            }
          }
        }
      }
    }
  }
  if (!known_bug.empty()) {
    FAIL() << "regression: equalize_interpolated, ZF, 2 layers, all-zero channel: the closed-form 2x2 inverse "
                    "floors det to 1e-12 and multiplies it by the zero diagonal, so it reports x_noise_variance 0 "
                    "(a perfectly reliable layer) where equalize() reports 1e6 ("
                 << known_bug << ")";
  }
}


TEST(Equalizer, ZeroNoiseVarianceStaysFinite) {
  std::mt19937_64 engine(18);
  for (EqualizerType type : {EqualizerType::zf, EqualizerType::mmse}) {
    for (int layers = 1; layers <= 4; ++layers) {
      const int rx = layers + 1;
      const auto h = well_conditioned_channel(engine, rx, layers);
      std::vector<C> x(layers);
      for (auto& v : x) v = random_cn(engine);
      const auto y = apply(h, rx, layers, x);
      std::vector<C> xe(layers);
      std::vector<float> nve(layers);
      equalize(type, h.data(), rx, layers, y.data(), 0.0F, xe.data(), nve.data());
      expect_finite(xe, nve, std::string(to_string(type)) + " layers " + std::to_string(layers));
      for (int v = 0; v < layers; ++v) EXPECT_NEAR(std::abs(xe[v] - x[v]), 0.0, 1e-3) << to_string(type);
    }
  }
}

TEST(Equalizer, ParseType) {
  auto zf = parse_equalizer_type("zf");
  ASSERT_TRUE(zf.has_value());
  EXPECT_EQ(*zf, EqualizerType::zf);
  auto mmse = parse_equalizer_type("mmse");
  ASSERT_TRUE(mmse.has_value());
  EXPECT_EQ(*mmse, EqualizerType::mmse);
  for (EqualizerType t : {EqualizerType::zf, EqualizerType::mmse}) {
    auto back = parse_equalizer_type(to_string(t));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, t);
  }
  for (const char* bad : {"", "lmmse", "zf ", "mmse-irc", "z"}) {
    auto e = parse_equalizer_type(bad);
    ASSERT_FALSE(e.has_value()) << "'" << bad << "'";
    EXPECT_NE(e.error().message.find(std::string("'") + bad + "'"), std::string::npos) << e.error().message;
    EXPECT_NE(e.error().message.find("zf"), std::string::npos) << e.error().message;
  }
}

}  // namespace
}  // namespace airan::phy
