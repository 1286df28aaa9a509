// AVX2 kernels of the O-RAN IQ compression (compression.hpp): no compression and block floating
// point for every iqWidth 1..16, one template instance per width. They produce the same bytes and
// samples as the portable kernels of compression.cpp (tests compare them).
//
// Packing, per 128-bit lane of 8 values (8 * W bits = W bytes, MSB first):
//   1. pairs into 32 bits: (v0 << W) | v1          (madd for W <= 14, shifts above)
//   2. pairs into 64 bits: (p0 << 2W) | p1         = A (values 0-3) and B (values 4-7), 4W bits each
//   3. the stream is A then B. For even W, 4W bits are whole bytes: A's W/2 bytes then B's. For
//      odd W, 4W = 8k + 4: X = (A << 4) | (B >> (4W - 4)) holds the first (W+1)/2 bytes and the
//      low (W-1)/2 bytes of B follow; one byte shuffle writes them big-endian.
// Unpacking: each value's 3 covering bytes are shuffled into a big-endian 32-bit window, shifted
// left by the value's bit offset in its first byte (vpsllvd) and arithmetically right by 32 - W.
// Stores and loads are 16 bytes per group of 8 values and may reach up to 16 - W bytes past a PRB;
// the PRBs near the end of a buffer go through a small stack copy so that nothing outside the
// caller's spans is read or written.
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <utility>

namespace airan::io::avx2 {
namespace {

constexpr int kV = 24;

template <int W>
struct ShuffleMasks {
  std::array<std::int8_t, 32> pack{};    // step 3 of packing, both lanes
  std::array<std::int8_t, 32> unpack{};  // 32-bit windows of values 0-3 (lane 0) and 4-7 (lane 1)
  std::array<std::int32_t, 8> offset{};  // bit offset of each value in its first byte
  constexpr ShuffleMasks() {
    constexpr int c = (W % 2) ? 4 : 0;
    constexpr int nx = (4 * W + c) / 8;
    constexpr int nb = (4 * W - c) / 8;
    for (int lane = 0; lane < 2; ++lane) {
      for (int i = 0; i < 16; ++i) pack[16 * lane + i] = -128;
      for (int i = 0; i < nx; ++i) pack[16 * lane + i] = static_cast<std::int8_t>(nx - 1 - i);
      for (int i = 0; i < nb; ++i) pack[16 * lane + nx + i] = static_cast<std::int8_t>(8 + nb - 1 - i);
    }
    for (int i = 0; i < 8; ++i) {
      const int bit = W * i;
      const int first = bit / 8;
      offset[i] = bit % 8;
      const int base = 16 * (i / 4) + 4 * (i % 4);
      // little-endian int32: byte 3 is the most significant = the value's first byte
      const int idx[4] = {-128, first + 2, first + 1, first};
      for (int b = 0; b < 4; ++b) {
        unpack[base + b] = static_cast<std::int8_t>(idx[b] >= 0 && idx[b] < 16 ? idx[b] : -128);
      }
    }
  }
};

template <int W>
inline constexpr ShuffleMasks<W> kMasks{};

inline __m256i load_mask(const std::int8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// 16 values of W bits (each 128-bit lane: 8 values) -> W packed bytes at the start of each lane.
template <int W>
inline __m256i pack_lanes(__m256i v, __m256i shuffle) {
  static_assert(W >= 1 && W <= 15);
  const __m256i m = _mm256_and_si256(v, _mm256_set1_epi16(static_cast<std::int16_t>((1 << W) - 1)));
  __m256i p;
  if constexpr (W <= 14) {
    p = _mm256_madd_epi16(m, _mm256_set1_epi32((1 << 16) | (1 << W)));
  } else {
    p = _mm256_or_si256(_mm256_slli_epi32(_mm256_and_si256(m, _mm256_set1_epi32(0xffff)), W),
                        _mm256_srli_epi32(m, 16));
  }
  const __m256i q = _mm256_add_epi64(_mm256_mul_epu32(p, _mm256_set1_epi64x(std::int64_t{1} << (2 * W))),
                                     _mm256_srli_epi64(p, 32));
  __m256i r;
  if constexpr (W % 2) {
    const __m256i x = _mm256_or_si256(_mm256_slli_epi64(q, 4),
                                      _mm256_bsrli_epi128(_mm256_srli_epi64(q, 4 * W - 4), 8));
    r = _mm256_blend_epi32(x, q, 0xcc);
  } else {
    r = q;
  }
  return _mm256_shuffle_epi8(r, shuffle);
}

// The 8 values of one group starting at p (16 readable bytes), sign-extended, as int32 << shift.
template <int W>
inline __m256i unpack_group(const std::uint8_t* p, __m256i shuffle, __m256i offsets, __m128i shift) {
  const __m256i bytes =
      _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  const __m256i win = _mm256_sllv_epi32(_mm256_shuffle_epi8(bytes, shuffle), offsets);
  return _mm256_sll_epi32(_mm256_srai_epi32(win, 32 - W), shift);
}

inline __m256i bswap16_shuffle() {
  return _mm256_setr_epi8(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14,  //
                          1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);
}

// One PRB. kBfp: exponent from the data and a udCompParam byte; otherwise the fixed shift
// 16 - W of no compression. `out` must have 16 writable bytes beyond the PRB (W < 16).
template <int W, bool kBfp>
inline void compress_prb(const std::int16_t* in, std::uint8_t* out, __m256i shuffle) {
  __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in));
  __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 16));
  __m128i count;
  if constexpr (kBfp) {
    // OR of v ^ (v >> 15): its bit length is that of max(max v, |min v| - 1).
    const __m256i ta = _mm256_xor_si256(a, _mm256_srai_epi16(a, 15));
    const __m128i tb = _mm_xor_si128(b, _mm_srai_epi16(b, 15));
    __m128i t = _mm_or_si128(_mm_or_si128(_mm256_castsi256_si128(ta), _mm256_extracti128_si256(ta, 1)), tb);
    t = _mm_or_si128(t, _mm_bsrli_si128(t, 8));
    t = _mm_or_si128(t, _mm_bsrli_si128(t, 4));
    t = _mm_or_si128(t, _mm_bsrli_si128(t, 2));
    const auto m = static_cast<std::uint32_t>(_mm_cvtsi128_si32(t)) & 0xffffu;
    const int e = std::max(0, static_cast<int>(std::bit_width(m)) + 1 - W);
    *out++ = static_cast<std::uint8_t>(e);
    count = _mm_cvtsi32_si128(e);
  } else {
    count = _mm_cvtsi32_si128(16 - W);
  }
  if constexpr (W == 16) {
    (void)count;
    const __m256i s = bswap16_shuffle();
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_shuffle_epi8(a, s));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 32),
                     _mm_shuffle_epi8(b, _mm256_castsi256_si128(s)));
  } else {
    a = _mm256_sra_epi16(a, count);
    b = _mm_sra_epi16(b, count);
    const __m256i ra = pack_lanes<W>(a, shuffle);
    const __m256i rb = pack_lanes<W>(_mm256_castsi128_si256(b), shuffle);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm256_castsi256_si128(ra));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + W), _mm256_extracti128_si256(ra, 1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 2 * W), _mm256_castsi256_si128(rb));
  }
}

