// hard_decision: the nearest constellation point, checked against a brute-force search over
// the constellation built from constellation_point() / modulate().
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "airan/phy/modulation/modulation.hpp"

namespace airan::phy {
namespace {

const Modulation kAll[] = {Modulation::pi2_bpsk, Modulation::bpsk,   Modulation::qpsk,   Modulation::qam16,
                           Modulation::qam64,    Modulation::qam256, Modulation::qam1024};
const Modulation kQam[] = {Modulation::qpsk, Modulation::qam16, Modulation::qam64, Modulation::qam256,
                           Modulation::qam1024};

std::vector<Complex> constellation(Modulation m) {
  std::vector<Complex> points;
  for (unsigned label = 0; label < (1U << bits_per_symbol(m)); ++label) points.push_back(constellation_point(m, label));
  return points;
}

// Levels per dimension of a square QAM: side = 2^(qm/2); odd integers / norm.
float norm_of(Modulation m) {
  switch (m) {
    case Modulation::qpsk: return std::sqrt(2.0F);
    case Modulation::qam16: return std::sqrt(10.0F);
    case Modulation::qam64: return std::sqrt(42.0F);
    case Modulation::qam256: return std::sqrt(170.0F);
    case Modulation::qam1024: return std::sqrt(682.0F);
    default: return std::sqrt(2.0F);
  }
}

float min_distance_to(const std::vector<Complex>& points, Complex y) {
  float best = std::numeric_limits<float>::max();
  for (const Complex& p : points) best = std::min(best, std::norm(y - p));
  return best;
}

bool is_point(const std::vector<Complex>& points, Complex y) {
  for (const Complex& p : points) {
    if (std::abs(p - y) < 1e-5F) return true;
  }
  return false;
}

TEST(HardDecision, EveryPointMapsToItself) {
  for (Modulation m : kAll) {
    const auto points = constellation(m);
    std::vector<Complex> nearest(points.size());
    // The reference points are those of symbol index 0 (pi/2-BPSK rotates with the index), so
    // each is decided as symbol 0.
    for (std::size_t i = 0; i < points.size(); ++i) {
      hard_decision(m, std::span(&points[i], 1), std::span(&nearest[i], 1), 0);
    }
    for (std::size_t i = 0; i < points.size(); ++i) {
      EXPECT_NEAR(nearest[i].real(), points[i].real(), 1e-6F) << to_string(m) << " label " << i;
      EXPECT_NEAR(nearest[i].imag(), points[i].imag(), 1e-6F) << to_string(m) << " label " << i;
    }
  }
}

TEST(HardDecision, ConstellationHasUnitEnergyAndDistinctPoints) {
  // Guards the reference the other tests rely on.
  for (Modulation m : kQam) {
    const auto points = constellation(m);
    double energy = 0.0;
    for (const Complex& p : points) energy += std::norm(p);
    EXPECT_NEAR(energy / static_cast<double>(points.size()), 1.0, 1e-5) << to_string(m);
    const float d = 2.0F / norm_of(m);
    for (std::size_t i = 0; i < points.size(); ++i) {
      for (std::size_t j = i + 1; j < points.size(); ++j) {
        ASSERT_GE(std::abs(points[i] - points[j]), 0.99F * d) << to_string(m) << " " << i << " " << j;
      }
    }
  }
}

TEST(HardDecision, SmallPerturbationsMapBack) {
  std::mt19937_64 engine(21);
  for (Modulation m : kQam) {
    const auto points = constellation(m);
    const float half = 1.0F / norm_of(m);  // half the minimum distance per dimension
    std::uniform_real_distribution<float> offset(-0.95F * half, 0.95F * half);
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<Complex> noisy(points.size());
      for (std::size_t i = 0; i < points.size(); ++i) noisy[i] = points[i] + Complex(offset(engine), offset(engine));
      std::vector<Complex> nearest(points.size());
      hard_decision(m, noisy, nearest);
      for (std::size_t i = 0; i < points.size(); ++i) {
        ASSERT_NEAR(std::abs(nearest[i] - points[i]), 0.0F, 1e-6F)
            << to_string(m) << " label " << i << " perturbed to " << noisy[i] << " gave " << nearest[i];
      }
    }
  }
}

TEST(HardDecision, MatchesBruteForceNearest) {
  std::mt19937_64 engine(22);
  for (Modulation m : kQam) {
    const auto points = constellation(m);
    std::uniform_real_distribution<float> uniform(-1.6F, 1.6F);
    std::vector<Complex> y(4000);
    for (auto& v : y) v = {uniform(engine), uniform(engine)};
    std::vector<Complex> nearest(y.size());
    hard_decision(m, y, nearest);
    for (std::size_t i = 0; i < y.size(); ++i) {
      ASSERT_TRUE(is_point(points, nearest[i])) << to_string(m) << ": " << nearest[i] << " is no constellation point";
      // Equal distance within rounding (ties on a decision boundary may go either way).
      ASSERT_NEAR(std::norm(y[i] - nearest[i]), min_distance_to(points, y[i]), 1e-5F)
          << to_string(m) << " y " << y[i] << " gave " << nearest[i];
    }
  }
}

TEST(HardDecision, FarPointsClampToOuterPoints) {
  for (Modulation m : kQam) {
    const float outer = (std::sqrt(static_cast<float>(1U << bits_per_symbol(m))) - 1.0F) / norm_of(m);
    const std::vector<Complex> far = {{100.0F, 100.0F}, {-50.0F, 3.0F},  {7.0F, -1e6F},
                                      {-1e9F, -1e9F},   {30.0F, 0.01F}, {0.0F, 1e30F}};
    std::vector<Complex> nearest(far.size());
    hard_decision(m, far, nearest);
    const auto points = constellation(m);
    for (std::size_t i = 0; i < far.size(); ++i) {
      const std::string what = std::string(to_string(m)) + " y = (" + std::to_string(far[i].real()) + ", " +
                               std::to_string(far[i].imag()) + ")";
      ASSERT_TRUE(is_point(points, nearest[i])) << what << " gave " << nearest[i];
      // Each dimension beyond the outer level goes to the outer level of its sign.
      for (int dim = 0; dim < 2; ++dim) {
        const float v = dim == 0 ? far[i].real() : far[i].imag();
        const float got = dim == 0 ? nearest[i].real() : nearest[i].imag();
        if (std::abs(v) >= outer) {
          EXPECT_NEAR(got, std::copysign(outer, v), 1e-6F) << what << " dim " << dim;
        }
      }
    }
  }
}

TEST(HardDecision, BpskPoints) {
  // BPSK: bit 0 -> (1 + j)/sqrt(2), bit 1 -> -(1 + j)/sqrt(2) (38.211 5.1.2).
  const float a = 1.0F / std::sqrt(2.0F);
  const std::vector<Complex> y = {{0.3F, 0.1F}, {-0.2F, -0.9F}, {5.0F, -4.0F}, {-3.0F, 2.5F}, {0.0F, 0.0F}};
  std::vector<Complex> nearest(y.size());
  hard_decision(Modulation::bpsk, y, nearest);
  const std::vector<Complex> want = {{a, a}, {-a, -a}, {a, a}, {-a, -a}};
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(std::abs(nearest[i] - want[i]), 0.0F, 1e-6F) << "y " << y[i] << " gave " << nearest[i];
  }
  // The origin is equidistant: either point, but a point.
  EXPECT_NEAR(std::abs(nearest[4]), 1.0F, 1e-6F);
}

