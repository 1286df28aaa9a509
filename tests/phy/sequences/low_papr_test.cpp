#include "airan/phy/sequences/low_papr.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstdint>
#include <numbers>
#include <string>
#include <vector>

namespace airan::phy {
namespace {

constexpr double kPi = std::numbers::pi;

// The phi tables of TS 38.211 5.2.2.2, transcribed independently of the implementation's copy:
// from OpenAirInterface's openair1/PHY/NR_REFSIG/ul_ref_seq_nr.h (phi_M_ZC_6/12/18/24), except
// two entries where OAI disagrees with both srsRAN and NVIDIA Aerial cuPHY: Table 5.2.2.2-1
// row 15, n = 0 (OAI -1, here 1) and Table 5.2.2.2-4 row 18, n = 0 (OAI 3, here -3).
// TS 38.211 Table 5.2.2.2-1 (M_ZC = 6), row u = 0..29.
constexpr std::array<std::array<int, 6>, 30> kSpecPhi6 = {{
    {-3, -1,  3,  3, -1, -3},
    {-3,  3, -1, -1,  3, -3},
    {-3, -3, -3,  3,  1, -3},
    { 1,  1,  1,  3, -1, -3},
    { 1,  1,  1, -3, -1,  3},
    {-3,  1, -1, -3, -3, -3},
    {-3,  1,  3, -3, -3, -3},
    {-3, -1,  1, -3,  1, -1},
    {-3, -1, -3,  1, -3, -3},
    {-3, -3,  1, -3,  3, -3},
    {-3,  1,  3,  1, -3, -3},
    {-3, -1, -3,  1,  1, -3},
    { 1,  1,  3, -1, -3,  3},
    { 1,  1,  3,  3, -1,  3},
    { 1,  1,  1, -3,  3, -1},
    { 1,  1,  1, -1,  3, -3},
    {-3, -1, -1, -1,  3, -1},
    {-3, -3, -1,  1, -1, -3},
    {-3, -3, -3,  1, -3, -1},
    {-3,  1,  1, -3, -1, -3},
    {-3,  3, -3,  1,  1, -3},
    {-3,  1, -3, -3, -3, -1},
    { 1,  1, -3,  3,  1,  3},
    { 1,  1, -3, -3,  1, -3},
    { 1,  1,  3, -1,  3,  3},
    { 1,  1, -3,  1,  3,  3},
    { 1,  1, -1, -1,  3, -1},
    { 1,  1, -1,  3, -1, -1},
    { 1,  1, -1,  3, -3, -1},
    { 1,  1, -3,  1, -1, -1},
}};

// TS 38.211 Table 5.2.2.2-2 (M_ZC = 12), row u = 0..29.
constexpr std::array<std::array<int, 12>, 30> kSpecPhi12 = {{
    {-3,  1, -3, -3, -3,  3, -3, -1,  1,  1,  1, -3},
    {-3,  3,  1, -3,  1,  3, -1, -1,  1,  3,  3,  3},
    {-3,  3,  3,  1, -3,  3, -1,  1,  3, -3,  3, -3},
    {-3, -3, -1,  3,  3,  3, -3,  3, -3,  1, -1, -3},
    {-3, -1, -1,  1,  3,  1,  1, -1,  1, -1, -3,  1},
    {-3, -3,  3,  1, -3, -3, -3, -1,  3, -1,  1,  3},
    { 1, -1,  3, -1, -1, -1, -3, -1,  1,  1,  1, -3},
    {-1, -3,  3, -1, -3, -3, -3, -1,  1, -1,  1, -3},
    {-3, -1,  3,  1, -3, -1, -3,  3,  1,  3,  3,  1},
    {-3, -1, -1, -3, -3, -1, -3,  3,  1,  3, -1, -3},
    {-3,  3, -3,  3,  3, -3, -1, -1,  3,  3,  1, -3},
    {-3, -1, -3, -1, -1, -3,  3,  3, -1, -1,  1, -3},
    {-3, -1,  3, -3, -3, -1, -3,  1, -1, -3,  3,  3},
    {-3,  1, -1, -1,  3,  3, -3, -1, -1, -3, -1, -3},
    { 1,  3, -3,  1,  3,  3,  3,  1, -1,  1, -1,  3},
    {-3,  1,  3, -1, -1, -3, -3, -1, -1,  3,  1, -3},
    {-1, -1, -1, -1,  1, -3, -1,  3,  3, -1, -3,  1},
    {-1,  1,  1, -1,  1,  3,  3, -1, -1, -3,  1, -3},
    {-3,  1,  3,  3, -1, -1, -3,  3,  3, -3,  3, -3},
    {-3, -3,  3, -3, -1,  3,  3,  3, -1, -3,  1, -3},
    { 3,  1,  3,  1,  3, -3, -1,  1,  3,  1, -1, -3},
    {-3,  3,  1,  3, -3,  1,  1,  1,  1,  3, -3,  3},
    {-3,  3,  3,  3, -1, -3, -3, -1, -3,  1,  3, -3},
    { 3, -1, -3,  3, -3, -1,  3,  3,  3, -3, -1, -3},
    {-3, -1,  1, -3,  1,  3,  3,  3, -1, -3,  3,  3},
    {-3,  3,  1, -1,  3,  3, -3,  1, -1,  1, -1,  1},
    {-1,  1,  3, -3,  1, -1,  1, -1, -1, -3,  1, -1},
    {-3, -3,  3,  3,  3, -3, -1,  1, -3,  3,  1, -3},
    { 1, -1,  3,  1,  1, -1, -1, -1,  1,  3, -3,  1},
    {-3,  3, -3,  3, -3, -3,  3, -1, -1,  1,  3, -3},
}};

// TS 38.211 Table 5.2.2.2-3 (M_ZC = 18), row u = 0..29.
constexpr std::array<std::array<int, 18>, 30> kSpecPhi18 = {{
    {-1,  3, -1, -3,  3,  1, -3, -1,  3, -3, -1, -1,  1,  1,  1, -1, -1, -1},
    { 3, -3,  3, -1,  1,  3, -3, -1, -3, -3, -1, -3,  3,  1, -1,  3, -3,  3},
    {-3,  3,  1, -1, -1,  3, -3, -1,  1,  1,  1,  1,  1, -1,  3, -1, -3, -1},
    {-3, -3,  3,  3,  3,  1, -3,  1,  3,  3,  1, -3, -3,  3, -1, -3, -1,  1},
    { 1,  1, -1, -1, -3, -1,  1, -3, -3, -3,  1, -3, -1, -1,  1, -1,  3,  1},
    { 3, -3,  1,  1,  3, -1,  1, -1, -1, -3,  1,  1, -1,  3,  3, -3,  3, -1},
    {-3,  3, -1,  1,  3,  1, -3, -1,  1,  1, -3,  1,  3,  3, -1, -3, -3, -3},
    { 1,  1, -3,  3,  3,  1,  3, -3,  3, -1,  1,  1, -1,  1, -3, -3, -1,  3},
    {-3,  1, -3, -3,  1, -3, -3,  3,  1, -3, -1, -3, -3, -3, -1,  1,  1,  3},
    { 3, -1,  3,  1, -3, -3, -1,  1, -3, -3,  3,  3,  3,  1,  3, -3,  3, -3},
    {-3, -3, -3,  1, -3,  3,  1,  1,  3, -3, -3,  1,  3, -1,  3, -3, -3,  3},
    {-3, -3,  3,  3,  3, -1, -1, -3, -1, -1, -1,  3,  1, -3, -3, -1,  3, -1},
    {-3, -1, -3, -3,  1,  1, -1, -3, -1, -3, -1, -1,  3,  3, -1,  3,  1,  3},
    { 1,  1, -3, -3, -3, -3,  1,  3, -3,  3,  3,  1, -3, -1,  3, -1, -3,  1},
    {-3,  3, -1, -3, -1, -3,  1,  1, -3, -3, -1, -1,  3, -3,  1,  3,  1,  1},
    { 3,  1, -3,  1, -3,  3,  3, -1, -3, -3, -1, -3, -3,  3, -3, -1,  1,  3},
    {-3, -1, -3, -1, -3,  1,  3, -3, -1,  3,  3,  3,  1, -1, -3,  3, -1, -3},
    {-3, -1,  3,  3, -1,  3, -1, -3, -1,  1, -1, -3, -1, -1, -1,  3,  3,  1},
    {-3,  1, -3, -1, -1,  3,  1, -3, -3, -3, -1, -3, -3,  1,  1,  1, -1, -1},
    { 3,  3,  3, -3, -1, -3, -1,  3, -1,  1, -1, -3,  1, -3, -3, -1,  3,  3},
    {-3,  1,  1, -3,  1,  1,  3, -3, -1, -3, -1,  3, -3,  3, -1, -1, -1, -3},
    { 1, -3, -1, -3,  3,  3, -1, -3,  1, -3, -3, -1, -3, -1,  1,  3,  3,  3},
    {-3, -3,  1, -1, -1,  1,  1, -3, -1,  3,  3,  3,  3, -1,  3,  1,  3,  1},
    { 3, -1, -3,  1, -3, -3, -3,  3,  3, -1,  1, -3, -1,  3,  1,  1,  3,  3},
    { 3, -1, -1,  1, -3, -1, -3, -1, -3, -3, -1, -3,  1,  1,  1, -3, -3,  3},
    {-3, -3,  1, -3,  3,  3,  3, -1,  3,  1,  1, -3, -3, -3,  3, -3, -1, -1},
    {-3, -1, -1, -3,  1, -3,  3, -1, -1, -3,  3,  3, -3, -1,  3, -1, -1, -1},
    {-3, -3,  3,  3, -3,  1,  3, -1, -3,  1, -1, -3,  3, -3, -1, -1, -1,  3},
    {-1, -3,  1, -3, -3, -3,  1,  1,  3,  3, -3,  3,  3, -3, -1,  3, -3,  1},
    {-3,  3,  1, -1, -1, -1, -1,  1, -1,  3,  3, -3, -1,  1,  3, -1,  3, -1},
}};

// TS 38.211 Table 5.2.2.2-4 (M_ZC = 24), row u = 0..29.
constexpr std::array<std::array<int, 24>, 30> kSpecPhi24 = {{
    {-1, -3,  3, -1,  3,  1,  3, -1,  1, -3, -1, -3, -1,  1,  3, -3, -1, -3,  3,  3,  3, -3, -3, -3},
    {-1, -3,  3,  1,  1, -3,  1, -3, -3,  1, -3, -1, -1,  3, -3,  3,  3,  3, -3,  1,  3,  3, -3, -3},
    {-1, -3, -3,  1, -1, -1, -3,  1,  3, -1, -3, -1, -1, -3,  1,  1,  3,  1, -3, -1, -1,  3, -3, -3},
    { 1, -3,  3, -1, -3, -1,  3,  3,  1, -1,  1,  1,  3, -3, -1, -3, -3, -3, -1,  3, -3, -1, -3, -3},
    {-1,  3, -3, -3, -1,  3, -1, -1,  1,  3,  1,  3, -1, -1, -3,  1,  3,  1, -1, -3,  1, -1, -3, -3},
    {-3, -1,  1, -3, -3,  1,  1, -3,  3, -1, -1, -3,  1,  3,  1, -1, -3, -1, -3,  1, -3, -3, -3, -3},
    {-3,  3,  1,  3, -1,  1, -3,  1, -3,  1, -1, -3, -1, -3, -3, -3, -3, -1, -1, -1,  1,  1, -3, -3},
    {-3,  1,  3, -1,  1, -1,  3, -3,  3, -1, -3, -1, -3,  3, -1, -1, -1, -3, -1, -1, -3,  3,  3, -3},
    {-3,  1, -3,  3, -1, -1, -1, -3,  3,  1, -1, -3, -1,  1,  3, -1,  1, -1,  1, -3, -3, -3, -3, -3},
    { 1,  1, -1, -3, -1,  1,  1, -3,  1, -1,  1, -3,  3, -3, -3,  3, -1, -3,  1,  3, -3,  1, -3, -3},
    {-3, -3, -3, -1,  3, -3,  3,  1,  3,  1, -3, -1, -1, -3,  1,  1,  3,  1, -1, -3,  3,  1,  3, -3},
    {-3,  3, -1,  3,  1, -1, -1, -1,  3,  3,  1,  1,  1,  3,  3,  1, -3, -3, -1,  1, -3,  1,  3, -3},
    { 3, -3,  3, -1, -3,  1,  3,  1, -1, -1, -3, -1,  3, -3,  3, -1, -1,  3,  3, -3, -3,  3, -3, -3},
    {-3,  3, -1,  3, -1,  3,  3,  1,  1, -3,  1,  3, -3,  3, -3, -3, -1,  1,  3, -3, -1, -1, -3, -3},
    {-3,  1, -3, -1, -1,  3,  1,  3, -3,  1, -1,  3,  3, -1, -3,  3, -3, -1, -1, -3, -3, -3,  3, -3},
    {-3, -1, -1, -3,  1, -3, -3, -1, -1,  3, -1,  1, -1,  3,  1, -3, -1,  3,  1,  1, -1, -1, -3, -3},
    {-3, -3,  1, -1,  3,  3, -3, -1,  1, -1, -1,  1,  1, -1, -1,  3, -3,  1, -3,  1, -1, -1, -1, -3},
    { 3, -1,  3, -1,  1, -3,  1,  1, -3, -3,  3, -3, -1, -1, -1, -1, -1, -3, -3, -1,  1,  1, -3, -3},
    {-3,  1, -3,  1, -3, -3,  1, -3,  1, -3, -3, -3, -3, -3,  1, -3, -3,  1,  1, -3,  1,  1, -3, -3},
    {-3, -3,  3,  3,  1, -1, -1, -1,  1, -3, -1,  1, -1,  3, -3, -1, -3, -1, -1,  1, -3,  3, -1, -3},
    {-3, -3, -1, -1, -1, -3,  1, -1, -3, -1,  3, -3,  1, -3,  3, -3,  3,  3,  1, -1, -1,  1, -3, -3},
    { 3, -1,  1, -1,  3, -3,  1,  1,  3, -1, -3,  3,  1, -3,  3, -1, -1, -1, -1,  1, -3, -3, -3, -3},
    {-3,  1, -3,  3, -3,  1, -3,  3,  1, -1, -3, -1, -3, -3, -3, -3,  1,  3, -1,  1,  3,  3,  3, -3},
    {-3, -1,  1, -3, -1, -1,  1,  1,  1,  3,  3, -1,  1, -1,  1, -1, -1, -3, -3, -3,  3,  1, -1, -3},
    {-3,  3, -1, -3, -1, -1, -1,  3, -1, -1,  3, -3, -1,  3, -3,  3, -3, -1,  3,  1,  1, -1, -3, -3},
    {-3,  1, -1, -3, -3, -1,  1, -3, -1, -3,  1,  1, -1,  1,  1,  3,  3,  3, -1,  1, -1,  1, -1, -3},
    {-1,  3, -1, -1,  3,  3, -1, -1, -1,  3, -1, -3,  1,  3,  1,  1, -3, -3, -3, -1, -3, -1, -3, -3},
    { 3, -3, -3, -1,  3,  3, -3, -1,  3,  1,  1,  1,  3, -1,  3, -3, -1,  3, -1,  3,  1, -1, -3, -3},
    {-3,  1, -3,  1, -3,  1,  1,  3,  1, -3, -3, -1,  1,  3, -1, -3,  3,  1, -1, -3, -3, -3, -3, -3},
    { 3, -3, -1,  1,  3, -1, -1, -3, -1,  3, -1, -3, -1, -3,  3, -1,  3,  1,  1, -3,  3, -3, -3, -3},
}};
std::vector<Complex> generate(int u, int v, double alpha, int m_zc) {
  std::vector<Complex> out(static_cast<std::size_t>(m_zc));
  low_papr_sequence_type1(u, v, alpha, m_zc, out);
  return out;
}

const int* spec_phi_row(int m_zc, int u) {
  switch (m_zc) {
    case 6:
      return kSpecPhi6[u].data();
    case 12:
      return kSpecPhi12[u].data();
    case 18:
      return kSpecPhi18[u].data();
    default:
      return kSpecPhi24[u].data();
  }
}

// 5.2.2.1 as written, in floating point: q = floor(qbar + 1/2) + v (-1)^floor(2 qbar).
long long spec_q(int n_zc, int u, int v) {
  const double qbar = static_cast<double>(n_zc) * (u + 1) / 31.0;
  const long long sign = (static_cast<long long>(std::floor(2.0 * qbar)) % 2 == 0) ? 1 : -1;
  return static_cast<long long>(std::floor(qbar + 0.5)) + v * sign;
}

// x_q(n mod N_ZC) evaluated directly in long double, without reducing the phase in integers.
std::complex<long double> spec_zc(long long q, int n_zc, int n) {
  const long double m = n % n_zc;
  const long double phase = -std::numbers::pi_v<long double> * static_cast<long double>(q) * m * (m + 1) / n_zc;
  return {std::cos(phase), std::sin(phase)};
}

// TS 38.211 5.2.1 evaluated bit by bit, as written there.
std::vector<std::uint8_t> gold_reference(std::uint32_t c_init, std::size_t length) {
  constexpr std::size_t kNc = 1600;
  std::vector<std::uint8_t> x1(kNc + length + 31, 0), x2(kNc + length + 31, 0);
  x1[0] = 1;
  for (int i = 0; i < 31; ++i) x2[i] = static_cast<std::uint8_t>((c_init >> i) & 1U);
  for (std::size_t n = 0; n + 31 < x1.size(); ++n) {
    x1[n + 31] = x1[n + 3] ^ x1[n];
    x2[n + 31] = x2[n + 3] ^ x2[n + 2] ^ x2[n + 1] ^ x2[n];
  }
  std::vector<std::uint8_t> c(length);
  for (std::size_t n = 0; n < length; ++n) c[n] = x1[n + kNc] ^ x2[n + kNc];
  return c;
}

double papr_db(const std::vector<Complex>& x, int oversampling) {
  // Time-domain samples of the sequence on M subcarriers, zero-padded to M * oversampling points.
  const int m = static_cast<int>(x.size());
  const int points = m * oversampling;
  double peak = 0.0;
  double total = 0.0;
  for (int t = 0; t < points; ++t) {
    std::complex<double> s = 0.0;
    for (int k = 0; k < m; ++k) {
      s += std::complex<double>(x[k]) * std::polar(1.0, 2.0 * kPi * k * t / points);
    }
    peak = std::max(peak, std::norm(s));
    total += std::norm(s);
  }
  return 10.0 * std::log10(peak / (total / points));
}

const std::vector<int> kSomeLengths = {6, 12, 18, 24, 30, 36, 48, 60, 72, 96, 144, 300, 816, 1650, 3300};

TEST(LowPaprType1, EveryElementHasUnitMagnitude) {
  for (int m_zc : kSomeLengths) {
    for (int u = 0; u < kLowPaprGroups; ++u) {
      for (int v = 0; v <= (m_zc >= 72 ? 1 : 0); ++v) {
        for (double alpha : {0.0, 2.0 * kPi * 5.0 / 12.0, 1.2345}) {
          const std::vector<Complex> r = generate(u, v, alpha, m_zc);
          for (int n = 0; n < m_zc; ++n) {
            ASSERT_NEAR(std::abs(r[n]), 1.0F, 1e-6F) << "m_zc " << m_zc << " u " << u << " v " << v << " n " << n;
          }
        }
      }
    }
  }
}

TEST(LowPaprType1, TableLengthsFollowEveryRowOfTheSpecTables) {
  for (int m_zc : {6, 12, 18, 24}) {
    for (int u = 0; u < kLowPaprGroups; ++u) {
      const std::vector<Complex> r = generate(u, 0, 0.0, m_zc);
      const int* phi = spec_phi_row(m_zc, u);
      for (int n = 0; n < m_zc; ++n) {
        const std::complex<double> expected = std::polar(1.0, phi[n] * kPi / 4.0);
        EXPECT_NEAR(r[n].real(), expected.real(), 1e-6) << "m_zc " << m_zc << " u " << u << " n " << n;
        EXPECT_NEAR(r[n].imag(), expected.imag(), 1e-6) << "m_zc " << m_zc << " u " << u << " n " << n;
        // phi(n) recovered from the phase lies in {-3, -1, 1, 3}.
        EXPECT_EQ(static_cast<int>(std::lround(std::arg(std::complex<double>(r[n])) * 4.0 / kPi)), phi[n])
            << "m_zc " << m_zc << " u " << u << " n " << n;
      }
    }
  }
}

TEST(LowPaprType1, TableRowsSpotChecks) {
  // A few entries read off directly (row u, element n, phi): both ends of the first, second and
  // last rows of each table.
  struct Entry {
    int m_zc, u, n, phi;
  };
  for (const Entry& e : {Entry{6, 0, 0, -3}, Entry{6, 0, 5, -3}, Entry{6, 1, 1, 3}, Entry{6, 15, 0, 1},
                         Entry{6, 29, 2, -3}, Entry{12, 0, 1, 1}, Entry{12, 1, 11, 3}, Entry{12, 29, 6, 3},
                         Entry{18, 0, 0, -1}, Entry{18, 1, 17, 3}, Entry{18, 29, 9, 3}, Entry{24, 0, 0, -1},
                         Entry{24, 1, 3, 1}, Entry{24, 18, 0, -3}, Entry{24, 29, 23, -3}}) {
    const std::vector<Complex> r = generate(e.u, 0, 0.0, e.m_zc);
    const std::complex<double> expected = std::polar(1.0, e.phi * kPi / 4.0);
    EXPECT_NEAR(std::abs(std::complex<double>(r[e.n]) - expected), 0.0, 1e-6)
        << "m_zc " << e.m_zc << " u " << e.u << " n " << e.n;
  }
}

TEST(LowPaprType1, Length30FollowsItsFormula) {
  for (int u = 0; u < kLowPaprGroups; ++u) {
    const std::vector<Complex> r = generate(u, 0, 0.0, 30);
    for (int n = 0; n < 30; ++n) {
      const std::complex<double> expected = std::polar(1.0, -kPi * (u + 1) * (n + 1) * (n + 2) / 31.0);
      EXPECT_NEAR(std::abs(std::complex<double>(r[n]) - expected), 0.0, 2e-6) << "u " << u << " n " << n;
    }
  }
}

TEST(LowPaprType1, ZadoffChuLengthIsTheLargestPrimeBelowMzc) {
  EXPECT_EQ(low_papr_zc_length(36), 31);
  EXPECT_EQ(low_papr_zc_length(48), 47);
  EXPECT_EQ(low_papr_zc_length(72), 71);
  EXPECT_EQ(low_papr_zc_length(96), 89);
  EXPECT_EQ(low_papr_zc_length(1650), 1637);  // 1639 = 11 * 149, 1641 = 3 * 547, 1643 = 31 * 53, ...
  EXPECT_EQ(low_papr_zc_length(3300), 3299);
  for (int m_zc : {36, 60, 1650, 3300}) {
    const int n_zc = low_papr_zc_length(m_zc);
    for (int d = 2; d * d <= n_zc; ++d) EXPECT_NE(n_zc % d, 0) << n_zc << " divisible by " << d;
    for (int k = n_zc + 1; k < m_zc; ++k) {
      bool composite = false;
      for (int d = 2; d * d <= k; ++d) composite = composite || (k % d == 0);
      EXPECT_TRUE(composite) << k << " is a prime below " << m_zc << " larger than " << n_zc;
    }
  }
}

TEST(LowPaprType1, LongSequencesFollowTheZadoffChuClosedForm) {
  // M_ZC = 36 has N_ZC = 31, so qbar = u + 1 and q = u + 1 (+ v, never used at this length).
  for (int u = 0; u < kLowPaprGroups; ++u) EXPECT_EQ(spec_q(31, u, 0), u + 1);
  for (int m_zc : {36, 72, 96, 1650, 3300}) {
    const int n_zc = low_papr_zc_length(m_zc);
    for (int u = 0; u < kLowPaprGroups; ++u) {
      for (int v = 0; v <= (m_zc >= 72 ? 1 : 0); ++v) {
        const std::vector<Complex> r = generate(u, v, 0.0, m_zc);
        const long long q = spec_q(n_zc, u, v);
        for (int n = 0; n < m_zc; ++n) {
          const std::complex<long double> e = spec_zc(q, n_zc, n);
          ASSERT_NEAR(r[n].real(), static_cast<double>(e.real()), 2e-6)
              << "m_zc " << m_zc << " u " << u << " v " << v << " n " << n;
          ASSERT_NEAR(r[n].imag(), static_cast<double>(e.imag()), 2e-6)
              << "m_zc " << m_zc << " u " << u << " v " << v << " n " << n;
        }
      }
    }
  }
  // The cyclic extension repeats the first elements: rbar(N_ZC + i) = rbar(i).
  const std::vector<Complex> r = generate(7, 1, 0.0, 1650);
  for (int i = 0; i < 1650 - 1637; ++i) EXPECT_EQ(r[1637 + i], r[i]) << i;
}

TEST(LowPaprType1, TableLengthsHaveLowPapr) {
  for (int m_zc : {6, 12, 18, 24}) {
    double worst = 0.0;
    for (int u = 0; u < kLowPaprGroups; ++u) {
      const double papr = papr_db(generate(u, 0, 0.0, m_zc), 8);
      worst = std::max(worst, papr);
      EXPECT_LT(papr, 4.0) << "m_zc " << m_zc << " u " << u;
    }
    EXPECT_GT(worst, 0.5) << "m_zc " << m_zc;  // a flat spectrum cannot be a constant envelope in time
  }
}

TEST(LowPaprType1, CyclicShiftMultipliesByAPhaseRamp) {
  for (int m_zc : {6, 12, 24, 30, 36, 144, 1650}) {
    for (double alpha : {2.0 * kPi * 1.0 / 12.0, 2.0 * kPi * 7.0 / 12.0, 2.0 * kPi * 3.0 / 8.0, -0.75}) {
      for (int u : {0, 13, 29}) {
        const std::vector<Complex> base = generate(u, 0, 0.0, m_zc);
        const std::vector<Complex> shifted = generate(u, 0, alpha, m_zc);
        for (int n = 0; n < m_zc; ++n) {
          const std::complex<double> expected = std::polar(1.0, alpha * n) * std::complex<double>(base[n]);
          ASSERT_NEAR(std::abs(std::complex<double>(shifted[n]) - expected), 0.0, 1e-5)
              << "m_zc " << m_zc << " alpha " << alpha << " u " << u << " n " << n;
        }
      }
    }
  }
  // Shifts alpha = 2 pi k / 12 of one base sequence of 12 are orthogonal.
  const std::vector<Complex> a = generate(4, 0, 2.0 * kPi * 2.0 / 12.0, 12);
  const std::vector<Complex> b = generate(4, 0, 2.0 * kPi * 5.0 / 12.0, 12);
  std::complex<double> dot = 0.0;
  for (int n = 0; n < 12; ++n) dot += std::complex<double>(a[n]) * std::conj(std::complex<double>(b[n]));
  EXPECT_NEAR(std::abs(dot), 0.0, 1e-5);
}

TEST(LowPaprType1, DistinctBaseSequencesHaveLowCrossCorrelation) {
  for (int m_zc : {36, 48, 60, 72, 96, 144, 300, 1650}) {
    std::vector<std::vector<Complex>> seqs;
    for (int u = 0; u < kLowPaprGroups; ++u) {
      for (int v = 0; v <= (m_zc >= 72 ? 1 : 0); ++v) seqs.push_back(generate(u, v, 0.0, m_zc));
    }
    double worst = 0.0;
    for (std::size_t i = 0; i < seqs.size(); ++i) {
      for (std::size_t j = i + 1; j < seqs.size(); ++j) {
        std::complex<double> dot = 0.0;
        for (int n = 0; n < m_zc; ++n) {
          dot += std::complex<double>(seqs[i][n]) * std::conj(std::complex<double>(seqs[j][n]));
        }
        worst = std::max(worst, std::abs(dot) / m_zc);
      }
    }
    EXPECT_LT(worst, 0.3) << "m_zc " << m_zc;
  }
}

TEST(LowPaprType1, InvalidParametersAreReportedByName) {
  for (int m_zc : {6, 12, 18, 24, 30, 36, 42, 1650, 3300}) EXPECT_TRUE(validate_low_papr_length(m_zc).is_ok()) << m_zc;
  for (int m_zc : {-6, 0, 1, 5, 7, 13, 35, 3306, 4000}) {
    const Status s = validate_low_papr_length(m_zc);
    ASSERT_FALSE(s.is_ok()) << m_zc;
    EXPECT_NE(s.message().find("m_zc = " + std::to_string(m_zc)), std::string::npos) << s.message();
  }
  EXPECT_TRUE(validate_low_papr_parameters(0, 0, 6).is_ok());
  EXPECT_TRUE(validate_low_papr_parameters(29, 1, 72).is_ok());
  for (int u : {-1, 30, 100}) {
    const Status s = validate_low_papr_parameters(u, 0, 12);
    ASSERT_FALSE(s.is_ok());
    EXPECT_NE(s.message().find("u = " + std::to_string(u)), std::string::npos) << s.message();
  }
  for (int v : {-1, 2}) {
    const Status s = validate_low_papr_parameters(0, v, 72);
    ASSERT_FALSE(s.is_ok());
    EXPECT_NE(s.message().find("v = " + std::to_string(v)), std::string::npos) << s.message();
  }
  const Status short_v1 = validate_low_papr_parameters(3, 1, 66);
  ASSERT_FALSE(short_v1.is_ok());
  EXPECT_NE(short_v1.message().find("v = 1"), std::string::npos) << short_v1.message();
  EXPECT_NE(short_v1.message().find("m_zc = 66"), std::string::npos) << short_v1.message();
  const Status bad_length = validate_low_papr_parameters(3, 0, 20);
  ASSERT_FALSE(bad_length.is_ok());
  EXPECT_NE(bad_length.message().find("m_zc = 20"), std::string::npos) << bad_length.message();

  std::vector<Complex> out(12);
  EXPECT_TRUE(generate_low_papr_sequence_type1(5, 0, 0.5, 12, out).is_ok());
  EXPECT_EQ(out, generate(5, 0, 0.5, 12));
  const Status wrong_size = generate_low_papr_sequence_type1(5, 0, 0.0, 18, out);
  ASSERT_FALSE(wrong_size.is_ok());
  EXPECT_NE(wrong_size.message().find("out.size() = 12"), std::string::npos) << wrong_size.message();
  const Status bad_u = generate_low_papr_sequence_type1(30, 0, 0.0, 12, out);
  ASSERT_FALSE(bad_u.is_ok());
  EXPECT_NE(bad_u.message().find("u = 30"), std::string::npos) << bad_u.message();
  const Status bad_alpha = generate_low_papr_sequence_type1(1, 0, std::nan(""), 12, out);
  ASSERT_FALSE(bad_alpha.is_ok());
  EXPECT_NE(bad_alpha.message().find("alpha"), std::string::npos) << bad_alpha.message();
}

TEST(LowPaprHopping, NeitherGivesNidModulo30AndFirstBaseSequence) {
  const LowPaprHoppingConfig neither{};
  EXPECT_EQ(neither.mode, LowPaprHopping::kNeither);
  for (int n_id : {0, 1, 29, 30, 31, 500, 1007, 1023}) {
    for (int slot : {0, 1, 19, 159}) {
      for (int symbol : {0, 2, 11, 13}) {
        for (int m_zc : {6, 36, 72, 1650}) {
          EXPECT_EQ(pusch_dmrs_sequence_group(neither, n_id, slot, symbol, 14, m_zc), (LowPaprGroup{n_id % 30, 0}));
        }
      }
    }
  }
}

TEST(LowPaprHopping, GroupHoppingFollowsThePseudoRandomSequence) {
  const LowPaprHoppingConfig group{LowPaprHopping::kGroup};
  for (int n_id : {0, 17, 45, 301, 1007}) {
    for (int symbols_per_slot : {12, 14}) {
      const int slots = 160;
      const std::vector<std::uint8_t> c =
          gold_reference(static_cast<std::uint32_t>(n_id / 30), static_cast<std::size_t>(8 * symbols_per_slot * slots));
      std::array<int, 30> seen{};
      for (int slot = 0; slot < slots; slot += 7) {
        for (int symbol = 0; symbol < symbols_per_slot; ++symbol) {
          int f_gh = 0;
          for (int m = 0; m < 8; ++m) f_gh += c[8 * (symbols_per_slot * slot + symbol) + m] << m;
          f_gh %= 30;
          const LowPaprGroup g = pusch_dmrs_sequence_group(group, n_id, slot, symbol, symbols_per_slot, 144);
          EXPECT_EQ(g, (LowPaprGroup{(f_gh + n_id) % 30, 0}))
              << "n_id " << n_id << " slot " << slot << " symbol " << symbol << " N_symb " << symbols_per_slot;
          ++seen[g.u];
        }
      }
      // The group actually hops: many of the 30 groups are visited.
      EXPECT_GT(std::count_if(seen.begin(), seen.end(), [](int k) { return k > 0; }), 20) << "n_id " << n_id;
    }
  }
  // Same n_id / 30 gives the same f_gh: n_id 30 and 59 hop together, offset by 29.
  for (int slot : {0, 3, 77}) {
    for (int symbol : {0, 5}) {
      const LowPaprGroup a = pusch_dmrs_sequence_group(group, 30, slot, symbol, 14, 36);
      const LowPaprGroup b = pusch_dmrs_sequence_group(group, 59, slot, symbol, 14, 36);
      EXPECT_EQ((a.u + 29) % 30, b.u);
    }
  }
}

TEST(LowPaprHopping, SequenceHoppingChangesOnlyVAndOnlyForLongSequences) {
  const LowPaprHoppingConfig sequence{LowPaprHopping::kSequence};
  for (int n_id : {0, 17, 301, 1007}) {
    const std::vector<std::uint8_t> c = gold_reference(static_cast<std::uint32_t>(n_id), 14 * 640);
    int ones = 0;
    int count = 0;
    for (int slot : {0, 1, 2, 10, 79, 159, 639}) {
      for (int symbol = 0; symbol < 14; ++symbol) {
        const LowPaprGroup g = pusch_dmrs_sequence_group(sequence, n_id, slot, symbol, 14, 72);
        EXPECT_EQ(g, (LowPaprGroup{n_id % 30, c[14 * slot + symbol]})) << "n_id " << n_id << " slot " << slot;
        ones += g.v;
        ++count;
        EXPECT_EQ(pusch_dmrs_sequence_group(sequence, n_id, slot, symbol, 14, 66), (LowPaprGroup{n_id % 30, 0}));
        EXPECT_EQ(pusch_dmrs_sequence_group(sequence, n_id, slot, symbol, 14, 6), (LowPaprGroup{n_id % 30, 0}));
      }
    }
    EXPECT_GT(ones, count / 4) << n_id;
    EXPECT_LT(ones, 3 * count / 4) << n_id;
  }
}

TEST(LowPaprHopping, InvalidInputsAreReportedByName) {
  EXPECT_TRUE(validate_pusch_dmrs_sequence_group(0, 0, 0, 14, 6).is_ok());
  EXPECT_TRUE(validate_pusch_dmrs_sequence_group(1023, 639, 11, 12, 3300).is_ok());
  struct Case {
    int n_id, slot, symbol, symbols_per_slot, m_zc;
    const char* names;
  };
  for (const Case& k : {Case{-1, 0, 0, 14, 12, "n_id = -1"}, Case{1024, 0, 0, 14, 12, "n_id = 1024"},
                        Case{0, -1, 0, 14, 12, "slot_number = -1"}, Case{0, 640, 0, 14, 12, "slot_number = 640"},
                        Case{0, 0, -1, 14, 12, "symbol = -1"}, Case{0, 0, 12, 12, 12, "symbol = 12"},
                        Case{0, 0, 0, 13, 12, "symbols_per_slot = 13"}, Case{0, 0, 0, 14, 40, "m_zc = 40"}}) {
    const Status s = validate_pusch_dmrs_sequence_group(k.n_id, k.slot, k.symbol, k.symbols_per_slot, k.m_zc);
    ASSERT_FALSE(s.is_ok()) << k.names;
    EXPECT_NE(s.message().find(k.names), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace airan::phy
