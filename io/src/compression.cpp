// O-RAN fronthaul IQ (de)compression, O-RAN.WG4.CUS Annex A. The definitions of every method and
// the sources they were checked against are in compression.hpp. This file holds the portable
// kernels and the dispatch; compression_avx2.cpp holds the AVX2 kernels for no compression and
// BFP, which must give the same bytes and samples.
#include "airan/io/compression.hpp"

#include "airan/io/detail/bfp_math.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstring>
#include <string>

namespace airan::io {

#if defined(AIRAN_HAVE_AVX2_KERNELS)
namespace avx2 {
// Defined in compression_avx2.cpp (compiled with -mavx2). `in`/`out` hold exactly the PRBs.
void bfp_compress(int iq_width, const std::int16_t* iq, int num_prbs, std::uint8_t* out);
// Returns the index of the first PRB whose exponent exceeds 16 - iq_width, or -1.
int bfp_decompress(int iq_width, const std::uint8_t* in, int num_prbs, std::int16_t* iq);
void none_compress(int iq_width, const std::int16_t* iq, int num_prbs, std::uint8_t* out);
void none_decompress(int iq_width, const std::uint8_t* in, int num_prbs, std::int16_t* iq);
void float_to_iq16(const float* x, std::size_t n, float scale, std::int16_t* iq16);
}  // namespace avx2
#endif

namespace {

constexpr int kV = kIqValuesPerPrb;

__extension__ typedef unsigned __int128 u128;

bool valid_method(CompressionMethod m) {
  return m == CompressionMethod::none || m == CompressionMethod::block_floating_point ||
         m == CompressionMethod::block_scaling || m == CompressionMethod::mu_law;
}

const char* method_name(CompressionMethod m) {
  switch (m) {
    case CompressionMethod::none: return "none";
    case CompressionMethod::block_floating_point: return "block floating point";
    case CompressionMethod::block_scaling: return "block scaling";
    case CompressionMethod::mu_law: return "mu-law";
  }
  return "reserved";
}

inline void store_be64(std::uint8_t* p, std::uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}

// Packs 24 values (their low w bits, two's complement) MSB first into 3w bytes: three groups of
// 8 values, each exactly w bytes, assembled in a 128-bit accumulator. No tables, no
// data-dependent branches.
inline void pack24(const std::int16_t* v, int w, std::uint8_t* out) {
  const std::uint32_t mask = (1u << w) - 1u;
  for (int g = 0; g < 3; ++g) {
    u128 acc = 0;
    for (int i = 0; i < 8; ++i) acc = (acc << w) | (static_cast<std::uint16_t>(v[8 * g + i]) & mask);
    acc <<= 128 - 8 * w;  // MSB of the group at bit 127
    std::uint8_t buf[16];
    store_be64(buf, static_cast<std::uint64_t>(acc >> 64));
    store_be64(buf + 8, static_cast<std::uint64_t>(acc));
    std::memcpy(out + g * w, buf, static_cast<std::size_t>(w));
  }
}

// Unpacks 24 w-bit two's complement values from 3w bytes, sign-extended, times 2^shift: the
// function the GPU order step runs too (detail/bfp_math.hpp), so CPU tests exercise its
// arithmetic.
inline void unpack24(const std::uint8_t* in, int w, int shift, std::int16_t* v) {
  bfp_math::unpack_block(in, w, shift, v);
}

// OR over the PRB of v ^ (v >> 15): v for v >= 0, |v| - 1 for v < 0. Its bit length is that of
// maxValue = max(max v, |min v| - 1) of Annex A.1.
inline std::uint32_t magnitude_bits(const std::int16_t* v) {
  std::uint32_t m = 0;
  for (int i = 0; i < kV; ++i) {
    const std::int32_t x = v[i];
    m |= static_cast<std::uint32_t>(x ^ (x >> 31));
  }
  return m;
}

inline int exponent_from_bits(std::uint32_t m, int w) {
  return std::max(0, static_cast<int>(std::bit_width(m)) + 1 - w);
}

void bfp_compress_generic(int w, const std::int16_t* iq, int n, std::uint8_t* out) {
  const int bytes = 1 + 3 * w;
  for (int p = 0; p < n; ++p, iq += kV, out += bytes) {
    const int e = exponent_from_bits(magnitude_bits(iq), w);
    std::int16_t mant[kV];
    for (int i = 0; i < kV; ++i) mant[i] = static_cast<std::int16_t>(iq[i] >> e);
    out[0] = static_cast<std::uint8_t>(e);
    pack24(mant, w, out + 1);
  }
}

// The portable paths decode each PRB with the GPU's per-PRB function (detail/bfp_math.hpp).
int bfp_decompress_generic(int w, const std::uint8_t* in, int n, std::int16_t* iq) {
  const int bytes = bfp_math::prb_bytes(bfp_math::kMethodBfp, w);
  for (int p = 0; p < n; ++p, in += bytes, iq += kV) {
    if (!bfp_math::bfp_param_ok(in[0], w)) return p;
    bfp_math::decompress_prb(in, bfp_math::kMethodBfp, w, iq);
  }
  return -1;
}

void none_compress_generic(int w, const std::int16_t* iq, int n, std::uint8_t* out) {
  const int bytes = 3 * w;
  const int shift = 16 - w;
  for (int p = 0; p < n; ++p, iq += kV, out += bytes) {
    std::int16_t v[kV];
    for (int i = 0; i < kV; ++i) v[i] = static_cast<std::int16_t>(iq[i] >> shift);
    pack24(v, w, out);
  }
}

void none_decompress_generic(int w, const std::uint8_t* in, int n, std::int16_t* iq) {
  const int bytes = bfp_math::prb_bytes(bfp_math::kMethodNone, w);
  for (int p = 0; p < n; ++p, in += bytes, iq += kV) bfp_math::decompress_prb(in, bfp_math::kMethodNone, w, iq);
}

// Block scaling (see compression.hpp). Exact integer arithmetic: with k = w - 9,
// c = round(v * 2^k / s) = round(N / D), N = |v| 2^max(k,0), D = s 2^max(-k,0).
void block_scaling_compress(int w, const std::int16_t* iq, int n, std::uint8_t* out) {
  const int bytes = 1 + 3 * w;
  const int k = w - 9;
  const std::int32_t cmax = (1 << (w - 1)) - 1;
  const std::int32_t cmin = -(1 << (w - 1));
  for (int p = 0; p < n; ++p, iq += kV, out += bytes) {
    const std::uint32_t max_value = [&] {
      std::int32_t mx = 0;
      for (int i = 0; i < kV; ++i) {
        const std::int32_t x = iq[i];
        mx = std::max(mx, x ^ (x >> 31));  // max(max v, |min v| - 1)
      }
      return static_cast<std::uint32_t>(mx);
    }();
    const std::uint32_t s = (max_value + 255u) / 256u;  // ceil(maxValue / 2^(16-8)), 0..128
    const std::uint64_t d = static_cast<std::uint64_t>(std::max(s, 1u)) << std::max(-k, 0);
    std::int16_t c[kV];
    for (int i = 0; i < kV; ++i) {
      const std::int32_t x = iq[i];
      const std::uint64_t num = static_cast<std::uint64_t>(x < 0 ? -x : x) << std::max(k, 0);
      const auto q = static_cast<std::int64_t>((2 * num + d) / (2 * d));  // half away from zero
      const std::int64_t signed_q = x < 0 ? -q : q;
      c[i] = static_cast<std::int16_t>(std::clamp<std::int64_t>(signed_q, cmin, cmax));
    }
    out[0] = static_cast<std::uint8_t>(s);
    pack24(c, w, out + 1);
  }
}

void block_scaling_decompress(int w, const std::uint8_t* in, int n, std::int16_t* iq) {
  const int bytes = 1 + 3 * w;
  const int k = w - 9;
  for (int p = 0; p < n; ++p, in += bytes, iq += kV) {
    const std::int64_t s = in[0];
    std::int16_t c[kV];
    unpack24(in + 1, w, 0, c);
    for (int i = 0; i < kV; ++i) {
      const std::int64_t x = s * c[i];
      const std::int64_t mag = x < 0 ? -x : x;
      std::int64_t r = k > 0 ? (mag + (std::int64_t{1} << (k - 1))) >> k : mag << -k;
      r = x < 0 ? -r : r;
      iq[i] = static_cast<std::int16_t>(std::clamp<std::int64_t>(r, -32768, 32767));
    }
  }
}

// mu-law (see compression.hpp): compShift from the PRB's largest magnitude.
inline int mu_law_shift(std::uint32_t max_abs) {
  // 7 for < 2^8, 6 for < 2^9, ..., 1 for < 2^14, 0 above.
  return std::clamp(15 - static_cast<int>(std::bit_width(max_abs)), 0, 7);
}

void mu_law_compress(int w, const std::int16_t* iq, int n, std::uint8_t* out) {
  const int bytes = 1 + 3 * w;
  for (int p = 0; p < n; ++p, iq += kV, out += bytes) {
    std::uint32_t max_abs = 0;
    for (int i = 0; i < kV; ++i) {
      const std::int32_t x = iq[i];
      max_abs = std::max(max_abs, static_cast<std::uint32_t>(x < 0 ? -x : x));
    }
    const int shift = mu_law_shift(max_abs);
    std::int16_t c[kV];
    for (int i = 0; i < kV; ++i) {
      const std::int32_t x = iq[i];
      const std::uint64_t a =
          std::min<std::uint64_t>(static_cast<std::uint64_t>(x < 0 ? -x : x) << shift, 32767);
      std::uint64_t m;  // floor of the segment formula, computed exactly
      if (a <= 8192) {
        m = (a << w) >> 15;
      } else if (a <= 16384) {
        m = ((a << w) + (std::uint64_t{1} << (w + 13))) >> 16;
      } else {
        m = ((a << w) + (std::uint64_t{1} << (w + 15))) >> 17;
      }
      const auto mi = static_cast<std::int32_t>(m);
      c[i] = static_cast<std::int16_t>(x < 0 ? -mi : mi);
    }
    out[0] = static_cast<std::uint8_t>(((w & 0x0f) << 4) | shift);
    pack24(c, w, out + 1);
  }
}

int mu_law_decompress(int w, const std::uint8_t* in, int n, std::int16_t* iq) {
  const int bytes = 1 + 3 * w;
  const std::int64_t cmax = (1 << (w - 1)) - 1;
  for (int p = 0; p < n; ++p, in += bytes, iq += kV) {
    if ((in[0] >> 4) != (w & 0x0f)) return p;  // compBitWidth must be udIqWidth
    const int shift = in[0] & 0x0f;
    std::int16_t c[kV];
    unpack24(in + 1, w, 0, c);
    for (int i = 0; i < kV; ++i) {
      const std::int64_t x = c[i];
      const std::int64_t mag = std::min(x < 0 ? -x : x, cmax);
      // Twice the decompressed magnitude (exact: w = 16 gives halves in the first segment).
      std::int64_t d2;
      if (4 * mag <= (std::int64_t{1} << w)) {  // mag <= 2^(w-2)
        d2 = mag << (16 - w);
      } else if (8 * mag <= 3 * (std::int64_t{1} << w)) {  // mag <= 2^(w-2) + 2^(w-3)
        d2 = (mag << (17 - w)) - (std::int64_t{1} << 14);
      } else {
        d2 = (mag << (18 - w)) - (std::int64_t{1} << 16);
      }
      const int div = shift + 1;  // d2 / 2^(shift+1), rounded half away from zero
      std::int64_t r = (d2 + (std::int64_t{1} << (div - 1))) >> div;
      r = std::min<std::int64_t>(r, 32767);
      iq[i] = static_cast<std::int16_t>(x < 0 ? -r : r);
    }
  }
  return -1;
}

bool use_avx2(phy::CpuIsa isa) {
#if defined(AIRAN_HAVE_AVX2_KERNELS)
  return isa == phy::CpuIsa::avx2 && phy::cpu_isa_available(phy::CpuIsa::avx2);
#else
  (void)isa;
  return false;
#endif
}

}  // namespace

Status validate(const CompressionParams& params) {
  if (!valid_method(params.method)) {
    return Error{"compression method (udCompMeth) " +
                 std::to_string(static_cast<int>(params.method)) +
                 " is not supported: allowed 0 (none), 1 (block floating point), 2 (block "
                 "scaling), 3 (mu-law)"};
  }
  if (params.iq_width < 1 || params.iq_width > 16) {
    return Error{"iq_width " + std::to_string(params.iq_width) + " out of range 1..16 (method " +
                 method_name(params.method) + ")"};
  }
  return Status::ok();
}

int compressed_prb_bytes(const CompressionParams& params) {
  if (!validate(params)) return 0;
  const int mantissa_bytes = 3 * params.iq_width;  // 24 * iqWidth / 8
  return params.method == CompressionMethod::none ? mantissa_bytes : 1 + mantissa_bytes;
}

std::uint8_t encode_comp_header(const CompressionParams& params) {
  assert(validate(params));
  return static_cast<std::uint8_t>(((params.iq_width & 0x0f) << 4) |
                                   (static_cast<int>(params.method) & 0x0f));
}

Expected<CompressionParams> decode_comp_header(std::uint8_t header) {
  const int width_field = header >> 4;
  const int method = header & 0x0f;
  CompressionParams params{static_cast<CompressionMethod>(method),
                           width_field == 0 ? 16 : width_field};
  if (!valid_method(params.method)) {
    return Error{"udCompHdr 0x" + std::string{"0123456789abcdef"[header >> 4]} +
                 "0123456789abcdef"[header & 0x0f] + ": udCompMeth " + std::to_string(method) +
                 " is not supported (allowed 0..3: none, block floating point, block scaling, "
                 "mu-law)"};
  }
  return params;
}

int bfp_exponent(std::span<const std::int16_t> prb_iq, int iq_width) {
  assert(prb_iq.size() >= static_cast<std::size_t>(kV));
  assert(iq_width >= 1 && iq_width <= 16);
  return exponent_from_bits(magnitude_bits(prb_iq.data()), iq_width);
}

void compress_prbs(const CompressionParams& params, std::span<const std::int16_t> iq,
                   std::span<std::uint8_t> out, phy::CpuIsa isa) {
  assert(validate(params));
  assert(iq.size() % kV == 0);
  const int n = static_cast<int>(iq.size() / kV);
  const int w = params.iq_width;
  assert(out.size() >= static_cast<std::size_t>(n) * compressed_prb_bytes(params));
  const bool simd = use_avx2(isa);
  switch (params.method) {
    case CompressionMethod::none:
#if defined(AIRAN_HAVE_AVX2_KERNELS)
      if (simd) return avx2::none_compress(w, iq.data(), n, out.data());
#endif
      return none_compress_generic(w, iq.data(), n, out.data());
    case CompressionMethod::block_floating_point:
#if defined(AIRAN_HAVE_AVX2_KERNELS)
      if (simd) return avx2::bfp_compress(w, iq.data(), n, out.data());
#endif
      return bfp_compress_generic(w, iq.data(), n, out.data());
    case CompressionMethod::block_scaling:
      return block_scaling_compress(w, iq.data(), n, out.data());
    case CompressionMethod::mu_law:
      return mu_law_compress(w, iq.data(), n, out.data());
  }
  (void)simd;
}

void compress_prbs(const CompressionParams& params, std::span<const std::int16_t> iq,
                   std::span<std::uint8_t> out) {
  static const phy::CpuIsa isa = phy::best_cpu_isa();
  compress_prbs(params, iq, out, isa);
}

namespace {

// The checks decompress_prbs makes before decoding: parameters, count, input size.
Status check_sizes(const CompressionParams& params, std::span<const std::uint8_t> in, int num_prbs) {
  if (Status s = validate(params); !s) return s;
  if (num_prbs < 0) return Error{"num_prbs " + std::to_string(num_prbs) + " is negative"};
  const std::size_t prb_bytes = static_cast<std::size_t>(compressed_prb_bytes(params));
  const std::size_t need = prb_bytes * static_cast<std::size_t>(num_prbs);
  if (in.size() < need) {
    return Error{"compressed input holds " + std::to_string(in.size()) + " bytes, " +
                 std::to_string(num_prbs) + " PRBs of " + std::to_string(prb_bytes) +
                 " bytes need " + std::to_string(need)};
  }
  return Status::ok();
}

Status bad_param_error(const CompressionParams& params, std::uint8_t param, int prb) {
  if (params.method == CompressionMethod::block_floating_point) {
    return Error{"udCompParam of PRB " + std::to_string(prb) + ": BFP exponent " + std::to_string(param & 0x0f) +
                 " exceeds 16 - iqWidth = " + std::to_string(16 - params.iq_width) +
                 " (the samples would not fit int16)"};
  }
  return Error{"udCompParam of PRB " + std::to_string(prb) + ": mu-law compBitWidth " + std::to_string(param >> 4) +
               " differs from udIqWidth " + std::to_string(params.iq_width & 0x0f)};
}

}  // namespace

Status decompress_prbs(const CompressionParams& params, std::span<const std::uint8_t> in,
                       int num_prbs, std::span<std::int16_t> iq_out, phy::CpuIsa isa) {
  if (Status s = check_sizes(params, in, num_prbs); !s) return s;
  const std::size_t prb_bytes = static_cast<std::size_t>(compressed_prb_bytes(params));
  const std::size_t values = static_cast<std::size_t>(num_prbs) * kV;
  if (iq_out.size() < values) {
    return Error{"iq_out holds " + std::to_string(iq_out.size()) + " values, " +
                 std::to_string(num_prbs) + " PRBs need " + std::to_string(values)};
  }
  const int w = params.iq_width;
  const bool simd = use_avx2(isa);
  int bad = -1;
  switch (params.method) {
    case CompressionMethod::none:
#if defined(AIRAN_HAVE_AVX2_KERNELS)
      if (simd) {
        avx2::none_decompress(w, in.data(), num_prbs, iq_out.data());
        break;
      }
#endif
      none_decompress_generic(w, in.data(), num_prbs, iq_out.data());
      break;
    case CompressionMethod::block_floating_point:
#if defined(AIRAN_HAVE_AVX2_KERNELS)
      if (simd) {
        bad = avx2::bfp_decompress(w, in.data(), num_prbs, iq_out.data());
        break;
      }
#endif
      bad = bfp_decompress_generic(w, in.data(), num_prbs, iq_out.data());
      break;
    case CompressionMethod::block_scaling:
      block_scaling_decompress(w, in.data(), num_prbs, iq_out.data());
      break;
    case CompressionMethod::mu_law:
      bad = mu_law_decompress(w, in.data(), num_prbs, iq_out.data());
      break;
  }
  (void)simd;
  if (bad >= 0) return bad_param_error(params, in[static_cast<std::size_t>(bad) * prb_bytes], bad);
  return Status::ok();
}

Status check_compressed_prbs(const CompressionParams& params, std::span<const std::uint8_t> in, int num_prbs) {
  if (Status s = check_sizes(params, in, num_prbs); !s) return s;
  const int w = params.iq_width;
  const std::size_t prb_bytes = static_cast<std::size_t>(compressed_prb_bytes(params));
  for (int p = 0; p < num_prbs; ++p) {
    const std::uint8_t param = in[static_cast<std::size_t>(p) * prb_bytes];
    // The same per-PRB rules as bfp_decompress_* and mu_law_decompress.
    const bool ok = params.method == CompressionMethod::block_floating_point ? bfp_math::bfp_param_ok(param, w)
                    : params.method == CompressionMethod::mu_law         ? (param >> 4) == (w & 0x0f)
                                                                         : true;
    if (!ok) return bad_param_error(params, param, p);
  }
  return Status::ok();
}

Status decompress_prbs(const CompressionParams& params, std::span<const std::uint8_t> in,
                       int num_prbs, std::span<std::int16_t> iq_out) {
  static const phy::CpuIsa isa = phy::best_cpu_isa();
  return decompress_prbs(params, in, num_prbs, iq_out, isa);
}

void float_to_iq16(std::span<const Complex> x, float scale, std::span<std::int16_t> iq16) {
  assert(iq16.size() == 2 * x.size());
  const float* f = reinterpret_cast<const float*>(x.data());
  const std::size_t n = 2 * x.size();
  std::size_t i = 0;
#if defined(AIRAN_HAVE_AVX2_KERNELS)
  static const bool simd = use_avx2(phy::best_cpu_isa());
  if (simd) {
    avx2::float_to_iq16(f, n, scale, iq16.data());
    return;
  }
#endif
  for (; i < n; ++i) {
    const float v = std::clamp(f[i] * scale, -32768.0f, 32767.0f);
    iq16[i] = static_cast<std::int16_t>(std::nearbyint(v));
  }
}

void iq16_to_float(std::span<const std::int16_t> iq16, float scale, std::span<Complex> x) {
  assert(iq16.size() == 2 * x.size());
  float* f = reinterpret_cast<float*>(x.data());
  const std::size_t n = iq16.size();
  const float inv = 1.0f / scale;
  for (std::size_t i = 0; i < n; ++i) f[i] = static_cast<float>(iq16[i]) * inv;
}

}  // namespace airan::io
