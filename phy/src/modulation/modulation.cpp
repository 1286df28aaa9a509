#include "airan/phy/modulation/modulation.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <limits>
#include <string>

#include "airan/phy/cpu_features.hpp"
#include "airan/phy/detail/demapper_math.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace airan::phy {

#if defined(AIRAN_HAVE_AVX2_KERNELS)
namespace avx2 {
// demapper_avx2.cpp. Each handles whole groups of 4 symbols and returns how many symbols it
// did; the caller finishes the tail with the portable code.
std::size_t demap_qam(int bits_per_dim, const float* a, const float* b, float index_scale, int max_index,
                      const Complex* symbols, std::size_t n, const float* noise_variance, bool broadcast,
                      float gain, float* llrs);
std::size_t demap_qpsk(const Complex* symbols, std::size_t n, const float* noise_variance, bool broadcast,
                       float gain, float* llrs);
// out[i] = clamp(round(in[i]), -127, 127) for whole groups of 32; returns how many it did.
std::size_t quantize_llrs(const float* in, std::size_t n, Llr* out);
}  // namespace avx2
#endif

namespace {

constexpr int kMaxBitsPerDim = 5;    // 1024QAM
constexpr int kMaxIntervals = 16;    // half the levels of 32-PAM
constexpr float kMinNoiseVariance = 1e-12F;
constexpr float kSqrt2 = 1.41421356237309504880F;
constexpr float kRoundMagic = 12582912.0F;  // 1.5 * 2^23

// One square QAM: the 2^k-PAM of each dimension and its demapping tables.
//
// Per dimension, bit j of the dimension (bit 2j on I, 2j+1 on Q) has the max-log metric
// f_j(y) = min_{c_j=1} (y-s)^2 - min_{c_j=0} (y-s)^2, piecewise linear in y with breaks at
// the even integers of the level grid (levels are the odd integers, runs of equal bits have
// even length away from the edges). f_j is even in y for j >= 1 and odd for j = 0, so it is
// tabulated over |y|: interval m = min(floor(|y| * norm / 2), L/2 - 1) gives
// f_j = a[j][m] |y| + b[j][m] (then negated for j = 0 when y < 0).
// The demapping part (k, L/2, norm/2, a, b) is plain data shared with the GPU backend.
struct QamTable : detail::QamDemapTable {
  std::array<float, 32> pam{};  // level / norm, by k-bit dimension label (first bit most significant)
  std::array<Complex, 1024> points{};  // by qm-bit label
};
static_assert(kMaxBitsPerDim == detail::kDemapMaxBitsPerDim && kMaxIntervals == detail::kDemapMaxIntervals);

// 38.211 5.1.3-5.1.7: level = (1-2c0)[2^(k-1) - (1-2c1)[2^(k-2) - ... [2 - (1-2c_{k-1})]]].
int pam_level(int k, unsigned label) {
  auto bit = [&](int j) { return static_cast<int>((label >> (k - 1 - j)) & 1U); };
  int t = 1;
  for (int j = k - 1; j >= 1; --j) t = (1 << (k - j)) - (1 - 2 * bit(j)) * t;
  return (1 - 2 * bit(0)) * t;
}

QamTable make_table(int k) {
  QamTable t;
  t.bits_per_dim = k;
  const int levels = 1 << k;
  t.intervals = levels / 2;
  const double norm = std::sqrt(2.0 * (levels * levels - 1) / 3.0);
  t.index_scale = static_cast<float>(norm / 2.0);
  for (unsigned c = 0; c < static_cast<unsigned>(levels); ++c) {
    t.pam[c] = static_cast<float>(pam_level(k, c) / norm);
  }
  // f_j(u) by brute force over the PAM, in normalised units.
  auto metric = [&](int j, double u) {
    double d0 = std::numeric_limits<double>::infinity();
    double d1 = d0;
    for (unsigned c = 0; c < static_cast<unsigned>(levels); ++c) {
      const double d = (u - pam_level(k, c) / norm) * (u - pam_level(k, c) / norm);
      if ((c >> (k - 1 - j)) & 1U) {
        d1 = std::min(d1, d);
      } else {
        d0 = std::min(d0, d);
      }
    }
    return d1 - d0;
  };
  for (int j = 0; j < k; ++j) {
    for (int m = 0; m < t.intervals; ++m) {
      const double u1 = (2 * m + 0.5) / norm;
      const double u2 = (2 * m + 1.5) / norm;
      const double slope = (metric(j, u2) - metric(j, u1)) / (u2 - u1);
      t.a[j][m] = static_cast<float>(slope);
      t.b[j][m] = static_cast<float>(metric(j, u1) - slope * u1);
    }
  }
  const int qm = 2 * k;
  for (unsigned label = 0; label < (1U << qm); ++label) {
    unsigned ci = 0;
    unsigned cq = 0;
    for (int j = 0; j < k; ++j) {
      ci = (ci << 1) | ((label >> (qm - 1 - 2 * j)) & 1U);
      cq = (cq << 1) | ((label >> (qm - 2 - 2 * j)) & 1U);
    }
    t.points[label] = {t.pam[ci], t.pam[cq]};
  }
  return t;
}

struct Tables {
  std::array<QamTable, kMaxBitsPerDim + 1> qam;  // by bits per dimension (1 = QPSK)
  Tables() {
    for (int k = 1; k <= kMaxBitsPerDim; ++k) qam[k] = make_table(k);
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

int bits_per_dim(Modulation m) { return bits_per_symbol(m) / 2; }

bool use_avx2() {
  static const bool avx2 = best_cpu_isa() == CpuIsa::avx2;
  return avx2;
}

float inverse_variance(const float* nv, std::size_t i, bool broadcast, float gain) {
  return gain / std::max(nv[broadcast ? 0 : i], kMinNoiseVariance);
}

// ---- portable kernels (also the tails of the AVX2 ones) ----

void demap_qam_portable(const QamTable& t, const Complex* symbols, std::size_t n, const float* nv, bool broadcast,
                        float gain, float* llrs) {
  const int qm = 2 * t.bits_per_dim;
  for (std::size_t i = 0; i < n; ++i) {
    detail::demap_qam_symbol(t, detail::to_hd(symbols[i]), detail::demap_inverse_variance(nv[broadcast ? 0 : i], gain),
                             llrs + i * qm);
  }
}

void demap_qpsk_portable(const Complex* symbols, std::size_t n, const float* nv, bool broadcast, float gain,
                         float* llrs) {
  for (std::size_t i = 0; i < n; ++i) {
    detail::demap_qpsk_symbol(detail::to_hd(symbols[i]), detail::demap_inverse_variance(nv[broadcast ? 0 : i], gain),
                              llrs + 2 * i);
  }
}

// BPSK: s = (1-2b)(1+j)/sqrt(2). pi/2-BPSK: odd symbols are rotated by j, s = (1-2b)(-1+j)/sqrt(2).
// LLR = 4 Re(y conj(s0)) / nv with s0 the point of bit 0.
void demap_bpsk_portable(bool pi2, std::size_t first_index, const Complex* symbols, std::size_t n, const float* nv,
                         bool broadcast, float gain, float* llrs) {
  for (std::size_t i = 0; i < n; ++i) {
    const float g = 2.0F * kSqrt2 * inverse_variance(nv, i, broadcast, gain);
    const bool odd = pi2 && ((first_index + i) & 1U);
    const float re = odd ? -symbols[i].real() : symbols[i].real();
    llrs[i] = g * (re + symbols[i].imag());
  }
}

void demodulate_float(Modulation modulation, const Complex* symbols, std::size_t n, const float* nv, bool broadcast,
                      float gain, float* llrs, std::size_t first_index) {
  switch (modulation) {
    case Modulation::pi2_bpsk:
    case Modulation::bpsk:
      demap_bpsk_portable(modulation == Modulation::pi2_bpsk, first_index, symbols, n, nv, broadcast, gain, llrs);
      return;
    case Modulation::qpsk: {
      std::size_t done = 0;
#if defined(AIRAN_HAVE_AVX2_KERNELS)
      if (use_avx2()) done = avx2::demap_qpsk(symbols, n, nv, broadcast, gain, llrs);
#endif
      demap_qpsk_portable(symbols + done, n - done, broadcast ? nv : nv + done, broadcast, gain, llrs + 2 * done);
      return;
    }
    default: {
      const QamTable& t = tables().qam[bits_per_dim(modulation)];
      const int qm = 2 * t.bits_per_dim;
      std::size_t done = 0;
#if defined(AIRAN_HAVE_AVX2_KERNELS)
      if (use_avx2()) {
        done = avx2::demap_qam(t.bits_per_dim, &t.a[0][0], &t.b[0][0], t.index_scale, t.intervals - 1, symbols, n, nv,
                               broadcast, gain, llrs);
      }
#endif
      demap_qam_portable(t, symbols + done, n - done, broadcast ? nv : nv + done, broadcast, gain, llrs + qm * done);
      return;
    }
  }
}

}  // namespace

namespace detail {
const QamDemapTable& qam_demap_table(int bits_per_dim) { return tables().qam[bits_per_dim]; }
}  // namespace detail

int bits_per_symbol(Modulation modulation) {
  switch (modulation) {
    case Modulation::pi2_bpsk:
    case Modulation::bpsk:
      return 1;
    case Modulation::qpsk:
      return 2;
    case Modulation::qam16:
      return 4;
    case Modulation::qam64:
      return 6;
    case Modulation::qam256:
      return 8;
    case Modulation::qam1024:
      return 10;
  }
  return 0;
}

std::string_view to_string(Modulation modulation) {
  switch (modulation) {
    case Modulation::pi2_bpsk:
      return "pi/2-BPSK";
    case Modulation::bpsk:
      return "BPSK";
    case Modulation::qpsk:
      return "QPSK";
    case Modulation::qam16:
      return "16QAM";
    case Modulation::qam64:
      return "64QAM";
    case Modulation::qam256:
      return "256QAM";
    case Modulation::qam1024:
      return "1024QAM";
  }
  return "unknown";
}

Expected<Modulation> modulation_from_order(int qm, bool pi2_bpsk) {
  switch (qm) {
    case 1:
      return pi2_bpsk ? Modulation::pi2_bpsk : Modulation::bpsk;
    case 2:
      return Modulation::qpsk;
    case 4:
      return Modulation::qam16;
    case 6:
      return Modulation::qam64;
    case 8:
      return Modulation::qam256;
    case 10:
      return Modulation::qam1024;
    default:
      return Error{"modulation order qm = " + std::to_string(qm) + " is not one of 1, 2, 4, 6, 8, 10"};
  }
}

Complex constellation_point(Modulation modulation, unsigned label) {
  switch (modulation) {
    case Modulation::pi2_bpsk:
    case Modulation::bpsk: {
      const float x = (label & 1U) ? -1.0F / kSqrt2 : 1.0F / kSqrt2;
      return {x, x};
    }
    default: {
      const QamTable& t = tables().qam[bits_per_dim(modulation)];
      return t.points[label & ((1U << (2 * t.bits_per_dim)) - 1U)];
    }
  }
}

void modulate(Modulation modulation, std::span<const std::uint8_t> bits, std::span<Complex> symbols,
              std::size_t first_symbol_index) {
  const int qm = bits_per_symbol(modulation);
  assert(bits.size() == static_cast<std::size_t>(qm) * symbols.size());
  const std::size_t n = symbols.size();
  const std::uint8_t* b = bits.data();
  switch (modulation) {
    case Modulation::pi2_bpsk:
    case Modulation::bpsk: {
      const bool pi2 = modulation == Modulation::pi2_bpsk;
      for (std::size_t i = 0; i < n; ++i) {
        const float x = (1.0F - 2.0F * static_cast<float>(b[i] & 1U)) / kSqrt2;
        const bool odd = pi2 && ((first_symbol_index + i) & 1U);
        symbols[i] = {odd ? -x : x, x};  // odd pi/2-BPSK symbols: multiplied by j
      }
      return;
    }
    case Modulation::qpsk: {
      const float a = 1.0F / kSqrt2;
      for (std::size_t i = 0; i < n; ++i) {
        symbols[i] = {a * (1.0F - 2.0F * static_cast<float>(b[2 * i] & 1U)),
                      a * (1.0F - 2.0F * static_cast<float>(b[2 * i + 1] & 1U))};
      }
      return;
    }
    default: {
      const QamTable& t = tables().qam[bits_per_dim(modulation)];
      for (std::size_t i = 0; i < n; ++i) {
        unsigned label = 0;
        const std::uint8_t* s = b + i * qm;
        for (int j = 0; j < qm; ++j) label = (label << 1) | (s[j] & 1U);
        symbols[i] = t.points[label];
      }
      return;
    }
  }
}

void demodulate_soft(Modulation modulation, std::span<const Complex> symbols, std::span<const float> noise_variance,
                     std::span<float> llrs, std::size_t first_symbol_index) {
  const std::size_t qm = static_cast<std::size_t>(bits_per_symbol(modulation));
  assert(llrs.size() == qm * symbols.size());
  assert(noise_variance.size() == symbols.size() || noise_variance.size() == 1);
  if (symbols.empty()) return;
  const bool broadcast = noise_variance.size() == 1 && symbols.size() != 1;
  demodulate_float(modulation, symbols.data(), symbols.size(), noise_variance.data(), broadcast, 1.0F, llrs.data(),
                   first_symbol_index);
  (void)qm;
}

void demodulate_soft(Modulation modulation, std::span<const Complex> symbols, std::span<const float> noise_variance,
                     float gain, std::span<Llr> llrs, std::size_t first_symbol_index) {
  const std::size_t qm = static_cast<std::size_t>(bits_per_symbol(modulation));
  assert(llrs.size() == qm * symbols.size());
  assert(noise_variance.size() == symbols.size() || noise_variance.size() == 1);
  const bool broadcast = noise_variance.size() == 1;
  // Float LLRs (gain folded into 1/nv) for a chunk that stays in L1, then quantised.
  constexpr std::size_t kChunk = 256;
  alignas(32) float buffer[kChunk * 2 * kMaxBitsPerDim];
  for (std::size_t start = 0; start < symbols.size(); start += kChunk) {
    const std::size_t n = std::min(kChunk, symbols.size() - start);
    const float* nv = broadcast ? noise_variance.data() : noise_variance.data() + start;
    demodulate_float(modulation, symbols.data() + start, n, nv, broadcast, gain, buffer, first_symbol_index + start);
    const std::size_t count = n * qm;
    Llr* out = llrs.data() + start * qm;
    std::size_t done = 0;
#if defined(AIRAN_HAVE_AVX2_KERNELS)
    if (use_avx2()) done = avx2::quantize_llrs(buffer, count, out);
#endif
#if defined(__SSE2__)
    // SSE2 is baseline on x86-64: 16 at a time, branch-free (the scalar clamp mispredicts).
    for (; done + 16 <= count; done += 16) {
      const __m128 lo = _mm_set1_ps(-127.0F);
      const __m128 hi = _mm_set1_ps(127.0F);
      __m128i q[4];
      for (int k = 0; k < 4; ++k) {
        q[k] = _mm_cvtps_epi32(_mm_min_ps(_mm_max_ps(_mm_loadu_ps(buffer + done + 4 * k), lo), hi));
      }
      const __m128i bytes = _mm_packs_epi16(_mm_packs_epi32(q[0], q[1]), _mm_packs_epi32(q[2], q[3]));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + done), bytes);
    }
#endif
    for (std::size_t i = done; i < count; ++i) {
      float v = buffer[i] > -127.0F ? buffer[i] : -127.0F;  // NaN -> -127, as the AVX2 kernel
      v = v < 127.0F ? v : 127.0F;
      // Round half to even, as cvtps2dq and nearbyint do, without a libm call: exact for |v| < 2^22.
      v = (v + kRoundMagic) - kRoundMagic;
      out[i] = static_cast<Llr>(static_cast<int>(v));
    }
  }
}