// One PRB; `in` points at the mantissas (after any udCompParam), 16 readable bytes beyond them.
template <int W>
inline void decompress_prb(const std::uint8_t* in, int shift, std::int16_t* out, __m256i shuffle,
                           __m256i offsets) {
  if constexpr (W == 16) {
    (void)shift;
    (void)offsets;
    const __m256i s = bswap16_shuffle();
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 32));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_shuffle_epi8(a, s));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16), _mm_shuffle_epi8(b, _mm256_castsi256_si128(s)));
  } else {
    const __m128i count = _mm_cvtsi32_si128(shift);
    const __m256i g0 = unpack_group<W>(in, shuffle, offsets, count);
    const __m256i g1 = unpack_group<W>(in + W, shuffle, offsets, count);
    const __m256i g2 = unpack_group<W>(in + 2 * W, shuffle, offsets, count);
    const __m256i v01 = _mm256_permute4x64_epi64(_mm256_packs_epi32(g0, g1), 0xd8);
    const __m256i v22 = _mm256_permute4x64_epi64(_mm256_packs_epi32(g2, g2), 0xd8);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), v01);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16), _mm256_castsi256_si128(v22));
  }
}

template <int W, bool kBfp>
void compress_w(const std::int16_t* iq, int n, std::uint8_t* out) {
  constexpr int bytes = (kBfp ? 1 : 0) + 3 * W;
  const __m256i shuffle = load_mask(kMasks<W>.pack.data());
  // PRBs whose 16-byte overrun stays inside the output go straight; the rest via a copy.
  const int direct = W == 16 ? n : std::max(0, n - (16 + bytes - 1) / bytes);
  int p = 0;
  for (; p < direct; ++p) compress_prb<W, kBfp>(iq + kV * p, out + bytes * p, shuffle);
  for (; p < n; ++p) {
    alignas(32) std::uint8_t tmp[bytes + 16];
    compress_prb<W, kBfp>(iq + kV * p, tmp, shuffle);
    std::memcpy(out + bytes * p, tmp, bytes);
  }
}