TEST(HardDecision, Pi2BpskFollowsSymbolIndex) {
  {
    // At symbol index 0, bit 1 is -(1 + j)/sqrt(2) (38.211 5.1.1).
    const float a = 1.0F / std::sqrt(2.0F);
    const std::vector<Complex> y = {{-a, -a}};
    std::vector<Complex> nearest(1);
    hard_decision(Modulation::pi2_bpsk, y, nearest, 0);
    if (std::abs(nearest[0] - y[0]) > 1e-6F) {
      FAIL() << "regression: hard_decision(pi2_bpsk) of the exact point -(1+j)/sqrt(2) at symbol index 0 gives ("
                   << nearest[0].real() << ", " << nearest[0].imag()
                   << "): the two candidate points come from one modulate() call on labels {0, 1}, so the bit-1 "
                      "candidate is rotated for symbol index i + 1 instead of i";
    }
  }
  std::mt19937_64 engine(23);
  std::bernoulli_distribution coin(0.5);
  std::normal_distribution<float> noise(0.0F, 0.2F);
  for (std::size_t start : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{7}}) {
    const std::size_t n = 64;
    std::vector<std::uint8_t> bits(n);
    for (auto& b : bits) b = coin(engine) ? 1 : 0;
    std::vector<Complex> symbols(n);
    modulate(Modulation::pi2_bpsk, bits, symbols, start);
    // Sanity of the reference: odd symbol indices are rotated by pi/2.
    for (std::size_t i = 0; i < n; ++i) {
      const float a = 1.0F / std::sqrt(2.0F);
      const float s = bits[i] ? -a : a;
      const Complex unrotated(s, s);
      const Complex want = ((start + i) % 2) ? Complex(0.0F, 1.0F) * unrotated : unrotated;
      ASSERT_NEAR(std::abs(symbols[i] - want), 0.0F, 1e-6F) << "start " << start << " i " << i;
    }
    std::vector<Complex> noisy(n);
    for (std::size_t i = 0; i < n; ++i) noisy[i] = symbols[i] + Complex(noise(engine), noise(engine));
    std::vector<Complex> nearest(n);
    hard_decision(Modulation::pi2_bpsk, symbols, nearest, start);
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_NEAR(std::abs(nearest[i] - symbols[i]), 0.0F, 1e-6F) << "start " << start << " i " << i;
    }
    hard_decision(Modulation::pi2_bpsk, noisy, nearest, start);
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_NEAR(std::abs(nearest[i] - symbols[i]), 0.0F, 1e-6F)
          << "start " << start << " i " << i << " noisy " << noisy[i];
    }
    // Decided with the other parity, an odd symbol must land on the other pair of points.
    hard_decision(Modulation::pi2_bpsk, symbols, nearest, start + 1);
    for (std::size_t i = 0; i < n; ++i) {
      const bool rotated_now = ((start + 1 + i) % 2) != 0;
      const Complex p = nearest[i];
      // Unrotated points have equal real and imaginary parts; rotated ones opposite ones.
      if (rotated_now) {
        EXPECT_NEAR(p.real(), -p.imag(), 1e-6F) << "start+1 " << start + 1 << " i " << i;
      } else {
        EXPECT_NEAR(p.real(), p.imag(), 1e-6F) << "start+1 " << start + 1 << " i " << i;
      }
    }
  }
}

TEST(HardDecision, Pi2BpskStartIndexMatchesPieces) {
  // Deciding a sequence in two pieces, the second with its start index, equals one call.
  std::mt19937_64 engine(24);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  std::vector<Complex> y(33);
  for (auto& v : y) v = {normal(engine), normal(engine)};
  std::vector<Complex> whole(y.size());
  hard_decision(Modulation::pi2_bpsk, y, whole, 5);
  std::vector<Complex> pieces(y.size());
  hard_decision(Modulation::pi2_bpsk, std::span(y).first(14), std::span(pieces).first(14), 5);
  hard_decision(Modulation::pi2_bpsk, std::span(y).subspan(14), std::span(pieces).subspan(14), 5 + 14);
  for (std::size_t i = 0; i < y.size(); ++i) EXPECT_EQ(whole[i], pieces[i]) << i;
}

}  // namespace
}  // namespace airan::phy
