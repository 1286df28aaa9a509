#include "airan/phy/sequences/low_papr.hpp"

#include <cassert>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>

#include "airan/phy/coding/scrambling.hpp"

namespace airan::phy {
namespace {

// The phi(n) tables of TS 38.211 5.2.2.2. Transcribed from srsRAN 4G's zc_sequence.c (NR tables,
// isrRAN copy), compared element by element with OpenAirInterface's ul_ref_seq_nr.h
// (phi_M_ZC_6/12/18/24). The two differ in two entries: Table 5.2.2.2-1 row 15, n = 0
// (srsRAN 1, OAI -1) and Table 5.2.2.2-4 row 18, n = 0 (srsRAN -3, OAI 3); NVIDIA Aerial cuPHY
// (cuPHY/src/cuphy/ch_est/ch_est.cu, phi_6/phi_24) agrees with srsRAN on both, which is what is
// kept here. tests/phy/sequences/low_papr_test.cpp holds the OAI transcription, with those two
// entries corrected, and checks every row against the generated sequences.
// TS 38.211 Table 5.2.2.2-1: phi(n) for M_ZC = 6, row u.
constexpr std::int8_t kPhi6[kLowPaprGroups][6] = {
    {-3, -1,  3,  3, -1, -3},  // 0
    {-3,  3, -1, -1,  3, -3},  // 1
    {-3, -3, -3,  3,  1, -3},  // 2
    { 1,  1,  1,  3, -1, -3},  // 3
    { 1,  1,  1, -3, -1,  3},  // 4
    {-3,  1, -1, -3, -3, -3},  // 5
    {-3,  1,  3, -3, -3, -3},  // 6
    {-3, -1,  1, -3,  1, -1},  // 7
    {-3, -1, -3,  1, -3, -3},  // 8
    {-3, -3,  1, -3,  3, -3},  // 9
    {-3,  1,  3,  1, -3, -3},  // 10
    {-3, -1, -3,  1,  1, -3},  // 11
    { 1,  1,  3, -1, -3,  3},  // 12
    { 1,  1,  3,  3, -1,  3},  // 13
    { 1,  1,  1, -3,  3, -1},  // 14
    { 1,  1,  1, -1,  3, -3},  // 15
    {-3, -1, -1, -1,  3, -1},  // 16
    {-3, -3, -1,  1, -1, -3},  // 17
    {-3, -3, -3,  1, -3, -1},  // 18
    {-3,  1,  1, -3, -1, -3},  // 19
    {-3,  3, -3,  1,  1, -3},  // 20
    {-3,  1, -3, -3, -3, -1},  // 21
    { 1,  1, -3,  3,  1,  3},  // 22
    { 1,  1, -3, -3,  1, -3},  // 23
    { 1,  1,  3, -1,  3,  3},  // 24
    { 1,  1, -3,  1,  3,  3},  // 25
    { 1,  1, -1, -1,  3, -1},  // 26
    { 1,  1, -1,  3, -1, -1},  // 27
    { 1,  1, -1,  3, -3, -1},  // 28
    { 1,  1, -3,  1, -1, -1},  // 29
};

// TS 38.211 Table 5.2.2.2-2: phi(n) for M_ZC = 12, row u.
constexpr std::int8_t kPhi12[kLowPaprGroups][12] = {
    {-3,  1, -3, -3, -3,  3, -3, -1,  1,  1,  1, -3},  // 0
    {-3,  3,  1, -3,  1,  3, -1, -1,  1,  3,  3,  3},  // 1
    {-3,  3,  3,  1, -3,  3, -1,  1,  3, -3,  3, -3},  // 2
    {-3, -3, -1,  3,  3,  3, -3,  3, -3,  1, -1, -3},  // 3
    {-3, -1, -1,  1,  3,  1,  1, -1,  1, -1, -3,  1},  // 4
    {-3, -3,  3,  1, -3, -3, -3, -1,  3, -1,  1,  3},  // 5
    { 1, -1,  3, -1, -1, -1, -3, -1,  1,  1,  1, -3},  // 6
    {-1, -3,  3, -1, -3, -3, -3, -1,  1, -1,  1, -3},  // 7
    {-3, -1,  3,  1, -3, -1, -3,  3,  1,  3,  3,  1},  // 8
    {-3, -1, -1, -3, -3, -1, -3,  3,  1,  3, -1, -3},  // 9
    {-3,  3, -3,  3,  3, -3, -1, -1,  3,  3,  1, -3},  // 10
    {-3, -1, -3, -1, -1, -3,  3,  3, -1, -1,  1, -3},  // 11
    {-3, -1,  3, -3, -3, -1, -3,  1, -1, -3,  3,  3},  // 12
    {-3,  1, -1, -1,  3,  3, -3, -1, -1, -3, -1, -3},  // 13
    { 1,  3, -3,  1,  3,  3,  3,  1, -1,  1, -1,  3},  // 14
    {-3,  1,  3, -1, -1, -3, -3, -1, -1,  3,  1, -3},  // 15
    {-1, -1, -1, -1,  1, -3, -1,  3,  3, -1, -3,  1},  // 16
    {-1,  1,  1, -1,  1,  3,  3, -1, -1, -3,  1, -3},  // 17
    {-3,  1,  3,  3, -1, -1, -3,  3,  3, -3,  3, -3},  // 18
    {-3, -3,  3, -3, -1,  3,  3,  3, -1, -3,  1, -3},  // 19
    { 3,  1,  3,  1,  3, -3, -1,  1,  3,  1, -1, -3},  // 20
    {-3,  3,  1,  3, -3,  1,  1,  1,  1,  3, -3,  3},  // 21
    {-3,  3,  3,  3, -1, -3, -3, -1, -3,  1,  3, -3},  // 22
    { 3, -1, -3,  3, -3, -1,  3,  3,  3, -3, -1, -3},  // 23
    {-3, -1,  1, -3,  1,  3,  3,  3, -1, -3,  3,  3},  // 24
    {-3,  3,  1, -1,  3,  3, -3,  1, -1,  1, -1,  1},  // 25
    {-1,  1,  3, -3,  1, -1,  1, -1, -1, -3,  1, -1},  // 26
    {-3, -3,  3,  3,  3, -3, -1,  1, -3,  3,  1, -3},  // 27
    { 1, -1,  3,  1,  1, -1, -1, -1,  1,  3, -3,  1},  // 28
    {-3,  3, -3,  3, -3, -3,  3, -1, -1,  1,  3, -3},  // 29
};

// TS 38.211 Table 5.2.2.2-3: phi(n) for M_ZC = 18, row u.
constexpr std::int8_t kPhi18[kLowPaprGroups][18] = {
    {-1,  3, -1, -3,  3,  1, -3, -1,  3, -3, -1, -1,  1,  1,  1, -1, -1, -1},  // 0
    { 3, -3,  3, -1,  1,  3, -3, -1, -3, -3, -1, -3,  3,  1, -1,  3, -3,  3},  // 1
    {-3,  3,  1, -1, -1,  3, -3, -1,  1,  1,  1,  1,  1, -1,  3, -1, -3, -1},  // 2
    {-3, -3,  3,  3,  3,  1, -3,  1,  3,  3,  1, -3, -3,  3, -1, -3, -1,  1},  // 3
    { 1,  1, -1, -1, -3, -1,  1, -3, -3, -3,  1, -3, -1, -1,  1, -1,  3,  1},  // 4
    { 3, -3,  1,  1,  3, -1,  1, -1, -1, -3,  1,  1, -1,  3,  3, -3,  3, -1},  // 5
    {-3,  3, -1,  1,  3,  1, -3, -1,  1,  1, -3,  1,  3,  3, -1, -3, -3, -3},  // 6
    { 1,  1, -3,  3,  3,  1,  3, -3,  3, -1,  1,  1, -1,  1, -3, -3, -1,  3},  // 7
    {-3,  1, -3, -3,  1, -3, -3,  3,  1, -3, -1, -3, -3, -3, -1,  1,  1,  3},  // 8
    { 3, -1,  3,  1, -3, -3, -1,  1, -3, -3,  3,  3,  3,  1,  3, -3,  3, -3},  // 9
    {-3, -3, -3,  1, -3,  3,  1,  1,  3, -3, -3,  1,  3, -1,  3, -3, -3,  3},  // 10
    {-3, -3,  3,  3,  3, -1, -1, -3, -1, -1, -1,  3,  1, -3, -3, -1,  3, -1},  // 11
    {-3, -1, -3, -3,  1,  1, -1, -3, -1, -3, -1, -1,  3,  3, -1,  3,  1,  3},  // 12
    { 1,  1, -3, -3, -3, -3,  1,  3, -3,  3,  3,  1, -3, -1,  3, -1, -3,  1},  // 13
    {-3,  3, -1, -3, -1, -3,  1,  1, -3, -3, -1, -1,  3, -3,  1,  3,  1,  1},  // 14
    { 3,  1, -3,  1, -3,  3,  3, -1, -3, -3, -1, -3, -3,  3, -3, -1,  1,  3},  // 15
    {-3, -1, -3, -1, -3,  1,  3, -3, -1,  3,  3,  3,  1, -1, -3,  3, -1, -3},  // 16
    {-3, -1,  3,  3, -1,  3, -1, -3, -1,  1, -1, -3, -1, -1, -1,  3,  3,  1},  // 17
    {-3,  1, -3, -1, -1,  3,  1, -3, -3, -3, -1, -3, -3,  1,  1,  1, -1, -1},  // 18
    { 3,  3,  3, -3, -1, -3, -1,  3, -1,  1, -1, -3,  1, -3, -3, -1,  3,  3},  // 19
    {-3,  1,  1, -3,  1,  1,  3, -3, -1, -3, -1,  3, -3,  3, -1, -1, -1, -3},  // 20
    { 1, -3, -1, -3,  3,  3, -1, -3,  1, -3, -3, -1, -3, -1,  1,  3,  3,  3},  // 21
    {-3, -3,  1, -1, -1,  1,  1, -3, -1,  3,  3,  3,  3, -1,  3,  1,  3,  1},  // 22
    { 3, -1, -3,  1, -3, -3, -3,  3,  3, -1,  1, -3, -1,  3,  1,  1,  3,  3},  // 23
    { 3, -1, -1,  1, -3, -1, -3, -1, -3, -3, -1, -3,  1,  1,  1, -3, -3,  3},  // 24
    {-3, -3,  1, -3,  3,  3,  3, -1,  3,  1,  1, -3, -3, -3,  3, -3, -1, -1},  // 25
    {-3, -1, -1, -3,  1, -3,  3, -1, -1, -3,  3,  3, -3, -1,  3, -1, -1, -1},  // 26
    {-3, -3,  3,  3, -3,  1,  3, -1, -3,  1, -1, -3,  3, -3, -1, -1, -1,  3},  // 27
    {-1, -3,  1, -3, -3, -3,  1,  1,  3,  3, -3,  3,  3, -3, -1,  3, -3,  1},  // 28
    {-3,  3,  1, -1, -1, -1, -1,  1, -1,  3,  3, -3, -1,  1,  3, -1,  3, -1},  // 29
};

// TS 38.211 Table 5.2.2.2-4: phi(n) for M_ZC = 24, row u.
constexpr std::int8_t kPhi24[kLowPaprGroups][24] = {
    {-1, -3,  3, -1,  3,  1,  3, -1,  1, -3, -1, -3, -1,  1,  3, -3, -1, -3,  3,  3,  3, -3, -3, -3},  // 0
    {-1, -3,  3,  1,  1, -3,  1, -3, -3,  1, -3, -1, -1,  3, -3,  3,  3,  3, -3,  1,  3,  3, -3, -3},  // 1
    {-1, -3, -3,  1, -1, -1, -3,  1,  3, -1, -3, -1, -1, -3,  1,  1,  3,  1, -3, -1, -1,  3, -3, -3},  // 2
    { 1, -3,  3, -1, -3, -1,  3,  3,  1, -1,  1,  1,  3, -3, -1, -3, -3, -3, -1,  3, -3, -1, -3, -3},  // 3
    {-1,  3, -3, -3, -1,  3, -1, -1,  1,  3,  1,  3, -1, -1, -3,  1,  3,  1, -1, -3,  1, -1, -3, -3},  // 4
    {-3, -1,  1, -3, -3,  1,  1, -3,  3, -1, -1, -3,  1,  3,  1, -1, -3, -1, -3,  1, -3, -3, -3, -3},  // 5
    {-3,  3,  1,  3, -1,  1, -3,  1, -3,  1, -1, -3, -1, -3, -3, -3, -3, -1, -1, -1,  1,  1, -3, -3},  // 6
    {-3,  1,  3, -1,  1, -1,  3, -3,  3, -1, -3, -1, -3,  3, -1, -1, -1, -3, -1, -1, -3,  3,  3, -3},  // 7
    {-3,  1, -3,  3, -1, -1, -1, -3,  3,  1, -1, -3, -1,  1,  3, -1,  1, -1,  1, -3, -3, -3, -3, -3},  // 8
    { 1,  1, -1, -3, -1,  1,  1, -3,  1, -1,  1, -3,  3, -3, -3,  3, -1, -3,  1,  3, -3,  1, -3, -3},  // 9
    {-3, -3, -3, -1,  3, -3,  3,  1,  3,  1, -3, -1, -1, -3,  1,  1,  3,  1, -1, -3,  3,  1,  3, -3},  // 10
    {-3,  3, -1,  3,  1, -1, -1, -1,  3,  3,  1,  1,  1,  3,  3,  1, -3, -3, -1,  1, -3,  1,  3, -3},  // 11
    { 3, -3,  3, -1, -3,  1,  3,  1, -1, -1, -3, -1,  3, -3,  3, -1, -1,  3,  3, -3, -3,  3, -3, -3},  // 12
    {-3,  3, -1,  3, -1,  3,  3,  1,  1, -3,  1,  3, -3,  3, -3, -3, -1,  1,  3, -3, -1, -1, -3, -3},  // 13
    {-3,  1, -3, -1, -1,  3,  1,  3, -3,  1, -1,  3,  3, -1, -3,  3, -3, -1, -1, -3, -3, -3,  3, -3},  // 14
    {-3, -1, -1, -3,  1, -3, -3, -1, -1,  3, -1,  1, -1,  3,  1, -3, -1,  3,  1,  1, -1, -1, -3, -3},  // 15
    {-3, -3,  1, -1,  3,  3, -3, -1,  1, -1, -1,  1,  1, -1, -1,  3, -3,  1, -3,  1, -1, -1, -1, -3},  // 16
    { 3, -1,  3, -1,  1, -3,  1,  1, -3, -3,  3, -3, -1, -1, -1, -1, -1, -3, -3, -1,  1,  1, -3, -3},  // 17
    {-3,  1, -3,  1, -3, -3,  1, -3,  1, -3, -3, -3, -3, -3,  1, -3, -3,  1,  1, -3,  1,  1, -3, -3},  // 18
    {-3, -3,  3,  3,  1, -1, -1, -1,  1, -3, -1,  1, -1,  3, -3, -1, -3, -1, -1,  1, -3,  3, -1, -3},  // 19
    {-3, -3, -1, -1, -1, -3,  1, -1, -3, -1,  3, -3,  1, -3,  3, -3,  3,  3,  1, -1, -1,  1, -3, -3},  // 20
    { 3, -1,  1, -1,  3, -3,  1,  1,  3, -1, -3,  3,  1, -3,  3, -1, -1, -1, -1,  1, -3, -3, -3, -3},  // 21
    {-3,  1, -3,  3, -3,  1, -3,  3,  1, -1, -3, -1, -3, -3, -3, -3,  1,  3, -1,  1,  3,  3,  3, -3},  // 22
    {-3, -1,  1, -3, -1, -1,  1,  1,  1,  3,  3, -1,  1, -1,  1, -1, -1, -3, -3, -3,  3,  1, -1, -3},  // 23
    {-3,  3, -1, -3, -1, -1, -1,  3, -1, -1,  3, -3, -1,  3, -3,  3, -3, -1,  3,  1,  1, -1, -3, -3},  // 24
    {-3,  1, -1, -3, -3, -1,  1, -3, -1, -3,  1,  1, -1,  1,  1,  3,  3,  3, -1,  1, -1,  1, -1, -3},  // 25
    {-1,  3, -1, -1,  3,  3, -1, -1, -1,  3, -1, -3,  1,  3,  1,  1, -3, -3, -3, -1, -3, -1, -3, -3},  // 26
    { 3, -3, -3, -1,  3,  3, -3, -1,  3,  1,  1,  1,  3, -1,  3, -3, -1,  3, -1,  3,  1, -1, -3, -3},  // 27
    {-3,  1, -3,  1, -3,  1,  1,  3,  1, -3, -3, -1,  1,  3, -1, -3,  3,  1, -1, -3, -3, -3, -3, -3},  // 28
    { 3, -3, -1,  1,  3, -1, -1, -3, -1,  3, -1, -3, -1, -3,  3, -1,  3,  1,  1, -3,  3, -3, -3, -3},  // 29
};
bool is_prime(int n) {
  if (n < 2) return false;
  for (int d = 2; d * d <= n; ++d) {
    if (n % d == 0) return false;
  }
  return true;
}

const std::int8_t* phi_row(int m_zc, int u) {
  switch (m_zc) {
    case 6:
      return kPhi6[u];
    case 12:
      return kPhi12[u];
    case 18:
      return kPhi18[u];
    case 24:
      return kPhi24[u];
    default:
      return nullptr;
  }
}

// Bits c(start) .. c(start + 7) of the Gold sequence of c_init, c(start) in bit 0.
unsigned gold_byte(std::uint32_t c_init, int start) {
  GoldSequence gold(c_init);
  for (int w = 0; w < start / 32; ++w) gold.next_word();
  const int shift = start % 32;
  std::uint64_t bits = gold.next_word();
  if (shift + 8 > 32) bits |= static_cast<std::uint64_t>(gold.next_word()) << 32;
  return static_cast<unsigned>((bits >> shift) & 0xFFU);
}

unsigned gold_bit(std::uint32_t c_init, int index) {
  GoldSequence gold(c_init);
  for (int w = 0; w < index / 32; ++w) gold.next_word();
  return (gold.next_word() >> (index % 32)) & 1U;
}

Complex unit(double phase) { return {static_cast<float>(std::cos(phase)), static_cast<float>(std::sin(phase))}; }

}  // namespace

Status validate_low_papr_length(int m_zc) {
  if (m_zc < 6 || m_zc > kMaxLowPaprLength || m_zc % 6 != 0) {
    return Error{"low-PAPR sequence length m_zc = " + std::to_string(m_zc) +
                 " is invalid: it must be a multiple of 6 in [6, " + std::to_string(kMaxLowPaprLength) +
                 "] (M_ZC = m * 12 / 2^delta)"};
  }
  return Status::ok();
}

Status validate_low_papr_parameters(int u, int v, int m_zc) {
  if (Status s = validate_low_papr_length(m_zc); !s) return s;
  if (u < 0 || u >= kLowPaprGroups) {
    return Error{"low-PAPR sequence group u = " + std::to_string(u) + " is out of range [0, 29]"};
  }
  if (v < 0 || v > 1) {
    return Error{"low-PAPR base sequence number v = " + std::to_string(v) + " is out of range [0, 1]"};
  }
  if (v == 1 && m_zc < kMinLowPaprLengthTwoBases) {
    return Error{"low-PAPR base sequence number v = 1 needs m_zc >= 72, but m_zc = " + std::to_string(m_zc) +
                 " (shorter lengths have only v = 0)"};
  }
  return Status::ok();
}

int low_papr_zc_length(int m_zc) {
  assert(m_zc > 2);
  int n = m_zc - 1;
  while (!is_prime(n)) --n;
  return n;
}

void low_papr_sequence_type1(int u, int v, double alpha, int m_zc, std::span<Complex> out) {
  assert(validate_low_papr_parameters(u, v, m_zc).is_ok());
  assert(static_cast<int>(out.size()) == m_zc);
  constexpr double kPi = std::numbers::pi;

  if (const std::int8_t* phi = phi_row(m_zc, u); phi != nullptr) {
    for (int n = 0; n < m_zc; ++n) out[n] = unit(phi[n] * (kPi / 4.0) + alpha * n);
    return;
  }

  if (m_zc == 30) {
    // e^{-j pi (u+1)(n+1)(n+2) / 31}; the product is reduced modulo 62 (a period of the phase).
    for (int n = 0; n < m_zc; ++n) {
      const std::int64_t k = (static_cast<std::int64_t>(u + 1) * ((n + 1) * (n + 2) % 62)) % 62;
      out[n] = unit(-kPi * static_cast<double>(k) / 31.0 + alpha * n);
    }
    return;
  }

  // M_ZC >= 36: cyclic extension of the Zadoff-Chu sequence of root q and prime length N_ZC.
  const int n_zc = low_papr_zc_length(m_zc);
  // qbar = N_ZC (u+1) / 31 in integers: floor(qbar + 1/2) = floor((2 N_ZC (u+1) + 31) / 62),
  // floor(2 qbar) = floor(2 N_ZC (u+1) / 31).
  const std::int64_t num = static_cast<std::int64_t>(n_zc) * (u + 1);
  const std::int64_t q_round = (2 * num + 31) / 62;
  const std::int64_t two_qbar = (2 * num) / 31;
  const std::int64_t q = q_round + ((two_qbar % 2 == 0) ? v : -v);
  const std::int64_t period = 2 * static_cast<std::int64_t>(n_zc);  // e^{-j pi k / N_ZC} has period 2 N_ZC in k
  for (int n = 0; n < m_zc; ++n) {
    const std::int64_t m = n % n_zc;
    const std::int64_t k = (q % period) * ((m * (m + 1)) % period) % period;
    out[n] = unit(-kPi * static_cast<double>(k) / n_zc + alpha * n);
  }
}

Status generate_low_papr_sequence_type1(int u, int v, double alpha, int m_zc, std::span<Complex> out) {
  if (Status s = validate_low_papr_parameters(u, v, m_zc); !s) return s;
  if (static_cast<int>(out.size()) != m_zc) {
    return Error{"low-PAPR sequence output size out.size() = " + std::to_string(out.size()) +
                 " must equal m_zc = " + std::to_string(m_zc)};
  }
  if (!std::isfinite(alpha)) return Error{"low-PAPR cyclic shift alpha must be finite"};
  low_papr_sequence_type1(u, v, alpha, m_zc, out);
  return Status::ok();
}

Status validate_pusch_dmrs_sequence_group(int n_id, int slot_number, int symbol, int symbols_per_slot, int m_zc) {
  if (n_id < 0 || n_id > kMaxLowPaprNid) {
    return Error{"DM-RS scrambling identity n_id = " + std::to_string(n_id) + " is out of range [0, " +
                 std::to_string(kMaxLowPaprNid) + "]"};
  }
  if (symbols_per_slot != 12 && symbols_per_slot != 14) {
    return Error{"symbols_per_slot = " + std::to_string(symbols_per_slot) + " must be 12 or 14"};
  }
  if (symbol < 0 || symbol >= symbols_per_slot) {
    return Error{"DM-RS symbol = " + std::to_string(symbol) + " is out of range [0, " +
                 std::to_string(symbols_per_slot - 1) + "]"};
  }
  if (slot_number < 0 || slot_number >= kMaxSlotsPerFrame) {
    return Error{"slot_number = " + std::to_string(slot_number) + " is out of range [0, " +
                 std::to_string(kMaxSlotsPerFrame - 1) + "] (slot within the frame)"};
  }
  return validate_low_papr_length(m_zc);
}

LowPaprGroup pusch_dmrs_sequence_group(const LowPaprHoppingConfig& hopping, int n_id, int slot_number, int symbol,
                                       int symbols_per_slot, int m_zc) {
  assert(validate_pusch_dmrs_sequence_group(n_id, slot_number, symbol, symbols_per_slot, m_zc).is_ok());
  const int symbol_index = symbols_per_slot * slot_number + symbol;  // N_symb^slot n_s,f^mu + l
  int f_gh = 0;
  int v = 0;
  switch (hopping.mode) {
    case LowPaprHopping::kNeither:
      break;
    case LowPaprHopping::kGroup:
      f_gh = static_cast<int>(gold_byte(static_cast<std::uint32_t>(n_id / 30), 8 * symbol_index) % 30U);
      break;
    case LowPaprHopping::kSequence:
      if (m_zc >= kMinLowPaprLengthTwoBases) {
        v = static_cast<int>(gold_bit(static_cast<std::uint32_t>(n_id), symbol_index));
      }
      break;
  }
  return {(f_gh + n_id) % 30, v};
}

}  // namespace airan::phy