void hard_decision(Modulation modulation, std::span<const Complex> symbols, std::span<Complex> nearest,
                   std::size_t first_symbol_index) {
  assert(nearest.size() == symbols.size());
  if (modulation == Modulation::bpsk || modulation == Modulation::pi2_bpsk) {
    const std::uint8_t zero = 0;
    const std::uint8_t one = 1;
    for (std::size_t i = 0; i < symbols.size(); ++i) {
      // The two points of symbol i (pi/2-BPSK rotates with the symbol index).
      Complex p0;
      Complex p1;
      modulate(modulation, std::span(&zero, 1), std::span(&p0, 1), first_symbol_index + i);
      modulate(modulation, std::span(&one, 1), std::span(&p1, 1), first_symbol_index + i);
      nearest[i] = std::norm(symbols[i] - p0) <= std::norm(symbols[i] - p1) ? p0 : p1;
    }
    return;
  }
  // Square QAM: levels are the odd integers -(L-1)..(L-1) divided by the norm in each dimension.
  const QamTable& t = tables().qam[bits_per_symbol(modulation) / 2];
  const float scale = 2.0F * t.index_scale;  // norm
  const float inv_scale = 1.0F / scale;
  const auto max_level = static_cast<float>(2 * t.intervals - 1);
  auto quantize = [&](float u) {
    // floor(v) as round-to-nearest(v - 1/2) with the float magic-number trick: baseline
    // x86-64 has no vector floor, and a libm call per value was the slowest part here.
    // (At a tie, exactly between two levels, either point is as near.)
    const float v = std::clamp(u * scale * 0.5F, -max_level, max_level);
    const float floored = (v - 0.5F + kRoundMagic) - kRoundMagic;
    return std::clamp(2.0F * floored + 1.0F, -max_level, max_level) * inv_scale;
  };
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    nearest[i] = {quantize(symbols[i].real()), quantize(symbols[i].imag())};
  }
}

}  // namespace airan::phy