// Returns the first PRB with an exponent above 16 - W (BFP), or -1.
template <int W, bool kBfp>
int decompress_w(const std::uint8_t* in, int n, std::int16_t* iq) {
  constexpr int bytes = (kBfp ? 1 : 0) + 3 * W;
  const __m256i shuffle = load_mask(kMasks<W>.unpack.data());
  const __m256i offsets = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMasks<W>.offset.data()));
  const int direct = std::max(0, n - (16 + bytes - 1) / bytes);
  int p = 0;
  const auto one = [&](const std::uint8_t* prb) -> bool {
    int shift = 16 - W;
    if constexpr (kBfp) {
      shift = prb[0] & 0x0f;  // reserved high bits ignored
      if (shift > 16 - W) return false;
      ++prb;
    }
    decompress_prb<W>(prb, shift, iq + kV * p, shuffle, offsets);
    return true;
  };
  for (; p < direct; ++p) {
    if (!one(in + bytes * p)) return p;
  }
  for (; p < n; ++p) {
    alignas(32) std::uint8_t tmp[bytes + 16] = {};
    std::memcpy(tmp, in + bytes * p, bytes);
    if (!one(tmp)) return p;
  }
  return -1;
}

using CompressFn = void (*)(const std::int16_t*, int, std::uint8_t*);
using DecompressFn = int (*)(const std::uint8_t*, int, std::int16_t*);

template <bool kBfp, std::size_t... I>
constexpr std::array<CompressFn, 16> compress_table(std::index_sequence<I...>) {
  return {&compress_w<static_cast<int>(I) + 1, kBfp>...};
}
template <bool kBfp, std::size_t... I>
constexpr std::array<DecompressFn, 16> decompress_table(std::index_sequence<I...>) {
  return {&decompress_w<static_cast<int>(I) + 1, kBfp>...};
}

constexpr auto kBfpCompress = compress_table<true>(std::make_index_sequence<16>{});
constexpr auto kNoneCompress = compress_table<false>(std::make_index_sequence<16>{});
constexpr auto kBfpDecompress = decompress_table<true>(std::make_index_sequence<16>{});
constexpr auto kNoneDecompress = decompress_table<false>(std::make_index_sequence<16>{});

}  // namespace

void bfp_compress(int iq_width, const std::int16_t* iq, int num_prbs, std::uint8_t* out) {
  kBfpCompress[iq_width - 1](iq, num_prbs, out);
}
int bfp_decompress(int iq_width, const std::uint8_t* in, int num_prbs, std::int16_t* iq) {
  return kBfpDecompress[iq_width - 1](in, num_prbs, iq);
}
void none_compress(int iq_width, const std::int16_t* iq, int num_prbs, std::uint8_t* out) {
  kNoneCompress[iq_width - 1](iq, num_prbs, out);
}
void none_decompress(int iq_width, const std::uint8_t* in, int num_prbs, std::int16_t* iq) {
  kNoneDecompress[iq_width - 1](in, num_prbs, iq);
}

void float_to_iq16(const float* x, std::size_t n, float scale, std::int16_t* iq16) {
  const __m256 s = _mm256_set1_ps(scale);
  const __m256 lo = _mm256_set1_ps(-32768.0f);
  const __m256 hi = _mm256_set1_ps(32767.0f);
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 a = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), s), lo), hi);
    const __m256 b = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i + 8), s), lo), hi);
    const __m256i packed = _mm256_permute4x64_epi64(
        _mm256_packs_epi32(_mm256_cvtps_epi32(a), _mm256_cvtps_epi32(b)), 0xd8);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(iq16 + i), packed);
  }
  for (; i < n; ++i) {
    const float v = std::min(std::max(x[i] * scale, -32768.0f), 32767.0f);
    iq16[i] = static_cast<std::int16_t>(_mm_cvtss_si32(_mm_set_ss(v)));
  }
}

}  // namespace airan::io::avx2
